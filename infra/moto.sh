#!/usr/bin/env bash
# moto in server mode: the AWS services DynamoDB Local does not cover (SSM Parameter Store
# with SecureString decryption, STS GetCallerIdentity, KMS), from PyPI, installed once into
# a virtual environment in the cache.
#
#   infra/moto.sh start    install if needed, start on 127.0.0.1:$MOTO_PORT (default 4566)
#                          unless it already answers
#   infra/moto.sh stop     stop the instance this script started
#   infra/moto.sh status   say whether it answers
#   infra/moto.sh put NAME VALUE   store a SecureString parameter (region eu-west-1)
#
# Environment: MOTO_PORT (4566), REPUTATION_GUARD_CACHE (~/.cache/reputation-guard).
# Tests, the benchmarks and `sam local` point the SDK at it with AWS_ENDPOINT_URL_SSM /
# AWS_ENDPOINT_URL_STS; any access key works (moto keeps its state per account and region).
set -euo pipefail

VERSION=5.2.5
PORT=${MOTO_PORT:-4566}
CACHE=${REPUTATION_GUARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/reputation-guard}
VENV=$CACHE/moto-$VERSION
PID_FILE=$CACHE/moto-$PORT.pid
LOG_FILE=$CACHE/moto-$PORT.log
# Listen where it is reached from: 127.0.0.1, or the Docker bridge for `sam local`.
HOST=${MOTO_HOST:-127.0.0.1}
# shellcheck source=infra/local-server.sh
source "$(dirname "${BASH_SOURCE[0]}")/local-server.sh"

say() { printf 'moto: %s\n' "$*" >&2; }

answers() {
  # moto's own dashboard: another server on the port (LocalStack, say) is not taken for it.
  curl -sf -o /dev/null --max-time 2 "http://$HOST:$PORT/moto-api/" 2>/dev/null
}

put() { # name value; moto takes the region (and nothing else) from the credential scope
  [ $# -eq 2 ] || { echo "usage: $0 put NAME VALUE" >&2; exit 2; }
  python3 -c 'import json,sys; print(json.dumps({"Name": sys.argv[1], "Value": sys.argv[2], "Type": "SecureString", "Overwrite": True}))' "$1" "$2" |
    curl -sf -o /dev/null -X POST "http://$HOST:$PORT/" -H 'Content-Type: application/x-amz-json-1.1' \
      -H 'X-Amz-Target: AmazonSSM.PutParameter' \
      -H 'Authorization: AWS4-HMAC-SHA256 Credential=local/20260101/eu-west-1/ssm/aws4_request, SignedHeaders=host, Signature=0' \
      --data-binary @- || { say "PutParameter $1 failed (is moto running on $HOST:$PORT?)"; exit 1; }
}

install() {
  if [ ! -x "$VENV/bin/moto_server" ]; then
    command -v python3 >/dev/null || { say "Python 3 is needed to install moto"; exit 1; }
    say "installing moto[server]==$VERSION into $VENV (once)"
    python3 -m venv "$VENV" || { say "python3 -m venv failed (on Debian/Ubuntu: apt-get install python3-venv)"; exit 1; }
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "moto[server]==$VERSION" >&2
  fi
}

start() {
  mkdir -p "$CACHE"
  exec 9>"$CACHE/moto-$PORT.lock"
  flock 9
  if answers; then
    say "already answering on $HOST:$PORT"
  else
    install
    say "starting on $HOST:$PORT (log: $LOG_FILE)"
    nohup "$VENV/bin/moto_server" -H "$HOST" -p "$PORT" >"$LOG_FILE" 2>&1 9>&- &
    echo $! >"$PID_FILE"
    await_answer 120 0.25
    answers || { say "it did not answer within 30 s; see $LOG_FILE"; kill "$(cat "$PID_FILE")" 2>/dev/null; exit 1; }
  fi
  flock -u 9
}

case "${1:-start}" in
  put) shift; put "$@" ;;
  *) serve "$HOST:$PORT" "$@" ;;
esac
