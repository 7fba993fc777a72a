# Downlink — build, run and test.
#
#   make run    build the UI and the binary, start `downlink serve` (zero config)
#   make test   every test: Go on SQLite and on Postgres, the SPA's checks and
#               unit tests, and the browser end-to-end journey
#
# Both install what is missing first (deploy/install-deps.sh, as root on
# Debian; elsewhere it prints what to install).

SHELL      := /bin/bash
GO         ?= go
BIN        := bin/downlink
VERSION    ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT     ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
LDFLAGS    := -s -w -X github.com/downlink/downlink/api/internal/buildinfo.Version=$(VERSION) \
              -X github.com/downlink/downlink/api/internal/buildinfo.Commit=$(COMMIT)
GOTESTFLAGS ?= -race -count=1 -timeout 40m
FUZZTIME   ?= 20s
# Go minimizes each new interesting input for up to 60s by default, which
# can eat a short run whole (0 execs/sec while it does).
FUZZMINTIME ?= 2s

.PHONY: all run build ui ui-deps deps spec test test-go test-go-sqlite test-go-postgres \
        test-ui test-e2e screenshots vet fuzz bench clean

all: build

## deps: install system dependencies (yt-dlp, ffmpeg, Postgres binaries, Chromium)
deps:
	@./deploy/install-deps.sh

## ui-deps: install the SPA's npm packages
ui-deps: frontend/node_modules/.package-lock.json
frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

## ui: build the SPA into frontend/dist (embedded in the binary)
ui: ui-deps
	cd frontend && npm run build

## spec: refresh the embedded copy of openapi.yaml
spec:
	$(GO) generate ./api/internal/apispec

## build: the UI and the binary
build: ui spec
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./api/cmd/downlink

## run: build everything and start the server with zero config
run: deps build
	./$(BIN) serve

## test: every test
test: deps spec vet test-go test-ui test-e2e

vet:
	$(GO) vet ./...

test-go: test-go-sqlite test-go-postgres

test-go-sqlite:
	TEST_DB=sqlite $(GO) test $(GOTESTFLAGS) ./...

# The packages whose tests use the database run again on Postgres; the
# others do not depend on it (.ci/db-packages.sh).
test-go-postgres:
	./.ci/with-postgres.sh env TEST_DB=postgres $(GO) test $(GOTESTFLAGS) $$(./.ci/db-packages.sh)

test-ui: ui-deps
	cd frontend && npm run check:api && npm run typecheck && npm test

## test-e2e: the browser journey against the real server (builds both)
test-e2e: build
	cd frontend && E2E_SCREENSHOTS=0 DOWNLINK_BIN=$(CURDIR)/$(BIN) npm run e2e

## screenshots: run the journey and refresh docs/screenshots
screenshots: build
	cd frontend && DOWNLINK_BIN=$(CURDIR)/$(BIN) npm run e2e

## fuzz: run every fuzz target for FUZZTIME each
fuzz:
	@set -e; for pkg in $$($(GO) list ./api/...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINTIME) $$pkg; \
	  done; \
	done

## bench: Go micro-benchmarks
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./api/...

clean:
	rm -rf bin frontend/dist/assets frontend/dist/index.html
