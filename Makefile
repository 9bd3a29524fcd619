# punchclock: `make run` starts the product with demo data, `make test` runs every test.
# Everything a fresh Debian machine with Go needs is installed here, idempotently.

SHELL        := /bin/bash
GO           ?= go
VERSION      ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
ADDR         ?= 127.0.0.1:8080
DB           ?= var/punchclock.db
GOBIN        := $(shell $(GO) env GOPATH)/bin
LDFLAGS      := -X main.version=$(VERSION)
WASMBROWSERTEST := $(GOBIN)/wasmbrowsertest
# Packages that build for the browser and are tested there too.
WASM_PKGS    := ./app/... ./kiosk/outbox/... ./kiosk/syncer/... ./kiosk/scan/ ./kiosk/rotate/... ./kiosk/fetch/
# fonts-noto-cjk: the kiosk's Chinese screens, screenshotted by the browser tests, need CJK glyphs.
# haproxy: the tests of several punchd on one PostgreSQL (and the chaos suite) run it in front of them.
# poppler-utils: the badge sheet tests render the PDF to images and read the badges back.
# libreoffice-calc-nogui: the export tests open every XLSX in LibreOffice and compare it cell by cell with the CSV.
# nodejs: the webhook acceptance test verifies deliveries with the Standard Webhooks JavaScript library.
APT_TEST     := chromium chromium-driver fonts-noto-cjk haproxy poppler-utils fonts-droid-fallback fonts-dejavu-core libreoffice-calc-nogui nodejs
# fonts-droid-fallback, fonts-dejavu-core: the CJK and Latin TrueType fonts of badge sheets.
APT_RUN      := fonts-droid-fallback fonts-dejavu-core
APT_BENCH    := zbar-tools zxing-cpp-tools
export CHROMIUM ?= /usr/bin/chromium

.DEFAULT_GOAL := help

include .ci/face.mk

.PHONY: help
help: ## show the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.PHONY: run
run: run-deps serve-build face-keys ## start punchd with the demo organisation (127.0.0.1:8080) at once; build and start facematchd beside it (127.0.0.1:8090)
	@MAKE='$(MAKE)' GO='$(GO)' DB='$(DB)' ADDR='$(ADDR)' FACE_ADDR='$(FACE_ADDR)' FACE_URL='$(FACE_URL)' \
		FACE_PUNCHD_TOKEN='$(FACE_PUNCHD_TOKEN)' FACEMATCHD_CMD='$(FACEMATCHD_LINKED)' bash .ci/make-run.sh

# run-deps installs what punchd uses at run time beyond Go: a CJK font for badge sheets.
.PHONY: run-deps
run-deps:
	@missing=""; for p in $(APT_RUN); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then echo "Badge sheets need:$$missing (sudo apt-get install -y$$missing); starting without it"; exit 0; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || echo "apt-get install$$missing failed: badge sheets will answer an error"; \
	fi

.PHONY: build
build: serve-build ## build bin/punchd, web/app.wasm and web/admin/app.wasm (with their brotli and gzip copies), the CJK web font and the console's ECharts
	./bin/punchd precompress web/app.wasm web/admin/app.wasm $(ECHARTS_JS)

# serve-build is what punchd needs to serve the kiosk; make run compresses app.wasm
# once punchd answers (punchd serves it uncompressed until then). The two builds run
# side by side: each leaves a core idle part of the time (one large package, linking).
.PHONY: serve-build
serve-build: go-check
	@$(MAKE) --no-print-directory -j2 punchd wasm font echarts

.PHONY: punchd
punchd: ## build bin/punchd
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/punchd ./server/cmd/punchd

.PHONY: wasm
wasm: ## build the kiosk PWA into web/app.wasm and the admin console into web/admin/app.wasm (each replaced only when it changed)
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags "-s -w" -o web/app.wasm.tmp ./wasm
	@if cmp -s web/app.wasm.tmp web/app.wasm; then rm web/app.wasm.tmp; else mv web/app.wasm.tmp web/app.wasm; fi
	@mkdir -p web/admin
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags "-s -w" -o web/admin/app.wasm.tmp ./wasm/console
	@if cmp -s web/admin/app.wasm.tmp web/admin/app.wasm; then rm web/admin/app.wasm.tmp; else mv web/admin/app.wasm.tmp web/admin/app.wasm; fi

