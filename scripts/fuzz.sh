#!/usr/bin/env bash
# Runs every Go fuzz target of the packages below for SECONDS each (default 20).
#   scripts/fuzz.sh [SECONDS]
# A target that finds a failing input fails the run; go test writes the input to <package>/testdata/fuzz/<Target>/
# (commit it with the fix: `go test` then replays it for ever). The packages are every one with a `func Fuzz` in a
# test file; FUZZ_PACKAGES overrides the list. Minimizing a new input is capped at FUZZ_MINIMIZE_TIME (default 5s,
# Go's is 60s): with a 20 s budget, minimizing the JSON bodies would otherwise take most of the run.
#
# The explored corpus (inputs that found new coverage, in $(go env GOCACHE)/fuzz/<import path>/<Target>/) is lost
# with the build cache. Set FUZZ_CACHE_DIR to a directory the CI keeps between runs: each target is seeded from
# $FUZZ_CACHE_DIR/<import path>/<Target>/ before it runs, and the inputs it found are copied back after, so every run
# starts where the last one stopped (and the time per target stays the same).
#
# Go 1.26's fuzz coordinator can end a clean run with a bare "context deadline exceeded" at the -fuzztime boundary
# on a loaded machine (golang/go#75804, fixed in Go 1.27). Such a run wrote no failing input: it is retried once,
# then reported as a flake without failing the run.
set -uo pipefail

seconds=${1:-20}
cd "$(dirname "$0")/.."
packages=${FUZZ_PACKAGES:-$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -r -n1 dirname | sort -u)}

failed=() flaked=() summary=()

# corpus lists the failing inputs go test has written for a target.
corpus() { find "$1/testdata/fuzz/$2" -type f 2>/dev/null | sort; }

gocache_fuzz="$(go env GOCACHE)/fuzz"

# cache_dirs PKG TARGET: prints "<FUZZ_CACHE_DIR entry> <go's cache entry>" for a target.
cache_dirs() {
	local importpath
	importpath=$(go list "$1") || return 1
	echo "$FUZZ_CACHE_DIR/$importpath/$2" "$gocache_fuzz/$importpath/$2"
}

# seed_cache PKG TARGET: copies the kept corpus into go's cache (inputs already there are left alone).
seed_cache() {
	[ -n "${FUZZ_CACHE_DIR:-}" ] || return 0
	local kept gocache
	read -r kept gocache < <(cache_dirs "$1" "$2") || return 0
	[ -d "$kept" ] || return 0
	mkdir -p "$gocache" && cp -n "$kept"/* "$gocache"/ 2>/dev/null
	return 0
}

# keep_cache PKG TARGET: copies what the run found back to FUZZ_CACHE_DIR and says how many inputs were new.
keep_cache() {
	[ -n "${FUZZ_CACHE_DIR:-}" ] || return 0
	local kept gocache before after
	read -r kept gocache < <(cache_dirs "$1" "$2") || return 0
	[ -d "$gocache" ] || return 0
	mkdir -p "$kept"
	before=$(find "$kept" -type f | wc -l)
	cp -n "$gocache"/* "$kept"/ 2>/dev/null
	after=$(find "$kept" -type f | wc -l)
	echo "fuzz: $2: corpus kept in $kept ($after inputs, $((after - before)) new)"
}

# run_target PKG TARGET: 0 ok, 1 failure, 2 deadline flake.
run_target() {
	local pkg=$1 target=$2 before after log status
	before=$(corpus "$pkg" "$target")
	seed_cache "$pkg" "$target"
	log=$(mktemp)
	go test -run '^$' -fuzz "^${target}\$" -fuzztime "${seconds}s" -fuzzminimizetime "${FUZZ_MINIMIZE_TIME:-5s}" \
		-timeout "$((seconds + 300))s" "$pkg" >"$log" 2>&1
	status=$?
	keep_cache "$pkg" "$target"
	after=$(corpus "$pkg" "$target")
	execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	if [ "$status" -ne 0 ]; then
		if [ "$before" = "$after" ] && grep -q '^    context deadline exceeded$' "$log"; then
			rm -f "$log"
			return 2
		fi
		cat "$log" >&2
		rm -f "$log"
		return 1
	fi
	rm -f "$log"
	return 0
}

for pkg in $packages; do
	targets=$(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true)
	for target in $targets; do
		echo "fuzz: $pkg $target (${seconds}s)"
		run_target "$pkg" "$target"
		rc=$?
		if [ "$rc" -eq 2 ]; then
			echo "fuzz: $target: coordinator deadline flake (no failing input); retrying once"
			run_target "$pkg" "$target"
			rc=$?
		fi
		case $rc in
		0) summary+=("ok      $pkg $target ${execs:-?} execs") ;;
		2) summary+=("flake   $pkg $target ${execs:-?} execs") flaked+=("$target") ;;
		*) summary+=("FAIL    $pkg $target") failed+=("$target") ;;
		esac
	done
done

printf '%s\n' "${summary[@]}"
[ ${#flaked[@]} -eq 0 ] || echo "fuzz: deadline flakes (golang/go#75804, not failures): ${flaked[*]}"
if [ ${#failed[@]} -ne 0 ]; then
	echo "fuzz: FAILED: ${failed[*]}" >&2
	exit 1
fi
echo "fuzz: all targets passed"
