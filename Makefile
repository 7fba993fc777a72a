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
# Builds and tests leave the checkout's path out of what they compile, so a
# fresh clone reuses the Go build cache of any other checkout of the same
# code (a CI runner's cache, a developer's earlier build): ~60 s of CPU for
# the tests' compiles, more under -race. RepoRoot and the deploy tests find
# the repository from the working directory for this reason.
export GOFLAGS := -trimpath $(GOFLAGS)
BIN        := bin/downlink
VERSION    ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT     ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
LDFLAGS    := -s -w -X github.com/downlink/downlink/api/internal/buildinfo.Version=$(VERSION) \
              -X github.com/downlink/downlink/api/internal/buildinfo.Commit=$(COMMIT)
# -ldflags=-w: test binaries without DWARF (stack traces do not need it)
# link in two thirds of the CPU; CI links ~80 of them.
GOTESTFLAGS ?= -count=1 -timeout 40m -ldflags=-w
# The race detector runs once, on the SQLite pass: it finds races in our
# code whichever database is under it. The Postgres pass is there for SQL
# dialect differences and runs without it (2-10x faster). See
# docs/development.md, "How long the tests take".
RACEFLAGS  ?= -race
# test runs TEST_JOBS of its stages at once (1: one after another).
TEST_JOBS  ?= 5
FUZZTIME   ?= 20s
# Go minimizes each new interesting input for up to 60s by default, which
# can eat a short run whole (0 execs/sec while it does).
FUZZMINTIME ?= 2s
# Each test stage prints the CPU it used and its wall time (timed), and
# when it ended counted from the start of make test (stage_done), so a CI
# log shows where the time went.
T0         := $(shell date +%s)
timed      = TIMEFORMAT='== $@: %Us user + %Ss sys CPU, %Rs wall'; time
# The race pass is the longest stage and was the last to end; the others
# run at a lower CPU priority beside it, so it is not the one that waits
# (they mostly wait on yt-dlp, killed nodes and Postgres anyway). Not the
# browser journey: it starts late (after the build) and would end last.
beside     = nice -n 5
stage_done = @echo "== $@ finished $$(( $$(date +%s) - $(T0) ))s after the start"

.PHONY: all run build ui ui-deps deps spec test test-go test-go-sqlite test-go-postgres test-go-postgres-crash \
        test-ui test-e2e test-stages test-go-sqlite-race test-go-sqlite-e2e test-race screenshots vet fuzz bench clean

all: build

## deps: install system dependencies (yt-dlp, ffmpeg, Postgres binaries, Chromium)
deps:
	@./deploy/install-deps.sh

## ui-deps: install the SPA's npm packages (from npm's cache when it
## holds them: --prefer-offline skips re-asking the registry about each)
ui-deps: frontend/node_modules/.package-lock.json
frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --prefer-offline
	@touch $@

## ui: build the SPA into frontend/dist (embedded in the binary)
ui: ui-deps
	cd frontend && npm run build

## spec: refresh the embedded copy of openapi.yaml (only when it is older:
## a rewrite while another lane compiles could be read half-written)
spec: api/internal/apispec/openapi.yaml
api/internal/apispec/openapi.yaml: openapi.yaml
	$(GO) generate ./api/internal/apispec

## build: the UI and the binary
build: ui spec
	$(build_bin)

build_bin = $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./api/cmd/downlink

## run: build everything and start the server with zero config
run: deps build
	./$(BIN) serve

## test: every test. After installing what is missing and refreshing the
## spec, the stages below run side by side, TEST_JOBS at a time, in the
## order test-stages lists them, longest first: the SPA's npm packages
## (mostly download and unpacking, so it overlaps the Go stages instead of
## delaying the browser and SPA stages), the Go tests on SQLite under
## -race, the Go tests on Postgres, the browser journey (its build starts
## as soon as the npm packages are in), the end-to-end suites on SQLite,
## the crash tests on Postgres, then the SPA's checks and unit tests, and
## vet. Within a stage the longest packages start first
## (.ci/longest-first.sh). Five stages share the CI machine's two cores because the
## end-to-end and crash suites spend most of their time waiting on yt-dlp,
## slow media and killed nodes. TEST_JOBS=1 runs them one after another.
test: deps spec
	@$(MAKE) --no-print-directory -j$(TEST_JOBS) --output-sync=line test-stages

test-stages: ui-deps test-go-sqlite-race test-go-postgres test-e2e test-go-sqlite-e2e test-go-postgres-crash test-ui vet

