#!/usr/bin/env bash
# Idempotent set-up on Debian/Ubuntu: system packages (Python's venv, the libraries Qt needs to draw
# a window on X11/Wayland or offscreen), a virtual environment in .venv, newsreader installed editable
# with its test tools. Safe to run again; it only adds what is missing.
#   ./scripts/setup.sh           the app, the CLI and the test tools
#   ./scripts/setup.sh --bench   also what bench/ needs (psutil, the peer readers it compares against)
set -euo pipefail
cd "$(dirname "$0")/.."
extras="test"
case "${1:-}" in
  "") ;;
  --bench) extras="test,bench" ;;
  *) echo "usage: ./scripts/setup.sh [--bench]" >&2; exit 2 ;;
esac

python="${PYTHON:-python3}"
missing=()
"$python" -c "import venv, ensurepip" 2>/dev/null || missing+=(python3-venv)
# Qt 6 (PySide6) needs these; the fonts come with fontconfig. See ../shared/PLATFORM.md.
qt_packages=(libgl1 libegl1 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xkb1
  libxkbcommon-x11-0
  fonts-noto-core)  # scripts DejaVu lacks (Urdu's ہ and ے, Devanagari, Thai…): Qt falls back to these
if command -v dpkg-query >/dev/null; then
  for package in "${qt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  elif command -v sudo >/dev/null; then
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "setup: please install these Debian packages first: ${missing[*]}" >&2
    exit 1
  fi
fi

if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[$extras]"
