#!/usr/bin/env bash
# A real dancecoach cluster on this machine, all on 127.0.0.1, for tests and demos:
#   PostgreSQL (database + job queue), moto's S3-compatible server (object store),
#   N app instances, M job workers and nginx in front (a session's WebSocket and REST calls
#   routed by session id, `hash ... consistent`).
#
#   scripts/cluster.sh up [N] [M]     start (N instances, default 2; M workers, default 1);
#                                     prints the URL on stdout
#   scripts/cluster.sh pid-for ID     the process id of the instance streaming live session ID
#   scripts/cluster.sh pids           instance and worker process ids ("instance 1 1234")
#   scripts/cluster.sh down           stop everything this cluster started
#
# Environment: CLUSTER_DIR (state: logs, pid files, data folders; default .cluster),
# CLUSTER_PORT (nginx; instances on the next N ports, the S3 server on CLUSTER_PORT+90;
# default 8100), CLUSTER_DB (database name; default dancecoach_cluster).
# deploy/compose.yaml describes the same topology with containers.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DIR=${CLUSTER_DIR:-$ROOT/.cluster}
PORT=${CLUSTER_PORT:-8100}
DB_NAME=${CLUSTER_DB:-dancecoach_cluster}
S3_PORT=$((PORT + 90))
PYTHON=$ROOT/.venv/bin/python
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

log() { echo "cluster: $*" >&2; }
fail() { log "$*"; exit 1; }

wait_for_http() {  # url seconds
  local deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$1" 2>/dev/null; do
    [ $SECONDS -lt "$deadline" ] || return 1
    sleep 0.3
  done
}

start_bg() {  # name command... : runs in its own session, pid in $DIR/<name>.pid
  local name=$1
  shift
  setsid "$@" >>"$DIR/$name.log" 2>&1 < /dev/null &
  echo $! >"$DIR/$name.pid"
}

app_env() {
  # PYTHONPATH: this checkout's code, whichever checkout the venv's editable install names.
  cat <<EOF
PYTHONPATH=$ROOT/src
DANCECOACH_DATABASE_URL=$(cat "$DIR/database_url")
DANCECOACH_STORAGE_URL=s3://dancecoach-cluster/library
DANCECOACH_STORAGE_ENDPOINT_URL=http://127.0.0.1:$S3_PORT
DANCECOACH_STORAGE_ACCESS_KEY=cluster
DANCECOACH_STORAGE_SECRET_KEY=cluster-secret
DANCECOACH_JOBS=queue
DANCECOACH_JOB_HEARTBEAT_S=${CLUSTER_JOB_HEARTBEAT_S:-2}
DANCECOACH_DURABLE_FRAMES=true
DANCECOACH_BEHIND_BALANCER=true
DANCECOACH_INFERENCE_WORKERS=${CLUSTER_INFERENCE_WORKERS:-1}
DANCECOACH_MAX_LIVE_SESSIONS=$((7 * ${CLUSTER_INFERENCE_WORKERS:-1}))
DANCECOACH_INFERENCE_PIN_CPUS=false
OPENAI_API_KEY=
OPENAI_BASE_URL=
EOF
}

write_nginx_conf() {  # instances
  local n=$1 user_line="" servers=""
  [ "$(id -u)" -eq 0 ] && user_line="user root;"
  for i in $(seq 1 "$n"); do
    servers+="    server 127.0.0.1:$((PORT + i)) max_fails=1 fail_timeout=5s;"$'\n'
  done
  mkdir -p "$DIR/nginx/tmp"
  cat >"$DIR/nginx/nginx.conf" <<EOF
$user_line
worker_processes 1;
pid $DIR/nginx/nginx.pid;
error_log $DIR/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $DIR/nginx/tmp/body;
  proxy_temp_path $DIR/nginx/tmp/proxy;
  fastcgi_temp_path $DIR/nginx/tmp/fastcgi;
  uwsgi_temp_path $DIR/nginx/tmp/uwsgi;
  scgi_temp_path $DIR/nginx/tmp/scgi;
  client_max_body_size 250m;
  # A live session's WebSocket and its REST calls go to one instance, chosen by session id
  # on a consistent-hash ring: when that instance dies, only its sessions move (to the next
  # instance on the ring), and the stored frames let the new one continue them.
  map \$uri \$session_key {
    "~^/ws/(?<ws_session>[0-9a-f]{32})\$" \$ws_session;
    "~^/api/sessions/(?<rest_session>[0-9a-f]{32})" \$rest_session;
    default \$request_id;
  }
  map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
  upstream dancecoach {
    hash \$session_key consistent;
$servers  }
  server {
    listen 127.0.0.1:$PORT;
    location / {
      proxy_pass http://dancecoach;
      proxy_http_version 1.1;
      proxy_set_header Host \$http_host;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$connection_upgrade;
      # The learner's address (sign-in budgets are per client address) and scheme (Secure
      # cookies): the instances believe them from 127.0.0.1 (DANCECOACH_FORWARDED_ALLOW_IPS).
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_read_timeout 3600s;
      proxy_request_buffering off;
      # A dead instance (refused connection) or a full one (503): the next on the ring.
      proxy_next_upstream error timeout http_503;
      proxy_connect_timeout 2s;
    }
  }
}
EOF
}

