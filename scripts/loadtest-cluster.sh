#!/usr/bin/env bash
# Runs cmd/loadtest against a three-process cluster (master, producer slave, consumer slave) that it builds,
# starts on loopback and stops again, RUNS times in a row, and prints each run's RESULT line (and COMPARE with
# -compare) with its delivery, loss and join-phase CPU lines. It is how the cluster-level figures of
# docs/BENCHMARKS.md were measured:
#
#   scripts/loadtest-cluster.sh [loadtest flags...]
#   RUNS=3 scripts/loadtest-cluster.sh -subscribers 1000 -join-rate 50 -duration 20s -audio=false
#   FANOUT_WORKERS=-1 scripts/loadtest-cluster.sh -subscribers 1000 ...     # the slaves without fan-out workers
#   scripts/loadtest-cluster.sh -simulcast -subscribers 1000 -join-rate 50     # 3-layer video, viewer i on layer i mod 3
#   scripts/loadtest-cluster.sh -compare -subscribers 1000 -join-rate 50 -audio=false  # simple, then simulcast: side by side
#
# Each run gets a fresh cluster (an empty SQLite store, new slave processes), so runs do not inherit each other's
# state. The slaves' CPU is read from /proc for their pids (-slave-pids). Environment: RUNS (1), OUT (a new temp
# dir: binaries, logs, each run's full output), BASE_PORT (3110: master; +1 producer slave; +2 consumer slave),
# and any slave setting (FANOUT_WORKERS, SLAVE_MAX_TRANSPORTS, ...) passes through to the slaves.
set -euo pipefail

cd "$(dirname "$0")/.."
runs=${RUNS:-1}
out=${OUT:-$(mktemp -d /tmp/sfu-loadtest.XXXXXX)}
port=${BASE_PORT:-3110}
mkdir -p "$out"
go build -o "$out/master" ./cmd/master
go build -o "$out/slave" ./cmd/slave
go build -o "$out/loadtest" ./cmd/loadtest

export CLUSTER_SECRET=${CLUSTER_SECRET:-loadtest-cluster-secret} LOG_LEVEL=${LOG_LEVEL:-warn} LISTEN_HOST=127.0.0.1 \
	WEBRTC_LISTEN_IPS=127.0.0.1 SLAVE_MAX_TRANSPORTS=${SLAVE_MAX_TRANSPORTS:-5000}

pids=()
stop() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	pids=()
}
trap stop EXIT

wait_http() { # url: up to 10 s
	for _ in $(seq 100); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
	echo "loadtest-cluster: $1 did not come up" >&2
	return 1
}

for run in $(seq "$runs"); do
	rm -f "$out"/cluster.db*
	PORT=$port DATABASE_URL="sqlite://$out/cluster.db" MAX_PEERS_PER_ROOM=${MAX_PEERS_PER_ROOM:-10000} \
		"$out/master" >"$out/master.log" 2>&1 &
	pids+=($!)
	wait_http "http://127.0.0.1:$port/healthz"
	SLAVE_ROLE=producer PORT=$((port + 1)) MASTER_URL=http://127.0.0.1:$port "$out/slave" >"$out/producer.log" 2>&1 &
	producer=$!
	SLAVE_ROLE=consumer PORT=$((port + 2)) MASTER_URL=http://127.0.0.1:$port "$out/slave" >"$out/consumer.log" 2>&1 &
	consumer=$!
	pids+=("$producer" "$consumer")
	wait_http "http://127.0.0.1:$((port + 1))/healthz"
	wait_http "http://127.0.0.1:$((port + 2))/healthz"
	sleep 3 # registration and the first heartbeat
	"$out/loadtest" -master "http://127.0.0.1:$port" -secret "$CLUSTER_SECRET" -slave-pids "$producer,$consumer" \
		-progress 0 "$@" >"$out/run$run.txt" 2>&1 || { tail -20 "$out/run$run.txt" >&2; exit 1; }
	grep -E '^(delivered|UDP receive drops|loss|join phase|  per join|RESULT|COMPARE) ' "$out/run$run.txt" | sed "s/^/run $run: /"
	stop
done
echo "outputs in $out"
