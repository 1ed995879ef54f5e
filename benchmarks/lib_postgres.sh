# Sourced by the benchmark scripts: a private PostgreSQL under $TMP/pg
# (initdb + pg_ctl, as the postgres user when run as root; fsync and
# synchronous_commit on, as a deployment has them). Needs $TMP, die and
# free_port from the sourcing script.
PG_BIN=""
PG_PORT=""
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
start_postgres() {
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -x "$PG_BIN/initdb" ] || die "no PostgreSQL (apt-get install -y postgresql)"
  mkdir -p "$TMP/pg"
  [ "$(id -u)" = 0 ] && chown postgres: "$TMP/pg" && chmod 755 "$TMP"
  as_pg "$PG_BIN/initdb" -D "$TMP/pg/data" -U fabro --auth=trust -E UTF8 --no-instructions \
    > "$TMP/pg/initdb.log" 2>&1 || { cat "$TMP/pg/initdb.log" >&2; die "initdb failed"; }
  PG_PORT=$(free_port)
  as_pg "$PG_BIN/pg_ctl" -D "$TMP/pg/data" -l "$TMP/pg/server.log" -w -o \
    "-p $PG_PORT -k $TMP/pg -c listen_addresses=127.0.0.1 -c max_connections=100" start \
    > /dev/null || { cat "$TMP/pg/server.log" >&2; die "PostgreSQL did not start"; }
}
stop_postgres() {
  [ -n "$PG_BIN" ] && as_pg "$PG_BIN/pg_ctl" -D "$TMP/pg/data" -m fast -w stop >/dev/null 2>&1
  PG_BIN=""
}
pg_url() { echo "postgresql://fabro@127.0.0.1:$PG_PORT/$1"; }
psql_at() { "$PG_BIN/psql" -qtAX "$(pg_url "$1")" -c "$2"; }
