#!/usr/bin/env bash
# Debian's Chromium for the browser tests, installed once when missing (needs root/apt), and
# a small CJK font so that Chinese pages render in the screenshots instead of empty boxes.
# Playwright drives this Chromium; it never downloads a browser of its own.
set -uo pipefail

have_chromium() { [ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1; }
have_cjk_font() { ! command -v fc-list >/dev/null 2>&1 || [ -n "$(fc-list :lang=zh 2>/dev/null)" ]; }

if have_chromium && have_cjk_font; then
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq >/dev/null; then
    if ! have_chromium; then
      echo "Installing Chromium for the browser tests (apt-get)…"
      apt-get install -y -qq chromium >/dev/null
    fi
    if have_chromium && ! have_cjk_font; then
      echo "Installing a CJK font for the browser tests' screenshots (apt-get)…"
      apt-get install -y -qq --no-install-recommends fonts-wqy-microhei >/dev/null ||
        echo "Could not install fonts-wqy-microhei: Chinese text will show as boxes in screenshots." >&2
    fi
  fi
fi

if ! have_chromium; then
  if [ -n "${CI:-}" ]; then
    echo "Chromium is required under CI and could not be installed (apt-get install chromium)." >&2
    exit 1
  fi
  echo "Chromium not installed: the browser tests will be skipped (apt-get install chromium)." >&2
  exit 0
fi
if ! have_cjk_font; then
  echo "No CJK font: Chinese text will show as boxes in screenshots (apt-get install fonts-wqy-microhei)." >&2
fi
exit 0
