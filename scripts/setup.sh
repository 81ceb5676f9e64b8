# Sourced by demo.sh and test.sh: system packages when missing, then a
# virtualenv in .venv with the locked dependencies (requirements*.lock, made by
# `bash scripts/lock.sh`) and okrsite itself (editable, no dependencies).
# OKRSITE_UNLOCKED=1 installs the newest releases pyproject.toml allows instead
# (scripts/test-latest.sh uses it, in its own .venv-latest).
missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
python3 -c "import ensurepip, venv" >/dev/null 2>&1 || missing+=(python3-venv)
if [ "${OKRSITE_WITH_TEST_TOOLS:-}" = 1 ]; then
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
venv="${OKRSITE_VENV:-.venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
# shellcheck disable=SC1091
source "$venv/bin/activate"
export NO_MKDOCS_2_WARNING=1
pip_install() { python -m pip install -q --disable-pip-version-check "$@"; }
if [ "${OKRSITE_UNLOCKED:-}" = 1 ]; then
  pip_install --upgrade pip
  if [ "${OKRSITE_WITH_TEST_TOOLS:-}" = 1 ]; then extras="[test,xlsx]"; else extras=""; fi
  pip_install --upgrade --upgrade-strategy eager -e ".$extras"
else
  if [ "${OKRSITE_WITH_TEST_TOOLS:-}" = 1 ]; then lock=requirements-test.lock; else lock=requirements.lock; fi
  # Hashes make pip refuse anything but the locked files; `sync` semantics
  # come from installing into a venv that only this script fills.
  pip_install --require-hashes -r "$lock"
  pip_install --no-deps --no-build-isolation -e .
fi
if [ "${OKRSITE_WITH_TEST_TOOLS:-}" = 1 ] && [ -f tests/e2e/package.json ]; then
  # package-lock.json pins axe-core; `npm ci` installs exactly that.
  npm ci --silent --no-audit --no-fund --prefix tests/e2e >/dev/null
fi
