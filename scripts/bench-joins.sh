#!/usr/bin/env bash
# Measures the control plane's viewer joins, API only (no media), side by side: the master and slaves built from
# BASE_REF (default main) and from this working tree, on one PostgreSQL, one after the other per scenario so that
# both see the same machine. Each cluster: a master, a producer slave and CONSUMERS consumer slaves (4), separate
# processes on loopback, a fresh database. The load tool (this tree's cmd/loadtest -api-only) publishes one
# audio producer, warms up, then drives viewers (consumer_routers → consumer_peers → consume → resume, then logout)
# and reads the master's, slaves' and PostgreSQL's CPU from /proc.
#
#   scripts/bench-joins.sh                      both scenarios, RUNS=1
#   RUNS=3 DURATION=15s scripts/bench-joins.sh
#
# Scenarios: "c10", 10 concurrent joiners back to back (joins/s); "r250", 250 joins/s offered (latency).
# MAX_CONNS_PER_IP is off (0) unless set: the load tool is one client address holding every join in flight.
# Each run's line ends with PostgreSQL's lock waits, sampled every 100 ms: the share of samples in which a backend
# waited for a heavyweight lock (a row or table: what serializes joins), the mean number waiting, and on what.
# Environment: BASE_REF (main), RUNS (1), DURATION (15s), CONSUMERS (4), BUILDS ("before after": the clusters each
# run alternates, each a word label[:build[:masters]], build before or after, e.g. "one:after:1 two:after:2"
# compares one master with two of this tree), MASTERS (1, for a word without masters; 2 starts a second master on
# the same database, and the viewers' calls alternate between them as behind a load balancer; STICKY=1: each
# viewer's calls all go to one master, the viewers alternating, as an L4 balancer keeps a client's keep-alive
# connection on one master), SCENARIOS ("c10
# r250"; cN is N concurrent joiners, rN is N joins/s offered), OUT (a new temp dir: binaries, logs,
# each run's output), PROFILE (set: CPU profiles of every master and slave (PPROF_ADDR) and of the load tool over the
# measurement window, $OUT/<label>-<scenario>-<run>-<process>.pprof; DURATION in whole seconds), MASTER_CPU (e.g.
# 0.3: each master in a cgroup of its own (v1 cpu controller, /sys/fs/cgroup/cpu, as root) with a quota of that
# many cores, removed when the run ends or fails; each run's line then ends with the share of scheduling periods
# in which each master was throttled, i.e. wanted more CPU than its quota). Needs initdb/pg_ctl (scripts/test-postgres.sh starts the server) and psql.
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$(pwd)
base_ref=${BASE_REF:-main}
runs=${RUNS:-1}
duration=${DURATION:-15s}
consumers=${CONSUMERS:-4}
out=${OUT:-$(mktemp -d /tmp/bench-joins.XXXXXX)}
mkdir -p "$out/before" "$out/after" "$out/src"

builds=${BUILDS:-before after}
if [[ " $builds" == *" before"* || "$builds" == *":before"* ]]; then
	git -C "$repo" archive "$base_ref" | tar -x -C "$out/src"
	(cd "$out/src" && go build -o "$out/before/master" ./cmd/master && go build -o "$out/before/slave" ./cmd/slave)
fi
go build -o "$out/after/master" ./cmd/master
go build -o "$out/after/slave" ./cmd/slave
go build -o "$out/loadtest" ./cmd/loadtest
echo "before: $base_ref ($(git -C "$repo" rev-parse --short "$base_ref")); after: working tree ($(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet || echo '+changes'))"

eval "$(scripts/test-postgres.sh 2>"$out/pg.stop")"
pg_url=$TEST_DATABASE_URL
pg_port=$(sed -E 's#.*:([0-9]+)/.*#\1#' <<<"$pg_url")

export CLUSTER_SECRET=bench-joins-cluster-secret LOG_LEVEL=${LOG_LEVEL:-warn} LISTEN_HOST=127.0.0.1 \
	WEBRTC_LISTEN_IPS=127.0.0.1 SLAVE_MAX_TRANSPORTS=${SLAVE_MAX_TRANSPORTS:-5000} MAX_PEERS_PER_ROOM=${MAX_PEERS_PER_ROOM:-0} \
	MAX_CONNS_PER_IP=${MAX_CONNS_PER_IP:-0}

