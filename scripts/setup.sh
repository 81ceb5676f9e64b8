# Sourced by demo.sh and test.sh: system packages when missing, then a
# virtualenv in .venv with okrsite installed (editable).
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
[ -x .venv/bin/python ] || python3 -m venv .venv
# shellcheck disable=SC1091
source .venv/bin/activate
export NO_MKDOCS_2_WARNING=1
python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
if [ "${OKRSITE_WITH_TEST_TOOLS:-}" = 1 ]; then
  python -m pip install -q --disable-pip-version-check -e ".[test]"
  if [ -f tests/e2e/package.json ]; then
    npm install --silent --no-audit --no-fund --prefix tests/e2e >/dev/null
  fi
else
  python -m pip install -q --disable-pip-version-check -e .
fi
