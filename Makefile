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
WASM_PKGS    := ./app/... ./kiosk/outbox/... ./kiosk/syncer/... ./kiosk/scan/ ./kiosk/rotate/...
APT_TEST     := chromium chromium-driver
export CHROMIUM ?= /usr/bin/chromium

.DEFAULT_GOAL := help

.PHONY: help
help: ## show the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.PHONY: run
run: build ## set up and start punchd with the demo organisation on $(ADDR)
	@mkdir -p $(dir $(DB))
	./bin/punchd -db $(DB) serve -demo -addr $(ADDR) -web web

.PHONY: build
build: deps wasm ## build bin/punchd and web/app.wasm
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/punchd ./server/cmd/punchd

.PHONY: wasm
wasm: ## build the kiosk PWA into web/app.wasm
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags "-s -w" -o web/app.wasm ./wasm

.PHONY: deps
deps: ## download Go modules
	@$(GO) version >/dev/null 2>&1 || { echo "Go is not installed: install Go 1.26 (https://go.dev/doc/install)"; exit 1; }
	$(GO) mod download

.PHONY: test-deps
test-deps: deps ## install what the tests need: Chromium, wasmbrowsertest, a running PostgreSQL
	@missing=""; for p in $(APT_TEST); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then echo "Please install:$$missing (sudo apt-get install -y$$missing)"; exit 1; fi; \
		echo "installing$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || { echo "apt-get install$$missing failed"; exit 1; }; \
	fi
	@[ -x $(WASMBROWSERTEST) ] || $(GO) install github.com/agnivade/wasmbrowsertest@v0.11.0
	@$(MAKE) --no-print-directory postgres

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
test: test-deps ## set up and run every test: vet, native tests (SQLite, PostgreSQL, Chromium), wasm tests in Chromium
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet $(WASM_PKGS) ./wasm/ ./kiosk/pages/
	$(GO) test -count=1 ./...
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec="$(WASMBROWSERTEST)" $(WASM_PKGS)

.PHONY: bench
bench: test-deps ## run the benchmarks and print the figures the issues ask for
	@echo "== batch ingest vs plain batched INSERT (punches/s; ratio = ingest / baseline)"
	@mkdir -p var
	@$(GO) test -run '^$$' -bench '^BenchmarkIngest$$' -benchtime 200x -count 3 ./server/internal/punch/ | tee var/bench-ingest.txt | awk -f .ci/benchratio.awk

.PHONY: clean
clean: ## remove build outputs (keeps var/ with the demo database)
	rm -rf bin web/app.wasm web/app.wasm.gz web/app.wasm.br