# MASTER_CPU: each master runs in a cgroup (v1 cpu controller) of its own, limited to that many cores.
master_cpu=${MASTER_CPU:-}
cg_root=/sys/fs/cgroup/cpu
if [ -n "$master_cpu" ]; then
	# A 10 ms period: a master that used its share early waits at most the rest of 10 ms, not of 100 ms, so the
	# quota acts like a slower CPU rather than like 85 ms stalls that a closed loop of joiners would sit out.
	period=10000
	quota=$(awk -v c="$master_cpu" -v p=$period 'BEGIN { q = int(c * p); if (q < 1000) exit 1; print q }') ||
		{ echo "bench-joins: MASTER_CPU=$master_cpu: want a number of cores ≥ 0.1" >&2; exit 2; }
	[ -w "$cg_root" ] || { echo "bench-joins: MASTER_CPU needs the cgroup v1 cpu controller writable at $cg_root" >&2; exit 2; }
fi

pids=() cgroups=()
stop() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	pids=()
	for cg in "${cgroups[@]}"; do rmdir "$cg" 2>/dev/null || echo "bench-joins: could not remove $cg" >&2; done
	cgroups=()
}
finish() {
	stop
	bash -c "$(sed -n 's/^# stop with: //p' "$out/pg.stop")" >/dev/null 2>&1 || true
}
trap finish EXIT
trap 'exit 130' INT TERM

start_master() { # log cgroup-name command...: starts a master, in a cgroup limited to MASTER_CPU when set
	local log=$1 name=$2 cg=""
	shift 2
	if [ -n "$master_cpu" ]; then
		cg="$cg_root/bench-joins-$$-$name"
		mkdir "$cg"
		cgroups+=("$cg")
		echo "$period" >"$cg/cpu.cfs_period_us"
		echo "$quota" >"$cg/cpu.cfs_quota_us"
	fi
	# The shell joins the cgroup, then becomes the master: nothing of it runs outside.
	bash -c 'if [ -n "$1" ]; then echo $$ >"$1/cgroup.procs"; fi; shift; exec "$@"' _ "$cg" "$@" >"$log" 2>&1 &
	pids+=($!)
}

