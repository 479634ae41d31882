#!/usr/bin/env bash
# A CJK font for the statements' PDFs (WeasyPrint draws the Chinese names with it), installed
# once when missing (needs root/apt). Idempotent: does nothing when a Chinese font is there.
set -uo pipefail

have_cjk_font() { command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null)" ]; }

if have_cjk_font; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null &&
    apt-get install -y -qq --no-install-recommends fontconfig fonts-wqy-microhei >/dev/null
fi
if ! have_cjk_font; then
  echo "No CJK font: the statements' PDFs will show Chinese names as boxes." \
    "Install fonts-wqy-microhei (or any font with Chinese glyphs)." >&2
  [ -z "${CI:-}" ] || exit 1
fi
exit 0
