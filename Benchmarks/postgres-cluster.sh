# Sourced by Benchmarks/run and Benchmarks/compare: start_postgres FOLDER PORT starts a throwaway
# PostgreSQL cluster of Debian's (installed if missing) on 127.0.0.1:PORT, fsync and synchronous_commit
# on, as the `postgres` user when run as root (PostgreSQL refuses to run as root), and appends its pid to
# PIDS. Then `pgurl NAME` is a database's URL and `newdb NAME` creates it; DISPATCHER_SECRET_KEY is set.
start_postgres() {
    local folder=$1 port=$2
    if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
        apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
    fi
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    PG_PORT=$port
    local as_postgres=(); [[ $(id -u) == 0 ]] && as_postgres=(runuser -u postgres --)
    mkdir -p "$folder/pg"; echo benchpw > "$folder/pg/pw"; chmod 755 "$folder"
    [[ $(id -u) == 0 ]] && chown -R postgres:postgres "$folder/pg"
    "${as_postgres[@]}" "$PG_BIN/initdb" -D "$folder/pg/data" -U bench --pwfile="$folder/pg/pw" -A scram-sha-256 -E UTF8 --locale=C >/dev/null
    "${as_postgres[@]}" "$PG_BIN/postgres" -D "$folder/pg/data" -p "$port" -k "$folder/pg" -c listen_addresses=127.0.0.1 \
        -c max_connections=200 > "$folder/pg/server.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 1 100); do "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" && break; sleep 0.1; done
    export DISPATCHER_SECRET_KEY=$(openssl rand -base64 32) PGPASSWORD=benchpw
}

pgurl() { echo "postgres://bench:benchpw@127.0.0.1:$PG_PORT/$1?sslmode=disable"; }
newdb() { createdb -h 127.0.0.1 -p "$PG_PORT" -U bench "$1"; }