up() {
  local n=${1:-2} m=${2:-1}
  [ -x "$PYTHON" ] || fail "no .venv: run make setup first"
  [ -x "$NGINX" ] || fail "nginx is missing: bash scripts/system_deps.sh (as root)"
  if [ -f "$DIR/nginx/nginx.pid" ] && kill -0 "$(cat "$DIR/nginx/nginx.pid")" 2>/dev/null; then
    fail "a cluster is already running from $DIR (scripts/cluster.sh down first)"
  fi
  mkdir -p "$DIR"
  rm -f "$DIR"/*.pid
  log "PostgreSQL (database $DB_NAME)"
  DANCECOACH_PG_TEST_DATABASE=$DB_NAME bash scripts/postgres_test_db.sh >"$DIR/database_url"
  log "S3 server (moto) on 127.0.0.1:$S3_PORT"
  [ -x "$ROOT/.venv/bin/moto_server" ] || fail "no moto_server in .venv: run make setup first"
  start_bg s3 "$ROOT/.venv/bin/moto_server" -H 127.0.0.1 -p "$S3_PORT"
  wait_for_http "http://127.0.0.1:$S3_PORT/" 30 || fail "the S3 server did not start ($DIR/s3.log)"
  app_env >"$DIR/env"
  for i in $(seq 1 "$n"); do
    log "instance $i on 127.0.0.1:$((PORT + i))"
    mkdir -p "$DIR/instance-$i"
    start_bg "instance-$i" env $(cat "$DIR/env") DANCECOACH_DATA_DIR="$DIR/instance-$i" \
      "$PYTHON" -m dancecoach.cli serve --port $((PORT + i))
    # One at a time: the first migrates the database and creates the queue's tables.
    wait_for_http "http://127.0.0.1:$((PORT + i))/api/health" 120 \
      || fail "instance $i did not start ($DIR/instance-$i.log)"
  done
  for j in $(seq 1 "$m"); do
    log "worker $j"
    mkdir -p "$DIR/worker-$j"
    start_bg "worker-$j" env $(cat "$DIR/env") DANCECOACH_DATA_DIR="$DIR/worker-$j" \
      "$PYTHON" -m dancecoach.cli worker
  done
  echo "$n" >"$DIR/instances"
  echo "$m" >"$DIR/workers"
  write_nginx_conf "$n"
  log "nginx on 127.0.0.1:$PORT"
  "$NGINX" -c "$DIR/nginx/nginx.conf" -p "$DIR/nginx" -e "$DIR/nginx/error.log"
  wait_for_http "http://127.0.0.1:$PORT/api/health" 30 || fail "nginx did not answer"
  echo "http://127.0.0.1:$PORT"
}

pids() {
  local n m
  n=$(cat "$DIR/instances" 2>/dev/null || echo 0)
  m=$(cat "$DIR/workers" 2>/dev/null || echo 0)
  for i in $(seq 1 "$n"); do echo "instance $i $(cat "$DIR/instance-$i.pid")"; done
  for j in $(seq 1 "$m"); do echo "worker $j $(cat "$DIR/worker-$j.pid")"; done
}

pid_for() {  # session id
  local session=${1:?usage: cluster.sh pid-for SESSION_ID} n
  n=$(cat "$DIR/instances" 2>/dev/null || fail "no cluster in $DIR")
  for i in $(seq 1 "$n"); do
    local health
    health=$(curl -fsS "http://127.0.0.1:$((PORT + i))/api/health?session=$session" 2>/dev/null) \
      || continue
    if echo "$health" | grep -q '"serving":true'; then
      echo "$health" | sed -E 's/.*"pid":([0-9]+).*/\1/'
      return 0
    fi
  done
  fail "no instance is streaming session $session"
}

down() {
  if [ -f "$DIR/nginx/nginx.pid" ]; then
    "$NGINX" -c "$DIR/nginx/nginx.conf" -p "$DIR/nginx" -e "$DIR/nginx/error.log" -s stop \
      2>/dev/null || true
  fi
  for pidfile in "$DIR"/worker-*.pid "$DIR"/instance-*.pid "$DIR"/s3.pid; do
    [ -f "$pidfile" ] || continue
    local pid
    pid=$(cat "$pidfile")
    # Each was started in its own session: stop its whole group (analysis processes too).
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  for pidfile in "$DIR"/worker-*.pid "$DIR"/instance-*.pid "$DIR"/s3.pid; do
    [ -f "$pidfile" ] || continue
    local pid
    pid=$(cat "$pidfile")
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
  log "stopped"
}

case ${1:-} in
  up) shift; up "$@" ;;
  down) down ;;
  pid-for) shift; pid_for "$@" ;;
  pids) pids ;;
  *) sed -n '2,16p' "$0" >&2; exit 2 ;;
esac
