#!/usr/bin/env bash
# Install what the tests need and run the whole test suite (second command of
# the README; .ci/run runs exactly this).
set -euo pipefail
cd "$(dirname "$0")/.."
OKRSITE_WITH_TEST_TOOLS=1 source scripts/setup.sh
ruff check okrsite tests bench
mypy okrsite
python -m pytest "$@"
