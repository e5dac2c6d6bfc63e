# Sourced by run.sh and test.sh: make .venv with Python 3.11 (installing Debian's python3-venv if needed).
PY=$(command -v python3.11 || command -v python3 || true)
if [ -z "$PY" ]; then
  echo "Quartiersatlas needs Python 3.11: install it first (Debian: apt-get install python3 python3-venv)" >&2; exit 1
fi
if ! "$PY" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "Quartiersatlas needs Python 3.11 (found $("$PY" --version))" >&2; exit 1
fi
if [ ! -x .venv/bin/pip ]; then
  if ! "$PY" -m venv .venv 2>/dev/null; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
    rm -rf .venv && "$PY" -m venv .venv
  fi
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
fi
