#!/usr/bin/env bash
# Renders openapi/openapi.yaml into the page the binary serves at /docs, at
# build time, with the Redocly CLI that tests/lint-openapi.sh installs under
# build/tools (run it first: the Makefile does):
#   openapi/build-docs.sh OUT_DIR     writes OUT_DIR/docs.html and OUT_DIR/redoc.js
# docs.html loads one script, /docs/redoc.js (Redoc's standalone bundle, as
# the CLI ships it, followed by the page's own code and the contract), so that
# the page needs no inline script and nothing from a CDN
# (openapi/docs-split.mjs does the split and says what it changes).
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }
out=$1
root=$(cd "$(dirname "$0")/.." && pwd)
tools=$root/build/tools
redocly=$tools/node_modules/.bin/redocly
bundle=$tools/node_modules/@redocly/cli/lib/chunks/redoc.standalone.js
[ -x "$redocly" ] || { echo "build-docs: $redocly is missing: run tests/lint-openapi.sh first" >&2; exit 1; }
[ -f "$bundle" ] || { echo "build-docs: $bundle is missing (Redocly CLI 2.x expected)" >&2; exit 1; }
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_COLOR=1
if ! "$redocly" build-docs --config "$root/openapi/redocly.yaml" "$root/openapi/openapi.yaml" \
  -o "$tmp/redoc.html" >"$tmp/log" 2>&1; then
  cat "$tmp/log" >&2
  echo "build-docs: redocly build-docs failed" >&2
  exit 1
fi
node "$root/openapi/docs-split.mjs" "$tmp/redoc.html" "$bundle" "$tmp/docs.html" "$tmp/redoc.js"
mv "$tmp/docs.html" "$out/docs.html"
mv "$tmp/redoc.js" "$out/redoc.js"
echo "build-docs: $out/docs.html and $out/redoc.js"
