#!/usr/bin/env bash
# Runs every Go fuzz target of the packages below for SECONDS each (default 20).
#   scripts/fuzz.sh [SECONDS]
# A target that finds a failing input fails the run; go test writes the input to <package>/testdata/fuzz/<Target>/
# (commit it with the fix: `go test` then replays it for ever). The packages are every one with a `func Fuzz` in a
# test file; FUZZ_PACKAGES overrides the list. Minimizing a new input is capped at FUZZ_MINIMIZE_TIME (default 5s,
# Go's is 60s): with a 20 s budget, minimizing the JSON bodies would otherwise take most of the run.
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

# run_target PKG TARGET: 0 ok, 1 failure, 2 deadline flake.
run_target() {
	local pkg=$1 target=$2 before after log status
	before=$(corpus "$pkg" "$target")
	log=$(mktemp)
	go test -run '^$' -fuzz "^${target}\$" -fuzztime "${seconds}s" -fuzzminimizetime "${FUZZ_MINIMIZE_TIME:-5s}" \
		-timeout "$((seconds + 300))s" "$pkg" >"$log" 2>&1
	status=$?
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
