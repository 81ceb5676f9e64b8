#!/usr/bin/env bash
# Refresh the lock files from pyproject.toml's ranges (newest releases that
# fit, for Python 3.11), with hashes. Run it, then `bash scripts/test.sh`,
# then commit the .lock files together with whatever the new releases needed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x .venv/bin/uv ]; then uv=.venv/bin/uv; elif command -v uv >/dev/null 2>&1; then uv=uv; else
  python3 -m venv .venv-lock && .venv-lock/bin/pip install -q "uv>=0.13,<0.14" && uv=.venv-lock/bin/uv
fi
# --universal: one lock for every platform and 3.11 patch release (markers);
# setuptools comes along because okrsite itself is installed without build
# isolation, so that nothing unlocked is fetched at install time.
common=(--python-version 3.11 --universal --generate-hashes --quiet
  --custom-compile-command "bash scripts/lock.sh")
build=$(mktemp); trap 'rm -f "$build"' EXIT
grep -o '"setuptools>=[^"]*"' pyproject.toml | tr -d '"' > "$build"
"$uv" pip compile pyproject.toml "$build" "${common[@]}" -o requirements.lock
"$uv" pip compile pyproject.toml "$build" --extra test --extra xlsx "${common[@]}" \
  -o requirements-test.lock
echo "requirements.lock and requirements-test.lock refreshed"