throttle_summary() { # the masters' cgroups: periods in which each was throttled (it wanted more than MASTER_CPU)
	local cg out=""
	for cg in "${cgroups[@]}"; do
		out+=" $(basename "$cg" | sed 's/^bench-joins-[0-9]*-//')_throttled_pct=$(awk '/^nr_periods/ { n = $2 } /^nr_throttled/ { t = $2 }
			END { printf "%.0f", n ? 100 * t / n : 0 }' "$cg/cpu.stat")"
	done
	echo "${out# }"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() { # url: up to 10 s
	for _ in $(seq 100); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
	echo "bench-joins: $1 did not come up" >&2
	return 1
}

pprof_addr() { [ -n "${PROFILE:-}" ] && echo "127.0.0.1:$1"; true; }
profile_window() { # prefix loadtest-output name:port...: CPU profiles of the masters and slaves over the measurement
	local prefix=$1 txt=$2 secs=${duration%s} p curls=()
	shift 2
	for _ in $(seq 600); do grep -q 'measuring for' "$txt" 2>/dev/null && break; sleep 0.05; done
	for p in "$@"; do
		curl -fsS -o "$prefix-${p%%:*}.pprof" "http://127.0.0.1:${p##*:}/debug/pprof/profile?seconds=$secs" &
		curls+=($!)
	done
	for p in "${curls[@]}"; do wait "$p" || echo "bench-joins: a profile failed" >&2; done
}

lock_summary() { # the sampler's file: samples, share of samples with a lock wait, mean waiting and active backends
	awk -F'|' 'NF == 4 { n++; if ($1 > 0) w++; lw += $1; lwl += $2; act += $3; if ($4 != "-") what[$4]++ }
		END { if (!n) { print "locks: no samples"; exit }
			printf "pg_samples=%d pg_samples_lock_wait_pct=%.1f pg_lock_waiting_mean=%.3f pg_lwlock_waiting_mean=%.3f pg_active_mean=%.2f", n, 100 * w / n, lw / n, lwl / n, act / n
			for (k in what) printf " waited_on[%s]=%d", k, what[k]; print "" }' "$1"
}

run_one() { # build scenario run masters label
	local build=$1 scenario=$2 run=$3 masters=$4 label=$5 db="bench_${5}_${2}_${3}" port
	psql -q "$pg_url" -c "CREATE DATABASE $db" >/dev/null
	port=$(free_port)
	local prof=() pp
	pp=$(free_port)
	PPROF_ADDR=$(pprof_addr "$pp") PORT=$port DATABASE_URL="${pg_url/\/postgres\?/\/$db?}" \
		start_master "$out/$label-$scenario-$run-master.log" "$label-$scenario-$run-master1" "$out/$build/master"
	prof+=("master:$pp")
	wait_http "http://127.0.0.1:$port/healthz"
	local more=() m mp
	for m in $(seq 2 "$masters"); do
		mp=$(free_port)
		pp=$(free_port)
		PPROF_ADDR=$(pprof_addr "$pp") PORT=$mp DATABASE_URL="${pg_url/\/postgres\?/\/$db?}" \
			start_master "$out/$label-$scenario-$run-master$m.log" "$label-$scenario-$run-master$m" "$out/$build/master"
		prof+=("master$m:$pp")
		wait_http "http://127.0.0.1:$mp/healthz"
		more+=("http://127.0.0.1:$mp")
	done
	local roles=(producer) i
	for _ in $(seq "$consumers"); do roles+=(consumer); done
	for i in "${!roles[@]}"; do
		local sp
		sp=$(free_port)
		pp=$(free_port)
		PPROF_ADDR=$(pprof_addr "$pp") SLAVE_ROLE=${roles[$i]} PORT=$sp MASTER_URL=http://127.0.0.1:$port "$out/$build/slave" >"$out/$label-$scenario-$run-slave$i.log" 2>&1 &
		pids+=($!)
		prof+=("slave$i:$pp")
		wait_http "http://127.0.0.1:$sp/healthz"
	done
	sleep 3 # registrations and first heartbeats
	local flags
	case $scenario in
	c*) flags=(-join-concurrency "${scenario#c}") ;;
	r*) flags=(-api-rate "${scenario#r}" -join-concurrency 2000) ;;
	*) echo "bench-joins: scenario $scenario: want cN or rN" >&2; exit 2 ;;
	esac
	if [ ${#more[@]} -gt 0 ]; then flags+=(-api-masters "$(IFS=,; echo "${more[*]}")"); fi
	if [ -n "${STICKY:-}" ]; then flags+=(-api-sticky-viewers); fi
	# PostgreSQL's lock waits during the run: every 100 ms, the cluster's backends waiting on a heavyweight lock
	# (a row or a table: what would serialize joins) and on an internal LWLock, and what the waiting locks are.
	local locks="$out/$label-$scenario-$run.locks"
	psql -qAt "${pg_url/\/postgres\?/\/$db?}" >"$locks" 2>&1 <<-SQL &
		SELECT count(*) FILTER (WHERE wait_event_type = 'Lock'), count(*) FILTER (WHERE wait_event_type = 'LWLock'),
		  count(*) FILTER (WHERE state = 'active'),
		  (SELECT coalesce(string_agg(DISTINCT l.locktype || coalesce(':' || l.relation::regclass::text, ''), ','), '-')
		     FROM pg_locks l WHERE NOT l.granted)
		FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() \watch 0.1
	SQL
	local sampler=$! lt_prof=()
	[ -n "${PROFILE:-}" ] && lt_prof=(-cpuprofile "$out/$label-$scenario-$run-loadtest.pprof")
	"$out/loadtest" "${lt_prof[@]}" -api-only -master "http://127.0.0.1:$port" -secret "$CLUSTER_SECRET" -pg-port "$pg_port" \
		-publishers 1 -video=false -duration "$duration" -progress 0 "${flags[@]}" >"$out/$label-$scenario-$run.txt" 2>&1 &
	local lt=$!
	[ -n "${PROFILE:-}" ] && profile_window "$out/$label-$scenario-$run" "$out/$label-$scenario-$run.txt" "${prof[@]}"
	wait "$lt" || { tail -20 "$out/$label-$scenario-$run.txt" >&2; exit 1; }
	kill "$sampler" 2>/dev/null || true
	wait "$sampler" 2>/dev/null || true
	echo "$scenario run $run $label: $(tail -1 "$out/$label-$scenario-$run.txt") $(lock_summary "$locks") $(throttle_summary)"
	stop
	psql -q "$pg_url" -c "DROP DATABASE $db WITH (FORCE)" >/dev/null
}

for scenario in ${SCENARIOS:-c10 r250}; do
	for run in $(seq "$runs"); do
		for spec in $builds; do
			IFS=: read -r label build masters <<<"$spec"
			run_one "${build:-$label}" "$scenario" "$run" "${masters:-${MASTERS:-1}}" "$label"
		done
	done
done
echo "outputs in $out"
