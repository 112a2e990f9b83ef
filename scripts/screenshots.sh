#!/usr/bin/env bash
# Make the README's screenshots from the seed library (../shared/seed plus a few corpus feeds).
# Runs offscreen; needs no display. Usage: ./scripts/screenshots.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/screenshots}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
story=$(.venv/bin/python scripts/seed_library.py "$work/seed")
shoot() {  # name, gui.ini lines, extra arguments
  local name="$1" ini="$2"
  shift 2
  rm -rf "$work/lib" && cp -r "$work/seed" "$work/lib"
  printf '%b' "$ini" > "$work/lib/gui.ini"
  .venv/bin/newsreader --data-dir "$work/lib" gui --screenshot "$out/$name.png" "$@"
}
shoot main "" --select "$story"
for size in 1024x700 1920x1080; do
  shoot "light-$size" "[General]\ntheme=light\n" --select "$story" --size "$size"
  shoot "dark-$size" "[General]\ntheme=dark\n" --select "$story" --size "$size"
done
shoot sponsored-hidden "[window]\nsponsored_visible=false\n" --select "$story"
shoot dark "[General]\ntheme=dark\n" --select "$story"
mkdir -p "$work/empty"
.venv/bin/newsreader --data-dir "$work/empty" gui --screenshot "$out/empty.png"
echo "screenshots written to $out"
