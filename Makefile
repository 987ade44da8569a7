# sfu-cluster — the README's two commands are `make dev` and `make test`.
GO        ?= go
# Every package but the browser tests, which run afterwards on their own (see test-go).
TEST_PKGS ?= $(shell $(GO) list ./... | grep -v '/tests/browser$$')
BROWSER_PKGS ?= ./tests/browser
TEST_FLAGS ?= -race -count=1 -timeout 20m

.PHONY: dev test test-go test-unit test-allocs lint vet bench start-master start-slave-producer start-slave-consumer

# One process: master + producer slave + consumer slave on the embedded SQLite store, demo on https://localhost:4430.
dev:
	$(GO) run ./cmd/cluster

# Every test, with a throwaway PostgreSQL when the machine has initdb/pg_ctl (CI sets REQUIRE_POSTGRES=1 so the
# PostgreSQL suites fail instead of skipping), then the allocation tests that only build without -race.
test: vet test-allocs
	@if command -v initdb >/dev/null 2>&1 || [ -x /usr/lib/postgresql/15/bin/initdb ]; then \
		scripts/test-postgres.sh $(MAKE) --no-print-directory test-go; \
	else \
		echo "initdb not found: PostgreSQL suites will skip"; \
		$(MAKE) --no-print-directory test-go; \
	fi

# The Go tests: every package but the browser tests, then the browser tests alone. Chromium's own bandwidth
# estimate (which decides whether a publisher sends its top simulcast layer) falls when other packages' tests
# starve the CPU, and network namespaces made by other packages' tests make it report network changes.
test-go:
	$(GO) test $(TEST_FLAGS) $(TEST_PKGS)
	$(if $(BROWSER_PKGS),$(GO) test $(TEST_FLAGS) $(BROWSER_PKGS))

# Tests without PostgreSQL (memory and SQLite stores only).
test-unit: vet
	$(GO) test $(TEST_FLAGS) $(TEST_PKGS)

# The per-packet path allocates nothing: testing.AllocsPerRun tests, without -race (its sync.Pool drops and
# instrumentation allocate; those files are //go:build !race).
test-allocs:
	$(GO) test -count=1 -run 'AllocatesNothing' ./adapters/sfu/...

vet:
	$(GO) vet ./...

lint:
	golangci-lint run ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./adapters/sfu/...

# The original's three processes, separately (copy .env.example to .env first).
start-master:
	$(GO) run ./cmd/master

start-slave-producer:
	SLAVE_ROLE=producer PORT=3011 $(GO) run ./cmd/slave

start-slave-consumer:
	SLAVE_ROLE=consumer PORT=3012 $(GO) run ./cmd/slave
