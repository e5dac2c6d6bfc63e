#!/usr/bin/env bash
# Build the WebGL map engine (dashboard/mapgl/dist/deckmap.js) from the npm registry; run by run.sh and test.sh.
# deck.gl and esbuild are pinned in package.json and package-lock.json: `npm ci` installs exactly those, esbuild bundles
# dashboard/mapgl/src, scripts/mapgl-licenses.mjs puts the bundled packages' licence texts at its top. The bundle is
# written to a temporary folder and moved into place only when complete, so a failed build never removes a good one.
# Runs again only when a source or the lock file changed. A fresh Debian has no Node: installed here.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! command -v npm >/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi
STAMP="$(cat package.json package-lock.json scripts/mapgl-licenses.mjs dashboard/mapgl/src/*.js | sha1sum | cut -c1-16)"
if [ -s dashboard/mapgl/dist/deckmap.js ] && [ -s dashboard/mapgl/dist/regenerator-runtime.js ] && [ -s dashboard/mapgl/dist/plotly-basic.min.js ] \
   && [ "$(cat dashboard/mapgl/dist/.stamp 2>/dev/null)" = "$STAMP" ]; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error >/dev/null
rm -rf dashboard/mapgl/dist.tmp
npm run --silent build -- --outfile=dashboard/mapgl/dist.tmp/deckmap.js --metafile=dashboard/mapgl/dist.tmp/meta.json --log-level=warning
node scripts/mapgl-licenses.mjs dashboard/mapgl/dist.tmp/deckmap.js dashboard/mapgl/dist.tmp/meta.json
# regenerator-runtime, which the pages load in place of Dash's 99 KB Babel polyfill (mapgl.use_regenerator_runtime)
npm run --silent build:runtime -- --outfile=dashboard/mapgl/dist.tmp/regenerator-runtime.js --metafile=dashboard/mapgl/dist.tmp/meta.json --log-level=warning
node scripts/mapgl-licenses.mjs dashboard/mapgl/dist.tmp/regenerator-runtime.js dashboard/mapgl/dist.tmp/meta.json
# plotly.js' basic bundle (bar, pie, scatter; 1.2 MB against the full 4.8 MB), as published (its notices inside, MIT
# licence beside): under the WebGL engine the page's charts load it in place of the full bundle (mapgl.use_basic_plotly)
cp node_modules/plotly.js-basic-dist-min/plotly-basic.min.js dashboard/mapgl/dist.tmp/plotly-basic.min.js
cp node_modules/plotly.js-basic-dist-min/LICENSE dashboard/mapgl/dist.tmp/plotly-basic.LICENSE.txt
echo "$STAMP" > dashboard/mapgl/dist.tmp/.stamp
rm -rf dashboard/mapgl/dist.old
if [ -d dashboard/mapgl/dist ]; then mv dashboard/mapgl/dist dashboard/mapgl/dist.old; fi
mv dashboard/mapgl/dist.tmp dashboard/mapgl/dist
rm -rf dashboard/mapgl/dist.old
