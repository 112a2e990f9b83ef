#!/usr/bin/env bash
# Set up if needed, then start newsreader with the given arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/newsreader ] || ./scripts/setup.sh
exec .venv/bin/newsreader "$@"
