#!/usr/bin/env bash
# CI's packaging checks (called by .ci/run; Debian/Ubuntu): the wheel installed into a new venv; the frozen
# app, its portable tar.gz and .deb built and smoke-tested (the .deb's files extracted with dpkg-deb -x);
# the Windows installer built with NSIS around the Linux bundle and run under Wine; the GitHub workflow
# linted. Each step's output goes to build/<step>.log, shown only when the step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build

# the system tools the checks use (Debian packages; installed once)
needed=()
for pair in makensis:nsis wine:wine wine64:wine64 wineserver:wine64 desktop-file-validate:desktop-file-utils \
  appstreamcli:appstream dpkg-deb:dpkg; do
  command -v "${pair%%:*}" >/dev/null || [ -x "/usr/lib/wine/${pair%%:*}" ] || needed+=("${pair#*:}")
done
if [ "${#needed[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${needed[@]}" > build/apt.log
fi
.venv/bin/python -m pip install -q -e ".[package]" 2>&1 | grep -v "^WARNING: Location" || true

step() {  # name, command…
  local name="$1" started=$SECONDS
  shift
  if "$@" > "build/$name.log" 2>&1; then
    echo "packaging: $name passed in $((SECONDS - started)) s: $(tail -1 "build/$name.log")"
  else
    tail -60 "build/$name.log"
    echo "packaging: $name FAILED (build/$name.log)" >&2
    exit 1
  fi
}

step workflow-lint .venv/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/packages.yml
step wheel .venv/bin/python packaging/check_wheel.py
step frozen .venv/bin/python packaging/build.py --fast
grep "^|" build/frozen.log
step windows-installer .venv/bin/python packaging/wine_check.py
