#!/usr/bin/env bash
# Debian's Chromium for the browser tests, installed once when missing (needs root/apt).
set -uo pipefail
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Chromium for the browser tests (apt-get)…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null && exit 0
fi
if [ -n "${CI:-}" ]; then
  echo "Chromium is required under CI and could not be installed." >&2
  exit 1
fi
echo "Chromium not installed: the browser tests will be skipped (apt-get install chromium)." >&2
exit 0
