#!/usr/bin/env bash
# Starts a throwaway PostgreSQL (initdb + pg_ctl from PATH) on 127.0.0.1, a free port, trust auth, data in a
# temporary directory.
#   scripts/test-postgres.sh CMD ARGS...  runs CMD with TEST_DATABASE_URL (and REQUIRE_POSTGRES=1) exported, then
#                                        stops the server and removes its data, whatever CMD's outcome.
#   scripts/test-postgres.sh              starts it and prints the export line; stop it with the printed command.
# PostgreSQL refuses to run as root: as root, the server runs as the "postgres" system user (created if missing).
set -euo pipefail

for tool in initdb pg_ctl; do
	command -v "$tool" >/dev/null || { echo "test-postgres: $tool is not on PATH" >&2; exit 1; }
done
# pg_ctl may be found through a symlink; the server binary lives next to it.
bindir=$(dirname "$(readlink -f "$(command -v pg_ctl)")")

as_owner=()
if [ "$(id -u)" = 0 ]; then
	if ! id postgres >/dev/null 2>&1; then
		echo "test-postgres: creating the system user postgres (PostgreSQL refuses to run as root)" >&2
		useradd --system --no-create-home --shell /usr/sbin/nologin postgres
	fi
	as_owner=(runuser -u postgres --)
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/test-postgres.XXXXXX")
chmod 755 "$dir"
[ "$(id -u)" = 0 ] && chown postgres: "$dir"

# A free port: bind port 0 and read what the kernel chose. Another process could take it before postgres binds it;
# pg_ctl then fails loudly rather than connecting to a stranger.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop() {
	"${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}

"${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
	{ cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1; }
# Unix sockets go to the temp dir too: the default /var/run/postgresql may not exist or be writable.
if ! "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
	-o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
	start >/dev/null; then
	cat "$dir/server.log" >&2
	stop
	exit 1
fi

url="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"

if [ $# -eq 0 ]; then
	echo "export TEST_DATABASE_URL='$url'"
	echo "# stop with: ${as_owner[*]} $bindir/pg_ctl -D $dir/data stop && rm -rf $dir" >&2
	exit 0
fi

trap stop EXIT
trap 'exit 130' INT TERM
export TEST_DATABASE_URL="$url" REQUIRE_POSTGRES=1
"$@"
