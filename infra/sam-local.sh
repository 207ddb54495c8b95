#!/usr/bin/env bash
# `sam local` on one machine with no container registry: the shipped functions (sam build,
# x86_64) run under SAM's own Lambda emulator, against DynamoDB Local, their secrets and page
# tokens read from moto's SSM exactly as on AWS (SECRETS_SSM_PATH, PAGE_TOKEN_SSM_PREFIX).
#
#   infra/sam-local.sh prepare   Docker's daemon (Debian's docker.io) and the base image SAM
#                                looks for, built offline from a minimal Debian root file
#                                system (once; cached in the daemon's data root)
#   infra/sam-local.sh check     sam build, then: the ingest through `sam local invoke` (a
#                                signed Meta delivery stored, a forged one refused) and
#                                `sam local start-api`; the responder through `sam local
#                                invoke` with the stream record the ingest wrote, its reply
#                                reaching a stand-in of the Graph API. Checks the answers,
#                                not only exit codes (sam exits 0 when a function fails).
#   infra/sam-local.sh stop      stop what `prepare` started
#
# Needs: root (or sudo) for the daemon, docker.io and debootstrap from Debian, the SAM CLI
# (pip install aws-sam-cli), cargo-lambda, Java (DynamoDB Local), Python 3 (moto).
# Environment: REPUTATION_GUARD_CACHE (~/.cache/reputation-guard), DYNAMODB_LOCAL_PORT (8000).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
CACHE=${REPUTATION_GUARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/reputation-guard}
DOCKER_ROOT=$CACHE/docker
IMAGE=public.ecr.aws/lambda/provided:al2023-x86_64
DDB_PORT=${DYNAMODB_LOCAL_PORT:-8000}
# moto and the Graph stand-in listen on the Docker bridge only, where the containers reach
# the host (host.docker.internal → host-gateway).
BRIDGE=172.17.0.1
MOTO_BRIDGE_PORT=4577
GRAPH_PORT=4578
TABLE=feedback
WORK=$ROOT/target/sam-local
export SAM_CLI_TELEMETRY=0 AWS_REGION=eu-west-1 AWS_DEFAULT_REGION=eu-west-1 \
  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
# SAM asks STS who it is on every invoke: moto answers (no lookup, no 10 s wait).
export AWS_ENDPOINT_URL_STS=http://127.0.0.1:${MOTO_PORT:-4566} AWS_MAX_ATTEMPTS=1

say() { printf 'sam-local: %s\n' "$*" >&2; }
sudo_() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

prepare() {
  if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null; then
    sudo_ apt-get update -qq >&2
    sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io debootstrap >&2
  fi
  if ! docker info >/dev/null 2>&1; then
    mkdir -p "$DOCKER_ROOT"
    say "starting dockerd (data: $DOCKER_ROOT; no registry is ever tried)"
    # The default bridge stays (SAM reaches its emulator through a published port); no
    # iptables/NAT changes on this machine; a dead proxy so nothing is pulled.
    sudo_ env HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 NO_PROXY= \
      nohup dockerd --iptables=false --ip-masq=false --ip-forward=false \
      --storage-driver=vfs --data-root="$DOCKER_ROOT" --pidfile="$CACHE/dockerd.pid" \
      >"$CACHE/dockerd.log" 2>&1 &
    for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
    docker info >/dev/null 2>&1 || { say "dockerd did not start; see $CACHE/dockerd.log"; tail -n 20 "$CACHE/dockerd.log" >&2; exit 1; }
  fi
  if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
    say "building $IMAGE from a minimal Debian root file system (once)"
    local rootfs
    rootfs=$(mktemp -d)
    # The Debian archive is the one registry of root file systems this machine reaches.
    # CA certificates as in Lambda's own images: the platform clients read the system's.
    sudo_ debootstrap --variant=minbase --include=ca-certificates bookworm "$rootfs" >"$CACHE/debootstrap.log" 2>&1 \
      || { say "debootstrap failed; see $CACHE/debootstrap.log"; exit 1; }
    sudo_ mkdir -p "$rootfs/var/task" "$rootfs/var/runtime" "$rootfs/opt"
    sudo_ tar -C "$rootfs" -c . | docker import --change 'WORKDIR /var/task' - "$IMAGE" >/dev/null
    sudo_ rm -rf "$rootfs"
    # SAM's own image on top of the old base, if any, is stale now.
    docker rmi -f "${IMAGE/al2023-/al2023-rapid-}" >/dev/null 2>&1 || true
  fi
  say "ready: dockerd answers and $IMAGE is there"
}

