#!/usr/bin/env bash
# Run the whole test suite (sets the environment up first if needed). pytest's exit code 5,
# "no tests were collected", counts as a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/pytest ] || ./scripts/setup.sh || exit 1
.venv/bin/python -m pytest "$@"
status=$?
if [ "$status" -eq 5 ]; then
  echo "test: pytest collected no tests, which counts as a failure" >&2
  exit 1
fi
exit "$status"
