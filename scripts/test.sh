#!/usr/bin/env bash
# Install everything (Debian chromium + chromium-driver included) and run the whole test suite,
# browser tests in headless Chromium included. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian packages the tests need, installed only when missing: the browser and its driver, pdftotext, Node/npm
# (axe-core comes from the npm registry; a fresh Debian has no Node), Redis (tests start their own, on loopback) and
# GDAL's command-line tools (ogrinfo/ogr2ogr read the OGC API).
NEED=""
command -v chromium >/dev/null || NEED="$NEED chromium"
command -v chromedriver >/dev/null || NEED="$NEED chromium-driver"
command -v pdftotext >/dev/null || NEED="$NEED poppler-utils"
command -v npm >/dev/null || NEED="$NEED nodejs npm"
command -v redis-server >/dev/null || NEED="$NEED redis-server"  # the shared-cache tests start their own server
command -v ogr2ogr >/dev/null || NEED="$NEED gdal-bin"  # a real GIS client reads the OGC API – Features
if [ -n "$NEED" ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $NEED >/dev/null
fi
# --- accessibility: axe-core (pinned) for the browser tests' automated accessibility check; installed once ---
AXE_VERSION=4.14.1
if [ "$(node -p "require('./.cache/axe/node_modules/axe-core/package.json').version" 2>/dev/null)" != "$AXE_VERSION" ]; then
  npm install --no-save --no-audit --no-fund --prefix .cache/axe "axe-core@$AXE_VERSION" >/dev/null
fi
# esda compiles with numba and caches beside the package; a private cache folder keeps parallel runs apart.
export NUMBA_CACHE_DIR="${NUMBA_CACHE_DIR:-$PWD/.cache/numba}"
source scripts/setup-python.sh
bash scripts/setup-js.sh
.venv/bin/pip install --quiet --disable-pip-version-check -e ".[test]"
exec .venv/bin/python -m pytest "$@"