## vet: go vet and staticcheck (pinned in go.mod's tool block; zero findings)
vet:
	$(timed) $(beside) sh -c '$(GO) vet ./... && $(GO) tool staticcheck ./...'
	$(stage_done)

test-go: test-go-sqlite test-go-postgres test-go-postgres-crash

# E2E are the end-to-end suites: real servers, real yt-dlp, killed nodes.
# The SQLite pass runs them without the race detector: crashtest and
# clustertest drive a downlink binary built without it (-race would
# instrument only their harness), and httpapi's concurrency lives in the
# packages that run under it (the engine harness in downloads, events,
# queue, proc, netguard, apikeys, auth, webhooks...); under -race httpapi
# alone took 27 minutes on the CI's 2 cores. Their tests mostly wait, so
# E2E_PARALLEL of them run at once (go test's default is one per core).
# `make test-race` runs everything under it.
E2E := ./api/internal/httpapi ./api/internal/crashtest ./api/internal/clustertest
E2E_PKGS := $(foreach p,$(E2E),github.com/downlink/downlink/$(patsubst ./%,%,$(p)))
E2E_PARALLEL ?= 4
# The Postgres pass ended last: once the race pass is done, httpapi's
# tests on Postgres are most of what is left, waiting on yt-dlp and timers
# with a core to spare, so more of them run at once. Each test's store
# keeps at most 5 connections (storetest); 8 at once with 10 each passed
# a default server's 100 connections, 6 with 5 each peaked at 96 beside
# the crash tests, 5 leaves room.
PG_PARALLEL ?= 5

test-go-sqlite: test-go-sqlite-race test-go-sqlite-e2e

test-go-sqlite-race:
	$(timed) env TEST_DB=sqlite $(GO) test $(RACEFLAGS) $(GOTESTFLAGS) $$($(GO) list ./... | grep -v -F -x $(foreach p,$(E2E_PKGS),-e $(p)) | ./.ci/longest-first.sh)
	$(stage_done)

test-go-sqlite-e2e:
	$(timed) $(beside) env TEST_DB=sqlite $(GO) test $(GOTESTFLAGS) -parallel $(E2E_PARALLEL) $(E2E)
	$(stage_done)

## test-race: every Go test on SQLite under the race detector (slow: ~30 min on 2 cores)
test-race:
	TEST_DB=sqlite $(GO) test -race $(GOTESTFLAGS) ./...

# The packages whose tests use the database run again on Postgres; the
# others do not depend on it (.ci/db-packages.sh). No -race here: the
# SQLite pass has it.
test-go-postgres:
	$(timed) $(beside) ./.ci/with-postgres.sh env TEST_DB=postgres $(GO) test $(GOTESTFLAGS) -parallel $(PG_PARALLEL) $$(./.ci/db-packages.sh | grep -v -x -F github.com/downlink/downlink/api/internal/crashtest | ./.ci/longest-first.sh)
	$(stage_done)

# The crash tests on Postgres (about 3 minutes, mostly waiting on killed and
# restarted nodes) are a stage of their own.
test-go-postgres-crash:
	$(timed) $(beside) ./.ci/with-postgres.sh env TEST_DB=postgres $(GO) test $(GOTESTFLAGS) -parallel $(E2E_PARALLEL) ./api/internal/crashtest
	$(stage_done)

# The type check comes last: tsc -b is incremental (tsbuildinfo in
# node_modules/.tmp), so when the UI build beside this stage (make test
# builds it for the browser journey) has checked the same sources, it
# finds them up to date instead of checking them again (~16 CPU-s).
test-ui: ui-deps
	$(timed) $(beside) sh -c 'cd frontend && npm run lint:api && npm run check:api && npm run check:clients && npm test && npm run typecheck'
	$(stage_done)

## test-e2e: the browser journey against the real server (builds both)
# The UI, the binary and the journey are one recipe, so one make job slot
# carries them through: as separate targets (build: ui), the binary's
# build waited for a free slot after the UI's, behind stages that hold
# theirs for minutes, and the journey started at ~360 s of a ~490 s run.
test-e2e: ui-deps spec
	cd frontend && npm run build
	$(build_bin)
	$(timed) { cd frontend && E2E_SCREENSHOTS=0 DOWNLINK_BIN=$(CURDIR)/$(BIN) npm run e2e; }
	$(stage_done)

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
