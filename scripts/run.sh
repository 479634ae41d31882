#!/usr/bin/env bash
# Install, migrate, seed the demo data (first start) and serve OPC Ops on 127.0.0.1:$PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
PORT=${PORT:-5000}
# Links that leave the site (invitations) point here; set OPC_EXTERNAL_URL when users reach
# the site at another address (a reverse proxy, a host name).
OPC_EXTERNAL_URL=${OPC_EXTERNAL_URL:-http://127.0.0.1:${PORT}}
export OPC_EXTERNAL_URL
mkdir -p instance
# A secret of this installation, made once, unless one is given.
if [ -z "${OPC_SECRET_KEY:-}" ]; then
  [ -s instance/secret_key ] || .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(48))' > instance/secret_key
  chmod 600 instance/secret_key
  OPC_SECRET_KEY=$(cat instance/secret_key)
  export OPC_SECRET_KEY
fi
# The migrations' log only when they fail (each revision is a line otherwise).
if ! migrated=$(.venv/bin/flask --app opc db upgrade 2>&1); then
  echo "$migrated" >&2
  exit 1
fi
.venv/bin/flask --app opc seed-demo --if-configured
echo
echo "OPC Ops is running at http://127.0.0.1:${PORT}/  (Ctrl+C stops it)"
exec .venv/bin/gunicorn --bind "127.0.0.1:${PORT}" --workers "${WORKERS:-2}" \
  --access-logfile - --error-logfile - "opc:create_app()"