stop() {
  [ -f "$CACHE/graph-standin.pid" ] && kill "$(cat "$CACHE/graph-standin.pid")" 2>/dev/null || true
  MOTO_PORT=$MOTO_BRIDGE_PORT infra/moto.sh stop || true
  if [ -f "$CACHE/dockerd.pid" ]; then sudo_ kill "$(cat "$CACHE/dockerd.pid")" 2>/dev/null || true; fi
}

ssm_put() { # name value: moto's SSM on the bridge
  MOTO_HOST=$BRIDGE MOTO_PORT=$MOTO_BRIDGE_PORT infra/moto.sh put "$1" "$2"
}

fail() { say "FAILED: $*"; exit 1; }

check() {
  prepare
  mkdir -p "$WORK"
  infra/dynamodb-local.sh start
  infra/moto.sh start
  MOTO_HOST=$BRIDGE MOTO_PORT=$MOTO_BRIDGE_PORT infra/moto.sh start
  ssm_put /local/secrets/META_APP_SECRETS sam-local-app-secret
  ssm_put /local/secrets/META_VERIFY_TOKEN sam-local-verify-token
  ssm_put /local/pages/facebook/1029384756 sam-local-page-token

  # A stand-in of the Graph API on the bridge: answers every POST as Graph does and keeps
  # what it was sent (no emulator of the Graph API exists). One at a time, stopped on exit.
  [ -f "$CACHE/graph-standin.pid" ] && kill "$(cat "$CACHE/graph-standin.pid")" 2>/dev/null || true
  : >"$WORK/graph.log"
  python3 - "$BRIDGE" "$GRAPH_PORT" "$WORK/graph.log" >/dev/null 2>&1 <<'PY' &
import http.server, json, sys
host, port, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        with open(log, "a") as f:
            f.write(json.dumps({"path": self.path, "auth": self.headers.get("authorization"), "body": body.decode()}) + "\n")
        answer = {"recipient_id": "1", "message_id": "m_1"} if self.path.endswith("/messages") else {"id": "reply_1"}
        data = json.dumps(answer).encode()
        self.send_response(200); self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data))); self.end_headers(); self.wfile.write(data)
    def log_message(self, *a): pass
http.server.HTTPServer((host, port), H).serve_forever()
PY
  echo $! >"$CACHE/graph-standin.pid"
  trap 'kill "$(cat "$CACHE/graph-standin.pid")" 2>/dev/null || true' EXIT

  # What the template declares, pointed at this machine: secrets and tokens from moto.
  cat >"$WORK/env.json" <<JSON
{
  "Parameters": {
    "TABLE_NAME": "$TABLE",
    "DYNAMODB_ENDPOINT_URL": "http://host.docker.internal:$DDB_PORT",
    "SSM_ENDPOINT_URL": "http://host.docker.internal:$MOTO_BRIDGE_PORT",
    "SECRETS_SSM_PATH": "/local/secrets",
    "RUST_LOG": "info"
  },
  "FeedbackResponderFunction": {
    "PAGE_TOKEN_SSM_PREFIX": "/local/pages",
    "META_GRAPH_API_URL": "http://host.docker.internal:$GRAPH_PORT",
    "REPLY_MODE": "auto"
  }
}
JSON
  local overrides=(--parameter-overrides Architecture=x86_64)
  local common=(--skip-pull-image --add-host host.docker.internal:host-gateway --env-vars "$WORK/env.json")
  [ -d target/sam-build/WebhookIngestFunction ] || sam build "${overrides[@]}" --build-dir target/sam-build
  local tpl=target/sam-build/template.yaml

  # A signed comment (and a forged one) as API Gateway events, made now: nothing expires. A
  # new author and post each run (an author answered once in a thread is not answered again).
  local item="777_$(date +%s)"
  python3 - "$item" "$WORK" <<'PY'
import hashlib, hmac, json, sys, time
item, work = sys.argv[1], sys.argv[2]
event = json.load(open("infra/events/meta-comments.json"))
body = json.dumps({"object": "page", "entry": [{"id": "1029384756", "time": int(time.time()), "changes": [{"field": "feed", "value": {
    "from": {"id": item.split("_")[1], "name": "Anke de Vries"}, "post_id": f"1029384756_{item.split('_')[1]}", "comment_id": item,
    "parent_id": f"1029384756_{item.split('_')[1]}", "item": "comment", "verb": "add", "created_time": int(time.time()),
    "message": "Mijn bestelling is na twee weken nog steeds niet geleverd. Heel teleurstellend!"}}]}]})
for name, secret in (("signed", "sam-local-app-secret"), ("forged", "local-app-secret")):
    event["body"] = body
    event["headers"]["x-hub-signature-256"] = "sha256=" + hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    json.dump(event, open(f"{work}/{name}.json", "w"))
