#!/usr/bin/env bash
# Fuzz the API against its own OpenAPI schema: no 5xx, no response outside the schema.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${SCHEMATHESIS_PORT:-8765}
work=$(mktemp -d)
trap 'kill "$server" "$fake" 2>/dev/null || true; rm -rf "$work"' EXIT
export DJANGO_SETTINGS_MODULE=config.settings.production
export DJANGO_SECRET_KEY="schemathesis-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export DJANGO_ALLOWED_HOSTS=127.0.0.1
export DJANGO_SECURE_COOKIES=false
export REPOTRAFFIC_ENCRYPTION_KEY=$(.venv/bin/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')
export REPOTRAFFIC_VAR_DIR="$work"
export DATABASE_URL="sqlite:///$work/db.sqlite3"
# GitHub is the bundled fake on loopback: token checks get real answers (a 503 would
# only mean GitHub is down), and no request leaves the machine.
fake_port=$((port + 1))
export GITHUB_API_URL="http://127.0.0.1:$fake_port" GITHUB_MAX_RETRIES=0
# The fake's demo token, lent to everyone so that the fuzz user can add a repository
# (production lends it only to trusted users).
export GITHUB_TOKEN=demo-token REPOTRAFFIC_SERVER_TOKEN_FOR=everyone
export CELERY_BROKER_URL=memory://
.venv/bin/python manage.py migrate --noinput >/dev/null
.venv/bin/python manage.py collectstatic --noinput >/dev/null
.venv/bin/python manage.py fake_github --port "$fake_port" --seed-demo >"$work/fake.log" 2>&1 &
fake=$!
.venv/bin/gunicorn config.wsgi --config config/gunicorn.py --bind "127.0.0.1:$port" \
  --access-logfile /dev/null >"$work/gunicorn.log" 2>&1 &
server=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/api/health" >/dev/null && break; sleep 0.2; done
token=$(curl -fs -X POST "http://127.0.0.1:$port/api/users/create" -H 'Content-Type: application/json' \
  -d '{"email": "fuzz@example.com"}' | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["token"])')
curl -fs -X POST "http://127.0.0.1:$port/api/repos/create" -H "X-API-Token: $token" \
  -d '{"url": "https://github.com/acme/rocket"}' >/dev/null
.venv/bin/schemathesis run "http://127.0.0.1:$port/api/schema" \
  --header "X-API-Token: $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-100}" --workers 1 --seed 1 --no-color
