#!/usr/bin/env bash
# Install everything okrsite needs, then build and serve the demo site on
# http://127.0.0.1:8000 (first command of the README).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
okrsite check
okrsite build --strict
exec okrsite serve --dev-addr 127.0.0.1:8000