open(f"{work}/body.json", "w").write(body)
PY

  say "sam local invoke: a forged delivery"
  sam local invoke WebhookIngestFunction -t "$tpl" "${overrides[@]}" "${common[@]}" \
    -e "$WORK/forged.json" >"$WORK/forged.out" 2>"$WORK/forged.err" || true
  grep -q '"statusCode": *401' "$WORK/forged.out" || fail "a forged delivery was not refused: $(cat "$WORK/forged.out"; tail -n 20 "$WORK/forged.err")"

  say "sam local invoke: a signed delivery"
  sam local invoke WebhookIngestFunction -t "$tpl" "${overrides[@]}" "${common[@]}" \
    -e "$WORK/signed.json" >"$WORK/signed.out" 2>"$WORK/signed.err" || true
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); b=json.loads(r["body"]); sys.exit(0 if r["statusCode"]==200 and b["inserted"]==1 else 1)' "$WORK/signed.out" \
    || fail "the signed delivery was not stored once: $(cat "$WORK/signed.out"; tail -n 20 "$WORK/signed.err")"

  say "sam local start-api: the handshake and the same delivery again"
  local api_port=3900
  sam local start-api -t "$tpl" "${overrides[@]}" "${common[@]}" --port "$api_port" --host 127.0.0.1 \
    >"$WORK/start-api.log" 2>&1 &
  local api_pid=$!
  for _ in $(seq 60); do curl -s -o /dev/null "http://127.0.0.1:$api_port/" && break; sleep 0.5; done
  local challenge
  challenge=$(curl -s "http://127.0.0.1:$api_port/webhooks/meta?hub.mode=subscribe&hub.verify_token=sam-local-verify-token&hub.challenge=4242" || true)
  local again
  again=$(curl -s -X POST "http://127.0.0.1:$api_port/webhooks/meta" -H 'content-type: application/json' \
    -H "x-hub-signature-256: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["headers"]["x-hub-signature-256"])' "$WORK/signed.json")" \
    --data-binary @"$WORK/body.json" || true)
  kill "$api_pid" 2>/dev/null || true
  [ "$challenge" = 4242 ] || fail "start-api handshake answered '$challenge'; see $WORK/start-api.log"
  grep -q '"unchanged":1' <<<"$again" || fail "start-api redelivery answered '$again'; see $WORK/start-api.log"

  say "sam local invoke: the responder with the stream record the ingest wrote"
  python3 - "$item" "$WORK" "$DDB_PORT" "$TABLE" <<'PY'
import json, sys, urllib.request
item, work, port, table = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
def call(target, body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/", data=json.dumps(body).encode(), headers={
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"DynamoDB_20120810.{target}",
        "Authorization": "AWS4-HMAC-SHA256 Credential=local/20260101/eu-west-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0"})
    return json.load(urllib.request.urlopen(req))
got = call("GetItem", {"TableName": table, "Key": {"pk": {"S": f"feedback#facebook#{item}"}, "sk": {"S": "feedback"}}})
image = got.get("Item")
if not image:
    sys.exit(f"the stored item {item} is not in the table: {got}")
record = {"eventID": "1", "eventName": "INSERT", "eventVersion": "1.1", "eventSource": "aws:dynamodb",
          "awsRegion": "eu-west-1", "dynamodb": {"Keys": {"pk": image["pk"], "sk": image["sk"]}, "NewImage": image,
          "SequenceNumber": "100000000000000000001", "SizeBytes": 512, "StreamViewType": "NEW_IMAGE"},
          "eventSourceARN": "arn:aws:dynamodb:eu-west-1:123456789012:table/feedback/stream/2026-01-01T00:00:00.000"}
json.dump({"Records": [record]}, open(f"{work}/stream.json", "w"))
PY
  sam local invoke FeedbackResponderFunction -t "$tpl" "${overrides[@]}" "${common[@]}" \
    -e "$WORK/stream.json" >"$WORK/responder.out" 2>"$WORK/responder.err" || true
  grep -q '"batchItemFailures": *\[\]' "$WORK/responder.out" || fail "the responder failed: $(cat "$WORK/responder.out"; tail -n 30 "$WORK/responder.err")"
  grep -q "\"/v26.0/$item/comments\"" "$WORK/graph.log" || fail "no public reply reached the Graph stand-in: $(cat "$WORK/graph.log"; tail -n 30 "$WORK/responder.err")"
  grep -q 'Bearer sam-local-page-token' "$WORK/graph.log" || fail "the reply did not carry the page token from SSM"
  say "ok: forged refused, signed stored, start-api answered, the responder's reply reached the stand-in"
  kill "$(cat "$CACHE/graph-standin.pid")" 2>/dev/null || true
}

case "${1:-check}" in
  prepare) prepare ;;
  check) check ;;
  stop) stop ;;
  *) echo "usage: $0 [prepare|check|stop]" >&2; exit 2 ;;
esac
