#!/usr/bin/env bash
# CI's packaging checks (called by .ci/run): the wheel installed into a new venv, then the frozen app and
# this platform's installers built and smoke-tested. Each step's output goes to build/<step>.log and is
# shown only when the step fails; one line per step otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
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

step wheel .venv/bin/python packaging/check_wheel.py
step frozen .venv/bin/python packaging/build.py --smoke
