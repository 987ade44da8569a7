#!/usr/bin/env bash
# Benchmarks the master's public API with wrk, as the performance issue does: one room holding 10 producer peers
# with one (audio) producer each, then
#   GET /rooms/:roomId/producer_peers   goal ≥ 10,000 req/s  (the original: ~5,000 on producer_transports)
#   GET /rooms                          goal ≥ 19,000 req/s  (the original: ~9,600)
# both with p99 < 10 ms and no errors, at wrk -t2 -c50 -d15s --latency on loopback.
#
#   scripts/bench-api.sh [MASTER_URL]        default http://127.0.0.1:3010
#
# The caller starts the cluster (slaves must be registered: the room is seeded through the API by real WebRTC
# publishers, `go run ./cmd/loadtest -seed-only`, which hold their producers until the benchmark ends):
#   SQLite (default):  CLUSTER_SECRET=bench-api-cluster-secret LOG_LEVEL=warn go run ./cmd/cluster &
#   PostgreSQL:        eval "$(scripts/test-postgres.sh)"      # prints export TEST_DATABASE_URL=... and, on
#                                                             # stderr, the command that stops it
#                      CLUSTER_SECRET=bench-api-cluster-secret DATABASE_URL="$TEST_DATABASE_URL" LOG_LEVEL=warn go run ./cmd/cluster &
# then run this script with the same CLUSTER_SECRET (the seeder reads GET /slaves). LOG_LEVEL=warn keeps request
# logging from measuring the terminal.
#
# To see where the time goes, start the cluster with PPROF_ADDR=127.0.0.1:6060 too and, during a run:
#   go tool pprof -top 'http://127.0.0.1:6060/debug/pprof/profile?seconds=10'
# (the all-in-one cluster is one process: the profile includes the slaves). Figures: docs/BENCHMARKS.md.
#
# Environment: PRODUCERS (10), THREADS (2), CONNECTIONS (50), DURATION (15s), WARMUP (3s, 0 to skip),
# ALIASES=1 also benchmarks the v4 alias GET /rooms/:roomId/producer_transports (the original's URL).
# Exit status: 0 when every goal is met, 1 when one is missed, 2 when the benchmark could not run.
set -euo pipefail

master=${1:-${MASTER_URL:-http://127.0.0.1:3010}}
master=${master%/}
producers=${PRODUCERS:-10}
threads=${THREADS:-2}
connections=${CONNECTIONS:-50}
duration=${DURATION:-15s}
warmup=${WARMUP:-3s}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() { echo "bench-api: $*" >&2; exit 2; }

if ! command -v wrk >/dev/null; then
	echo "bench-api: installing wrk" >&2
	sudo=()
	[ "$(id -u)" = 0 ] || sudo=(sudo)
	"${sudo[@]}" apt-get install -y wrk >/dev/null || die "wrk is missing and apt-get install wrk failed"
fi
command -v curl >/dev/null || die "curl is needed"
curl -fsS -o /dev/null "$master/rooms" || die "no master answers at $master/rooms (start the cluster first)"

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-api.XXXXXX")
seed_pid=
finish() {
	if [ -n "$seed_pid" ] && kill -0 "$seed_pid" 2>/dev/null; then
		# SIGINT: the seeder logs its users out and deletes the room.
		kill -INT "$seed_pid" 2>/dev/null || true
		wait "$seed_pid" 2>/dev/null || true
		grep -h '^loadtest: cleanup' "$work/seed.err" >&2 || true
	fi
	rm -rf "$work"
}
trap finish EXIT
trap 'exit 130' INT TERM

# Build first rather than `go run`: the seeder must receive our SIGINT itself to clean up.
(cd "$repo" && go build -o "$work/loadtest" ./cmd/loadtest) || die "go build ./cmd/loadtest failed"
# Audio only, at a low packet rate: the producers must exist and stay alive; their media is not what is measured.
"$work/loadtest" -master "$master" -seed-only -publishers "$producers" -video=false -audio-pps 10 -progress 0 \
	>"$work/seed.out" 2>"$work/seed.err" &
seed_pid=$!
room=
for _ in $(seq 1 600); do
	room=$(sed -n 's/^SEED room_id=\([^ ]*\).*/\1/p' "$work/seed.out")
	[ -n "$room" ] && break
	kill -0 "$seed_pid" 2>/dev/null || { cat "$work/seed.err" >&2; die "seeding failed"; }
	sleep 0.1
done
[ -n "$room" ] || { cat "$work/seed.err" >&2; die "seeding took more than 60 s"; }
echo "bench-api: $(cat "$work/seed.out")" >&2
rows=$(curl -fsS "$master/rooms/$room/producer_peers" | grep -o '"producerId"' | wc -l)
[ "$rows" -eq "$producers" ] || die "GET /rooms/$room/producer_peers lists $rows producers, want $producers"

# wrk calls done() once at the end; it prints one line that the summary parses. summary.errors.status counts
# non-2xx/3xx answers; latency is in microseconds.
cat >"$work/report.lua" <<'LUA'
done = function(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("WRK requests=%d rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f errors=%d non2xx=%d\n",
		summary.requests, summary.requests / (summary.duration / 1e6),
		latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
		e.connect + e.read + e.write + e.timeout, e.status))
end
LUA

# name|path|goal req/s
targets=("producer_peers|/rooms/$room/producer_peers|10000" "rooms|/rooms|19000")
[ "${ALIASES:-0}" = 1 ] && targets+=("producer_transports (v4 alias)|/rooms/$room/producer_transports|10000")

results=()
for t in "${targets[@]}"; do
	IFS='|' read -r name path goal <<<"$t"
	url="$master$path"
	if [ "$warmup" != 0 ]; then
		wrk -t"$threads" -c"$connections" -d"$warmup" "$url" >/dev/null
	fi
	echo "== wrk -t$threads -c$connections -d$duration --latency $url" >&2
	wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$work/report.lua" "$url" | tee "$work/wrk.out" >&2
	line=$(grep '^WRK ' "$work/wrk.out") || die "wrk printed no report for $url"
	results+=("$name|$goal|$line")
done

status=0
echo
printf '%-32s %12s %10s %10s %10s %8s %8s  %s\n' "GET" "req/s" "p50 ms" "p99 ms" "max ms" "errors" "non2xx" "goal"
for r in "${results[@]}"; do
	IFS='|' read -r name goal line <<<"$r"
	val() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
	rps=$(val rps) p50=$(val p50_ms) p99=$(val p99_ms) max=$(val max_ms) errs=$(val errors) non2xx=$(val non2xx)
	verdict=$(awk -v rps="$rps" -v goal="$goal" -v p99="$p99" -v e="$errs" -v n="$non2xx" \
		'BEGIN { ok = rps >= goal && p99 < 10 && e == 0 && n == 0; print (ok ? "met" : "MISSED") }')
	[ "$verdict" = met ] || status=1
	printf '%-32s %12s %10s %10s %10s %8s %8s  %s\n' "$name" "$rps" "$p50" "$p99" "$max" "$errs" "$non2xx" \
		"≥ $goal req/s, p99 < 10 ms, no errors: $verdict"
done
exit "$status"
