# sfu-cluster — the README's two commands are `make dev` and `make test`.
GO        ?= go
# Every package but the browser tests, which run afterwards on their own (see test-go).
TEST_PKGS ?= $(shell $(GO) list ./... | grep -v '/tests/browser$$')
BROWSER_PKGS ?= ./tests/browser
TEST_FLAGS ?= -race -count=1 -timeout 20m
# make build: static binaries (no cgo) stamped with the version and commit (`-version`, metric build_info).
BIN_DIR  ?= bin
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS  := -s -w -X github.com/sfu-cluster/sfu-cluster/bootstrap.Version=$(VERSION) \
	-X github.com/sfu-cluster/sfu-cluster/bootstrap.Commit=$(COMMIT)
BINARIES := master slave cluster loadtest
IMAGE    ?= sfu-cluster:$(VERSION)

.PHONY: help dev build image test test-go test-unit test-allocs lint vet bench start-master start-slave-producer start-slave-consumer

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-22s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

dev: ## run master + both slaves + the demo on https://localhost:4430 in one process (SQLite, dev secret)
	@echo "== make dev: compiling ./cmd/cluster into $(BIN_DIR)/dev-cluster (the first build fetches modules and takes a minute or two)"
	@mkdir -p $(BIN_DIR) && start=$$(date +%s) && $(GO) build -o $(BIN_DIR)/dev-cluster ./cmd/cluster && \
		echo "== compiled in $$(( $$(date +%s) - start )) s"
	@exec $(BIN_DIR)/dev-cluster

build: ## static binaries with version and commit into bin/ (BIN_DIR; master, slave, cluster, loadtest)
	@mkdir -p $(BIN_DIR)
	@for b in $(BINARIES); do \
		echo "go build $(BIN_DIR)/$$b ($(VERSION), commit $(COMMIT))"; \
		CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN_DIR)/$$b ./cmd/$$b || exit 1; \
	done

image: build ## the FROM scratch container image of those binaries (podman build -f Containerfile)
	podman build -f Containerfile -t $(IMAGE) --build-arg BIN_DIR=$(BIN_DIR) .

# Every test, with a throwaway PostgreSQL when the machine has initdb/pg_ctl (CI sets REQUIRE_POSTGRES=1 so the
# PostgreSQL suites fail instead of skipping), then the allocation tests that only build without -race.
test: vet test-allocs ## every test (go vet, allocation tests, -race suites with a throwaway PostgreSQL, browser tests)
	@echo "== make test: every package with -race, then the browser tests alone (several minutes)."
	@echo "   It may install: tests/browser's npm packages (playwright-core, mediasoup-client) on first run, and, as"
	@echo "   root, a 'postgres' system user for the throwaway PostgreSQL (it refuses to run as root)."
	@if command -v initdb >/dev/null 2>&1 || [ -x /usr/lib/postgresql/15/bin/initdb ]; then \
		scripts/test-postgres.sh $(MAKE) --no-print-directory test-go; \
	else \
		echo "initdb not found: PostgreSQL suites will skip"; \
		$(MAKE) --no-print-directory test-go; \
	fi

# The Go tests: every package but the browser tests, then the browser tests alone. Chromium's own bandwidth
# estimate (which decides whether a publisher sends its top simulcast layer) falls when other packages' tests
# starve the CPU, and network namespaces made by other packages' tests make it report network changes.
test-go: ## the Go tests only (every package, then the browser tests alone)
	$(GO) test $(TEST_FLAGS) $(TEST_PKGS)
	$(if $(BROWSER_PKGS),$(GO) test $(TEST_FLAGS) $(BROWSER_PKGS))

# Tests without PostgreSQL (memory and SQLite stores only).
test-unit: vet ## tests without PostgreSQL (memory and SQLite stores)
	$(GO) test $(TEST_FLAGS) $(TEST_PKGS)

# The per-packet path allocates nothing: testing.AllocsPerRun tests, without -race (its sync.Pool drops and
# instrumentation allocate; those files are //go:build !race).
test-allocs: ## the per-packet path allocates nothing (AllocsPerRun, without -race)
	$(GO) test -count=1 -run 'AllocatesNothing' ./adapters/sfu/...

vet: ## go vet ./...
	$(GO) vet ./...

lint: ## golangci-lint run ./...
	golangci-lint run ./...

bench: ## the SFU's benchmarks
	$(GO) test -run '^$$' -bench . -benchmem ./adapters/sfu/...

# The original's three processes, separately (copy .env.example to .env first).
start-master: ## go run ./cmd/master with ./.env
	$(GO) run ./cmd/master

start-slave-producer: ## a producer slave on port 3011 with ./.env
	SLAVE_ROLE=producer PORT=3011 $(GO) run ./cmd/slave

start-slave-consumer: ## a consumer slave on port 3012 with ./.env
	SLAVE_ROLE=consumer PORT=3012 $(GO) run ./cmd/slave
