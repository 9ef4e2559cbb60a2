#!/usr/bin/env bash
# A local PostgreSQL for the test suite: installs Debian's server if missing (as root), starts a
# cluster without systemd, (re)creates an empty test database and prints its SQLAlchemy URL:
#   export DANCECOACH_TEST_POSTGRES_URL=$(bash scripts/postgres_test_db.sh)
# The role may create databases: the tests make a fresh database per test from this one.
# Everything but the URL goes to stderr.
set -euo pipefail

ROLE=${DANCECOACH_PG_TEST_ROLE:-dancecoach_test}
PASSWORD=${DANCECOACH_PG_TEST_PASSWORD:-dancecoach_test}
DATABASE=${DANCECOACH_PG_TEST_DATABASE:-dancecoach_test}
CLUSTER=main

log() { echo "postgres_test_db: $*" >&2; }
fail() { log "$*"; exit 1; }

newest_version() {
  # Installed server versions, as Debian's postgresql-common lays them out.
  find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/postgres' 2>/dev/null \
    | awk -F/ '{print $5}' | sort -n | tail -n 1
}

install_server() {
  [ -n "$(newest_version)" ] && command -v pg_ctlcluster >/dev/null 2>&1 && return 0
  if [ "$(id -u)" -ne 0 ]; then
    fail "PostgreSQL is not installed; run this script as root, or: sudo apt-get install postgresql"
  fi
  export DEBIAN_FRONTEND=noninteractive
  log "installing Debian's postgresql"
  # Refresh the package lists only when needed: a fresh image has none, old ones may 404.
  if ! apt-cache show postgresql >/dev/null 2>&1; then
    apt-get update -qq >&2
  fi
  if ! apt-get install -y -qq --no-install-recommends postgresql >&2; then
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends postgresql >&2
  fi
}

ensure_cluster() {
  local version=$1
  if [ -z "$(cluster_field "$version" 1)" ]; then
    log "creating cluster $version/$CLUSTER"
    pg_createcluster "$version" "$CLUSTER" >&2
  fi
  # pg_ctlcluster runs pg_ctl itself when systemd is not running (containers).
  if [ "$(cluster_field "$version" 4)" != online ]; then
    log "starting cluster $version/$CLUSTER"
    pg_ctlcluster "$version" "$CLUSTER" start >&2
  fi
}

cluster_field() {
  # Column $2 of pg_lsclusters for our cluster (3 = port, 4 = status); readable by anyone.
  pg_lsclusters -h | awk -v v="$1" -v c="$CLUSTER" -v f="$2" '$1 == v && $2 == c {print $f}'
}

wait_until_ready() {
  local port=$1
  for _ in $(seq 1 60); do
    pg_isready -q -h 127.0.0.1 -p "$port" && return 0
    sleep 0.5
  done
  fail "PostgreSQL on 127.0.0.1:$port did not become ready"
}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  elif [ "$(id -un)" = postgres ]; then
    "$@"
  else
    fail "creating the test role needs root or the postgres user"
  fi
}

create_role_and_database() {
  local port=$1
  # psql variables quote the names and the password (:"ident", :'literal').
  as_postgres psql -q -X -v ON_ERROR_STOP=1 -p "$port" -d postgres \
    -v role="$ROLE" -v password="$PASSWORD" -v database="$DATABASE" >&2 <<'SQL'
SET client_min_messages = warning;
SELECT format('CREATE ROLE %I LOGIN', :'role')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" LOGIN CREATEDB PASSWORD :'password';
DROP DATABASE IF EXISTS :"database" WITH (FORCE);
-- Per-test databases (<database>_<suffix>) a killed test run left behind.
SELECT format('DROP DATABASE %I WITH (FORCE)', datname) FROM pg_database
  WHERE left(datname, length(:'database') + 1) = :'database' || '_' \gexec
-- UTF8 whatever locale initdb saw (a bare container's C locale would give SQL_ASCII).
CREATE DATABASE :"database" OWNER :"role" TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C';
SQL
}

main() {
  install_server
  command -v pg_ctlcluster >/dev/null 2>&1 || fail "pg_ctlcluster missing (postgresql-common)"
  local version port
  version=$(newest_version)
  [ -n "$version" ] || fail "no PostgreSQL server found under /usr/lib/postgresql"
  ensure_cluster "$version"
  port=$(cluster_field "$version" 3)
  wait_until_ready "$port"
  create_role_and_database "$port"
  log "database $DATABASE ready on PostgreSQL $version, port $port"
  echo "postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$port/$DATABASE"
}

main "$@"
