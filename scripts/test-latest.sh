#!/usr/bin/env bash
# Early warning: run the whole suite against the newest releases that
# pyproject.toml allows (no lock), in a separate virtualenv (.venv-latest), so
# a third-party release that breaks okrsite shows up here before a user's
# fresh install meets it. The example CI workflows run this weekly.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf .venv-latest
OKRSITE_VENV=.venv-latest OKRSITE_UNLOCKED=1 OKRSITE_WITH_TEST_TOOLS=1 source scripts/setup.sh
mkdir -p test-artifacts && pip list --format=freeze --disable-pip-version-check > test-artifacts/latest-versions.txt
python -m pytest "$@"
