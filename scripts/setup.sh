#!/usr/bin/env bash
# Install what OPC Ops needs into .venv (idempotent; quick when nothing changed).
#   scripts/setup.sh          the app
#   scripts/setup.sh test     the app and the test tools (pytest, Playwright, Chromium)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "OPC Ops needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1))." >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv

extras=""
[ "${1:-}" = "test" ] && extras="[test]"
stamp=".venv/.installed${extras:+-test}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --quiet --disable-pip-version-check --upgrade pip
  # An editable install; pyproject's package-dir makes it a plain .pth of the project's
  # directory, without setuptools' "Editable installation" warning box. Twice quiet: pip's
  # warnings about the machine's own configuration (an extra index that lacks a package)
  # are not shown; its errors are, and fail the script.
  .venv/bin/python -m pip install --quiet --quiet --disable-pip-version-check -e ".${extras}"
  touch "$stamp"
fi

# A CJK font for the statements' PDFs (apt, once).
scripts/install-cjk-font.sh

# Compile the translations (the .po files are the source; .mo files are not committed).
.venv/bin/pybabel --quiet compile -d opc/translations

if [ "${1:-}" = "test" ]; then
  scripts/install-chromium.sh
fi