# The kiosk's Chinese web font, for kiosk boxes without a CJK system font:
# Debian's Noto Sans CJK SC (fonts-noto-cjk, SIL OFL 1.1) subset by fontTools
# to printable ASCII, the kiosk's strings and GB2312 level 1 (the 3,755
# common characters; .ci/cjk-chars.py lists them), as woff2 (about 0.6 MB).
# A build output (git ignores it), rebuilt only when that character list or
# the Debian font changes. punchd serves it (kiosk/pages/font.go).
APT_FONT     := fonts-noto-cjk python3-fonttools python3-brotli
CJK_SOURCE   := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
CJK_INDEX    := 2
CJK_FONT     := web/cjk-sc.woff2
CJK_CHARS    := var/cjk-chars.txt
.PHONY: font
font: font-deps ## build the kiosk's Chinese web font subset (web/cjk-sc.woff2) if its characters or source changed
	@mkdir -p var
	@/usr/bin/python3 .ci/cjk-chars.py > $(CJK_CHARS).tmp
	@if [ -f $(CJK_FONT) ] && [ $(CJK_FONT) -nt $(CJK_SOURCE) ] && cmp -s $(CJK_CHARS).tmp $(CJK_CHARS); then rm $(CJK_CHARS).tmp; else \
		echo "subsetting $(CJK_SOURCE) into $(CJK_FONT)"; \
		/usr/bin/python3 -m fontTools.subset $(CJK_SOURCE) --font-number=$(CJK_INDEX) --text-file=$(CJK_CHARS).tmp \
			--flavor=woff2 --layout-features='' --no-hinting --desubroutinize --output-file=$(CJK_FONT).tmp && \
		mv $(CJK_FONT).tmp $(CJK_FONT) && mv $(CJK_CHARS).tmp $(CJK_CHARS) && stat -c '%s bytes %n' $(CJK_FONT); \
	fi

# The console's charts: Apache ECharts (Apache-2.0) from the npm registry,
# fetched once by `npm pack` into .cache/echarts (git ignores it), checked
# against the registry's pinned sha512 integrity, and its minified build
# (with its LICENSE and NOTICE) unpacked into web/vendor/, which punchd
# serves at /web/vendor/ (git ignores it too). Nothing is fetched at run
# time; the console loads it only where it shows charts.
ECHARTS_NPM    := echarts@6.1.0
ECHARTS_TGZ    := .cache/echarts/echarts-6.1.0.tgz
ECHARTS_SHA512 := q0yaFPggC9FUdsWH4blavRWFmxdrIodbkoKNAjJudAI6CA9gNPxHtV2RcZNEepZVlk4yvBYkOkbk6HIVpIyHZA==
ECHARTS_JS     := web/vendor/echarts.min.js
.PHONY: echarts
echarts: $(ECHARTS_JS) ## fetch Apache ECharts (npm pack, sha512-checked) into web/vendor/ for the console's dashboard

