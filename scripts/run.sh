#!/usr/bin/env bash
# Install everything, build the default city bundle (Berlin where its data folder is found, else the
# synthetic demo city) and serve the dashboard at http://127.0.0.1:8050.
set -euo pipefail
cd "$(dirname "$0")/.."
# esda compiles with numba and caches the code; a cache folder of the checkout's own (as scripts/test.sh) rather than
# beside the installed package, where a stale entry from another install breaks Gi* and local Moran.
export NUMBA_CACHE_DIR="${NUMBA_CACHE_DIR:-$PWD/.cache/numba}"
source scripts/setup-python.sh
bash scripts/setup-js.sh || echo "The WebGL map could not be built (Node/npm or the npm registry missing): the map is drawn with Plotly" >&2
.venv/bin/pip install --quiet --disable-pip-version-check -e .
.venv/bin/quartiersatlas build --if-missing
exec .venv/bin/quartiersatlas serve "$@"
