# Sourced by tests/browser/run.sh and tests/bench/indicators.sh: node and npm,
# Debian's chromium (apt, when absent) and playwright-core (npm, pinned, under
# build/tools like the OpenAPI linter; it downloads no browser). Sets
# NODE_PATH and CHROMIUM. Needs $root (the repository).
tools=$root/build/tools
want=1.65.2
chromium=${CHROMIUM:-/usr/bin/chromium}

if ! command -v npm >/dev/null 2>&1; then
  echo "browser: installing nodejs and npm" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get install -y -qq nodejs npm >/dev/null
fi
if [ ! -x "$chromium" ]; then
  echo "browser: installing chromium" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
pkg=$tools/node_modules/playwright-core/package.json
have=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$pkg" 2>/dev/null | head -n 1 || true)
if [ "$have" != "$want" ]; then
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund --silent "playwright-core@$want" >&2
fi
export NODE_PATH=$tools/node_modules CHROMIUM=$chromium
