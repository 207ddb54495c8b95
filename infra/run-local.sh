#!/usr/bin/env bash
# Run the product on this machine: DynamoDB Local (installed once) with the table, and the
# webhook-ingest function served by `cargo lambda watch` on 127.0.0.1:9000.
# Stop with Ctrl-C; `infra/dynamodb-local.sh stop` stops DynamoDB Local too.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

if ! command -v cargo-lambda >/dev/null 2>&1; then
  echo "installing cargo-lambda (pip, once)" >&2
  python3 -m pip install --quiet --disable-pip-version-check cargo-lambda
fi

infra/dynamodb-local.sh start

cat >&2 <<TXT

  DynamoDB Local   http://127.0.0.1:8000   (table: feedback)
  Webhook (Meta)   http://127.0.0.1:9000/lambda-url/webhook-ingest/webhooks/meta
  Secrets          infra/local.env  (app secret: local-app-secret, verify token: local-verify-token)

TXT
exec cargo lambda watch -A 127.0.0.1 -P 9000 --env-file infra/local.env --bin webhook-ingest