$(ECHARTS_JS): Makefile
	@mkdir -p .cache/echarts web/vendor
	@if [ ! -f $(ECHARTS_TGZ) ]; then \
		command -v npm >/dev/null || { echo "The console's charts need npm to fetch $(ECHARTS_NPM) once: apt-get install -y npm"; exit 1; }; \
		echo "npm pack $(ECHARTS_NPM)"; \
		npm pack --silent --pack-destination .cache/echarts $(ECHARTS_NPM) >/dev/null || { echo "npm pack $(ECHARTS_NPM) failed"; exit 1; }; \
	fi
	@sum=$$(node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' $(ECHARTS_TGZ)); if [ "$$sum" != "$(ECHARTS_SHA512)" ]; then \
		echo "$(ECHARTS_TGZ): sha512 $$sum, expected $(ECHARTS_SHA512); removing the download"; rm -f $(ECHARTS_TGZ); exit 1; fi
	@tar -xzf $(ECHARTS_TGZ) -C .cache/echarts package/dist/echarts.min.js package/LICENSE package/NOTICE
	@cp .cache/echarts/package/LICENSE web/vendor/echarts.LICENSE && cp .cache/echarts/package/NOTICE web/vendor/echarts.NOTICE
	@mv .cache/echarts/package/dist/echarts.min.js $@ && touch $@

# font-deps installs what the subset needs, as test-deps does (without the
# packages' recommendations: python3-fonttools recommends half of SciPy).
.PHONY: font-deps
font-deps:
	@missing=""; for p in $(APT_FONT); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then echo "Please install:$$missing (sudo apt-get install -y --no-install-recommends$$missing)"; exit 1; fi; \
		echo "installing$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null || { echo "apt-get install$$missing failed"; exit 1; }; \
	fi

.PHONY: go-check
go-check:
	@$(GO) version >/dev/null 2>&1 || { echo "Go is not installed: install Go 1.26 (https://go.dev/doc/install)"; exit 1; }

.PHONY: deps
deps: go-check ## download Go modules
	$(GO) mod download

# The Standard Webhooks reference library for JavaScript, with which the webhook
# acceptance test (server/internal/punchd, TestWebhookAcceptance) verifies every
# delivery independently of our code, and its two runtime dependencies: each
# fetched with npm pack, checked against the registry's sha512 integrity pinned
# here (npm view PKG@VERSION dist.integrity), unpacked into
# var/npm/standardwebhooks/node_modules/ where Node's require finds them.
SW_DIR := $(CURDIR)/var/npm/standardwebhooks
export PUNCHCLOCK_STANDARDWEBHOOKS ?= $(SW_DIR)
define SW_PKGS
standardwebhooks@1.1.1 standardwebhooks sha512-bCbX9ZEyFkWPsRz7Bl3NuQUJohmwGSev/yhr7vhaGPlc4AfIrspIRa6cPTBuI1ItmrTDJ4d/S2hCsfe4+vQGnQ==
@stablelib/base64@1.0.1 @stablelib/base64 sha512-1bnPQqSxSuc3Ii6MhBysoWCg58j97aUjuCSZrGSmDxNqtytIi0k8utUenAwTZN4V5mXXYGsVUI9zeBqy+jBOSQ==
fast-sha256@1.3.0 fast-sha256 sha512-n11RGP/lrWEFI/bWdygLxhI+pVeo1ZYIVwvvPkW7azl/rOy+F3HYRZ2K5zeE9mmkhQppyv9sQFx0JM9UabnpPQ==
endef
export SW_PKGS

.PHONY: standardwebhooks
standardwebhooks: $(SW_DIR)/.verified ## fetch the Standard Webhooks JavaScript library (pinned, sha512-checked) for the webhook tests

$(SW_DIR)/.verified: Makefile
	@command -v node >/dev/null && command -v npm >/dev/null || { echo "standardwebhooks: Node and npm are needed (apt-get install -y nodejs npm)"; exit 1; }
	@set -e; tmp=$(SW_DIR).tmp; rm -rf $$tmp; mkdir -p $$tmp/tgz; \
	echo "$$SW_PKGS" | while read -r spec name sri; do \
		[ -n "$$spec" ] || continue; \
		tgz=$$(cd $$tmp/tgz && npm pack --silent "$$spec" | tail -1); \
		got=$$(node -e 'process.stdout.write("sha512-"+require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$$tmp/tgz/$$tgz"); \
		[ "$$got" = "$$sri" ] || { echo "standardwebhooks: $$spec has integrity $$got, want $$sri"; exit 1; }; \
		mkdir -p "$$tmp/node_modules/$$name"; tar -xzf "$$tmp/tgz/$$tgz" -C "$$tmp/node_modules/$$name" --strip-components=1; \
	done; \
	rm -rf $$tmp/tgz $(SW_DIR); mv $$tmp $(SW_DIR); touch $@
	@echo "standardwebhooks: $(SW_DIR)"

# The ZKTeco pull-protocol npm clients the zkpull tests run against the Go
# terminal emulator (server/internal/zkpull), fetched the same way: npm pack of
# pinned versions, each tarball checked against its pinned sha512, unpacked
# into var/npm/zkclients/node_modules/. Neither has dependencies of its own
# (node-zklib lists itself, which its own folder satisfies).
ZK_DIR := $(CURDIR)/var/npm/zkclients
export PUNCHCLOCK_ZKCLIENTS ?= $(ZK_DIR)
define ZK_PKGS
zkteco-js@1.7.2 zkteco-js sha512-oTLG7tjzgxvFbIhyrnPoJNKPNz6ZI2hAx37fM4h372b9HqH7tWGkHgdEuZw92BdwETa0rwIn/TowscbkCr604Q==
node-zklib@1.3.0 node-zklib sha512-eqsg2oMKx/Jsju3PQzCennW94NUNw3YsUbXidzOzNWWOwnW/dXePIXIjhmMBpZ3QSLiltEn7Z0Gi0htZQBWBAw==
endef
export ZK_PKGS

.PHONY: zkclients
zkclients: $(ZK_DIR)/.verified ## fetch the ZKTeco pull-protocol npm clients zkteco-js and node-zklib (pinned, sha512-checked) for the zkpull tests

$(ZK_DIR)/.verified: Makefile
	@command -v node >/dev/null && command -v npm >/dev/null || { echo "zkclients: Node and npm are needed (apt-get install -y nodejs npm)"; exit 1; }
	@set -e; tmp=$(ZK_DIR).tmp; rm -rf $$tmp; mkdir -p $$tmp/tgz; \
	echo "$$ZK_PKGS" | while read -r spec name sri; do \
		[ -n "$$spec" ] || continue; \
		tgz=$$(cd $$tmp/tgz && npm pack --silent "$$spec" | tail -1); \
		got=$$(node -e 'process.stdout.write("sha512-"+require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$$tmp/tgz/$$tgz"); \
		[ "$$got" = "$$sri" ] || { echo "zkclients: $$spec has integrity $$got, want $$sri"; exit 1; }; \
		mkdir -p "$$tmp/node_modules/$$name"; tar -xzf "$$tmp/tgz/$$tgz" -C "$$tmp/node_modules/$$name" --strip-components=1; \
	done; \
	rm -rf $$tmp/tgz $(ZK_DIR); mv $$tmp $(ZK_DIR); touch $@
	@echo "zkclients: $(ZK_DIR)"

.PHONY: test-deps
test-deps: deps standardwebhooks zkclients ## install what the tests need: Chromium, wasmbrowsertest, a running PostgreSQL, the Standard Webhooks library, the ZKTeco npm clients
	@missing=""; for p in $(APT_TEST); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then echo "Please install:$$missing (sudo apt-get install -y$$missing)"; exit 1; fi; \
		echo "installing$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || { echo "apt-get install$$missing failed"; exit 1; }; \
	fi
	@[ -x $(WASMBROWSERTEST) ] || $(GO) install github.com/agnivade/wasmbrowsertest@v0.11.0
	@$(MAKE) --no-print-directory postgres

# Node tools of the tests, pinned with their checksums in .ci/npm/package-lock.json
# and installed by npm ci into .ci/npm/node_modules (ignored by git), again only
# when the lock changes: @redocly/cli, the OpenAPI linter.
NPM_TOOLS    := .ci/npm/node_modules/.installed
REDOCLY      := .ci/npm/node_modules/.bin/redocly
OPENAPI      ?= server/internal/httpapi/openapi.json
.PHONY: npm-tools
npm-tools: $(NPM_TOOLS)
$(NPM_TOOLS): .ci/npm/package.json .ci/npm/package-lock.json
	@command -v npm >/dev/null || { \
		if [ "$$(id -u)" != 0 ]; then echo "Please install Node.js 20 or later with npm (sudo apt-get install -y nodejs npm)"; exit 1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null || { echo "apt-get install nodejs npm failed"; exit 1; }; }
	cd .ci/npm && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

# The API description lints clean: Redocly's recommended rules, warnings raised to
# errors (.ci/redocly.yaml); a warning that a rule set to warn still prints fails too.
.PHONY: openapi-lint
openapi-lint: $(NPM_TOOLS) ## lint server/internal/httpapi/openapi.json with Redocly's recommended rules (.ci/redocly.yaml); any error or warning fails
	@out=$$(REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true $(REDOCLY) lint --config .ci/redocly.yaml --format=stylish $(OPENAPI) 2>&1); rc=$$?; \
	echo "$$out" | grep -v '[║╔╚]'; \
	if [ $$rc -ne 0 ] || echo "$$out" | grep -qE '^[[:space:]]*[0-9]+:[0-9]+[[:space:]]+warning'; then echo "openapi-lint: $(OPENAPI) does not lint clean"; exit 1; fi

.PHONY: postgres
postgres: ## make sure PostgreSQL answers on 127.0.0.1:5432 (installs and starts it if needed)
	@if ! command -v pg_ctlcluster >/dev/null 2>&1; then \
		if [ "$$(id -u)" != 0 ]; then echo "Please install PostgreSQL: sudo apt-get install -y postgresql"; exit 1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	fi
	@pg_isready -q -h 127.0.0.1 -p 5432 || { \
		echo "starting PostgreSQL"; \
		pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | sort -V | tail -1) main start || true; \
		for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
		pg_isready -h 127.0.0.1 -p 5432 || { echo "PostgreSQL does not answer on 127.0.0.1:5432 (trust auth for user postgres expected; or set PUNCHCLOCK_PG_ADMIN)"; exit 1; }; }

.PHONY: test
# make test installs the npm clients the pull-terminal test compares with:
# there a missing one fails the test rather than skipping it.
test test-zones: export PUNCHCLOCK_REQUIRE_NODE := 1
test: test-deps font echarts ## set up and run every test: vet, the OpenAPI linter, native tests (SQLite, PostgreSQL, Chromium), the native tests again in the other time zones, wasm tests in Chromium
	@echo "== $$(date -u +%T) vet"
	$(GO) vet ./...
	@$(MAKE) --no-print-directory openapi-lint
	GOOS=js GOARCH=wasm $(GO) vet $(WASM_PKGS) ./wasm/ ./wasm/console/ ./kiosk/pages/
	@echo "== $$(date -u +%T) native tests, in this process's zone ($$(date +%Z%z))"
	$(GO) test -count=1 -timeout 30m ./...
	@$(MAKE) --no-print-directory test-zones SKIP_PROCESS_ZONE=1
	@echo "== $$(date -u +%T) wasm tests in Chromium"
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec="$(WASMBROWSERTEST)" $(WASM_PKGS)
	@echo "== $$(date -u +%T) face tests"
	@$(MAKE) --no-print-directory face-test
	@echo "== $$(date -u +%T) done"

# Site zones come from the data, never from the machine: the native tests
# pass whatever the process's time zone. The browser packages run once
# above; their clock matrix sets each tab's zone to one of these three.
# make test has just run them in the process's zone: with SKIP_PROCESS_ZONE
# set, the zone that is the process's own (TZ, else /etc/localtime: UTC on
# a UTC machine) is not run twice.
TEST_ZONES := UTC Asia/Shanghai America/Los_Angeles
.PHONY: test-zones
test-zones: ## run the native tests (but the browser ones) with TZ set to each of $(TEST_ZONES)
	@pkgs=$$($(GO) list ./... | grep -v 'e2e'); here=$$(readlink -f /etc/localtime 2>/dev/null); here=$${TZ:-$${here#*/zoneinfo/}}; \
	for tz in $(TEST_ZONES); do \
		if [ -n "$(SKIP_PROCESS_ZONE)" ] && { [ "$$tz" = "$$here" ] || { [ "$$tz" = UTC ] && [ "$$here" = Etc/UTC ]; }; }; then \
			echo "== $$(date -u +%T) TZ=$$tz: run above, as this process's zone"; continue; fi; \
		echo "== $$(date -u +%T) TZ=$$tz"; TZ=$$tz $(GO) test -count=1 -skip '^TestChaos$$' $$pkgs || exit 1; done

# The chaos suite's long form (its short form runs in make test, once: it
# kills processes on the real clock, and no time zone changes what it checks).
CHAOS_KIOSKS  ?= 20
CHAOS_DURATION ?= 2m
CHAOS_KILLS   ?= 20
CHAOS_SEED    ?=
.PHONY: chaos
chaos: test-deps punchd ## chaos suite, long form: 20 kiosks, bin/punchd killed 20 times in 2 min on SQLite, then on PostgreSQL with two instances behind haproxy (CHAOS_SEED=n replays a run; CHAOS_KIOSKS, CHAOS_DURATION, CHAOS_KILLS)
	PUNCHCLOCK_CHAOS_BIN=$(CURDIR)/bin/punchd PUNCHCLOCK_CHAOS_KIOSKS=$(CHAOS_KIOSKS) PUNCHCLOCK_CHAOS_DURATION=$(CHAOS_DURATION) \
		PUNCHCLOCK_CHAOS_KILLS=$(CHAOS_KILLS) $(if $(CHAOS_SEED),PUNCHCLOCK_CHAOS_SEED=$(CHAOS_SEED)) \
		$(GO) test -count=1 -v -timeout 60m -run '^TestChaos$$' ./server/cmd/punchd/

.PHONY: bench-deps
bench-deps: test-deps
	@missing=""; for p in $(APT_BENCH); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then echo "Please install:$$missing (sudo apt-get install -y$$missing)"; exit 1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || { echo "apt-get install$$missing failed"; exit 1; }; \
	fi

.PHONY: bench
bench: bench-deps build ## run the benchmarks and print the figures the issues ask for (results also in var/bench-*.txt)
	@mkdir -p var
	@echo "== batch ingest vs plain batched INSERT of the same rows, alternating batch by batch (ratio-% = ingest / baseline; target >= 50)"
	@$(GO) test -run '^$$' -bench '^BenchmarkIngest$$' -benchtime 200x -count 3 ./server/internal/punch/ | tee var/bench-ingest.txt | grep -E '^Benchmark' 
	@echo; echo "== shift-change storm: 200 kiosks at once, one punch per request, without (single) and with (group) group commit, next to plain INSERTs of the same rows in batches of 100 (targets for group: ratio-% >= 25, p99/p50 <= 5)"
	@$(GO) test -run '^$$' -bench '^BenchmarkStorm$$' -benchtime 2x ./server/internal/storm/ | tee var/bench-storm.txt | grep -E '^Benchmark'
	@echo; echo "== Ed25519 verification of a punch: crypto/ed25519, then punchd's sigcheck (expanded key cached), same run"
	@$(GO) test -run '^$$' -bench '^BenchmarkVerify$$' -count 3 ./server/internal/sigcheck/ | tee var/bench-verify.txt | grep -E '^Benchmark'
	@echo; echo "== day records of 10,000 employees x 31 days through the API (paged), and of a 1,000-employee department, next to the streaming rules engine on the same data (x-engine, x-engine-cpu; target company <= 3), peak heap while answering (target < 256 MB), department api-ms (target < 1000)"
	@$(GO) test -run '^$$' -bench '^BenchmarkRecordsCompany$$' -benchtime 1x -timeout 60m ./server/internal/httpapi/ | tee var/bench-records.txt | grep -E '^Benchmark'
	@echo; echo "== the monthly attendance sheet of 10,000 employees x 31 days as CSV and XLSX, streamed (target < 10 s and < 200 MB peak heap)"
	@$(GO) test -run '^$$' -bench '^BenchmarkMonthlyExport$$' -benchtime 1x -timeout 30m ./server/internal/report/ | tee var/bench-export.txt | grep -E '^Benchmark'
	@$(GO) test -run '^$$' -bench '^BenchmarkDashboard$$' -benchtime 1x -timeout 30m ./server/internal/stats/ | tee var/bench-dashboard.txt | grep -E '^Benchmark'
	@echo; echo "== punchd's peak RSS (VmHWM, its own process, a fresh one per query) answering each kind of records query for the 10,000-employee company's month (target < 256 MB whatever the query)"
	@$(GO) test -run '^$$' -bench '^BenchmarkRecordsRSS$$' -benchtime 1x -timeout 30m ./server/cmd/punchd/ | tee var/bench-records-rss.txt | grep -E '^Benchmark'
	@echo; echo "== backup (VACUUM INTO) and verification of every punch signature and chain"
	@$(GO) test -run '^$$' -bench '^BenchmarkBackup$$' -benchtime 1x ./server/internal/backup/ | tee var/bench-backup.txt | grep -E '^Benchmark'
	@echo; echo "== rules engine: 10,000 employees x 31 days streamed (target < 100 MB allocated, < 0.5 s) and materialised, and a month's recompute after a rule change"
	@$(GO) test -run '^$$' -bench . -benchtime 3x ./app/rules/ | tee var/bench-rules.txt | grep -E '^Benchmark'
	@echo; $(MAKE) --no-print-directory bench-scan
	@echo; echo "== kiosk scan path, natively: badge lookup + provisional in/out hint with 10,000 employees, before (store listed per scan) and after (outbox indexes), same run"
	@$(GO) test -run '^$$' -bench '^BenchmarkScanHint$$' -benchtime 50x ./kiosk/pages/ | tee var/bench-hint.txt | grep -E '^Benchmark'
	@echo; echo "== kiosk in Chromium: cold load and service-worker reload to a running app, decoded badge to confirmation on screen"
	@$(GO) test -run '^$$' -bench 'KioskLoad|DecodeToConfirmation$$' -benchtime 16x ./server/internal/kioske2e/ | tee var/bench-kiosk.txt | grep -E '^Benchmark'
	@echo; echo "== kiosk in Chromium on a busy day: decoded badge to confirmation with 10,000 employees and 4,000 punches stored today (target: ms-worst < 150)"
	@$(GO) test -run '^$$' -bench '^BenchmarkDecodeToConfirmationBusy$$' -benchtime 1x -timeout 40m ./server/internal/kioske2e/ | tee var/bench-kiosk-busy.txt | grep -E '^Benchmark'
	@echo; echo "== web/app.wasm (kiosk) and web/admin/app.wasm (console) sizes (bytes): raw, gzip, brotli (target: the kiosk's brotli <= 2.5 MB)"
	@stat -c '%s %n' web/app.wasm web/app.wasm.gz web/app.wasm.br web/admin/app.wasm web/admin/app.wasm.gz web/admin/app.wasm.br | tee var/bench-wasm-size.txt
	@echo; echo "== face matching: latency per 640x480 frame, extraction per face, 1:N search"
	@$(MAKE) --no-print-directory face-bench 2>&1 | tee var/bench-face.txt | grep -E '^Benchmark|^ok|^FAIL'

# The badge corpus (testdata/scan/corpus.json) through our decoder, natively
# and as wasm in Chromium, and through ZXingReader and zbarimg.
.PHONY: bench-scan
bench-scan: bench-deps ## badge decoding on the corpus (testdata/scan): ours natively and in Chromium (wasm), next to ZXingReader and zbarimg (results in var/bench-scan*.txt, var/bench-peers.txt)
	@mkdir -p var
	@echo "== badge decode per 640x480 frame, the corpus and single frames: native, then wasm inside Chromium (target: corpus median-ms/frame <= 5 in wasm)"
	@$(GO) test -run '^$$' -bench Decode640x480 -count 3 ./kiosk/scan/ | tee var/bench-scan.txt | grep -E '^Benchmark'
	@$(GO) test -run '^$$' -bench Corpus -benchtime 3x ./kiosk/scan/ | tee -a var/bench-scan.txt | grep -E '^Benchmark'
	@GOOS=js GOARCH=wasm $(GO) test -exec="$(WASMBROWSERTEST)" -run '^$$' -bench Decode640x480 -count 3 ./kiosk/scan/ 2>/dev/null | tee var/bench-scan-wasm.txt | grep -E '^Benchmark'
	@GOOS=js GOARCH=wasm $(GO) test -exec="$(WASMBROWSERTEST)" -run '^$$' -bench Corpus -benchtime 5x -timeout 30m ./kiosk/scan/ 2>/dev/null | tee -a var/bench-scan-wasm.txt | grep -E '^Benchmark'
	@echo; echo "== badge decode on the corpus next to ZXingReader and zbarimg (targets: ours reads at least their union, nothing from a frame without a code)"
	@set -o pipefail; $(GO) run ./kiosk/scan/internal/peerbench -reps 3 | tee var/bench-peers.txt

.PHONY: clean
clean: ## remove build outputs (keeps var/ with the demo database)
	rm -rf bin web/app.wasm web/app.wasm.gz web/app.wasm.br web/app.wasm.tmp web/admin web/vendor $(CJK_FONT) $(CJK_FONT).tmp
