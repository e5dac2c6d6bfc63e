# Sourced by run.sh and test.sh: build the WebGL map engine (dashboard/mapgl/dist/deckmap.js) from the npm registry.
# deck.gl and esbuild are pinned in package.json and package-lock.json; `npm ci` installs exactly those, esbuild bundles
# dashboard/mapgl/src. Runs again only when the sources or the lock file changed. A fresh Debian has no Node: installed here.
if ! command -v npm >/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi
MAPGL_STAMP="$(cat package.json package-lock.json dashboard/mapgl/src/*.js | sha1sum | cut -c1-16)"
if [ ! -s dashboard/mapgl/dist/deckmap.js ] || [ "$(cat dashboard/mapgl/dist/.stamp 2>/dev/null)" != "$MAPGL_STAMP" ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  rm -rf dashboard/mapgl/dist.tmp
  npm run --silent build -- --outfile=dashboard/mapgl/dist.tmp/deckmap.js --log-level=warning
  echo "$MAPGL_STAMP" > dashboard/mapgl/dist.tmp/.stamp
  rm -rf dashboard/mapgl/dist && mv dashboard/mapgl/dist.tmp dashboard/mapgl/dist  # in place only when complete
fi
