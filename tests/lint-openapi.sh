#!/usr/bin/env bash
# Lints an OpenAPI document with Redocly CLI (openapi/redocly.yaml), validates
# it with a second, independent OpenAPI 3.1 validator
# (@seriousme/openapi-schema-validator: the official OAS 3.1 JSON Schema with
# Ajv) and writes a fully dereferenced JSON bundle to build/openapi.json.
#   tests/lint-openapi.sh openapi/openapi.yaml
# Installs nodejs/npm (apt) when missing, and both tools (pinned) under
# build/tools.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 FILE" >&2
  exit 2
fi
spec=$1
root=$(cd "$(dirname "$0")/.." && pwd)
config=$root/openapi/redocly.yaml
tools=$root/build/tools
out=$root/build/openapi.json
[ -f "$spec" ] || { echo "lint-openapi: no such file: $spec" >&2; exit 2; }

if ! command -v npm >/dev/null 2>&1; then
  echo "lint-openapi: installing nodejs and npm" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get install -y -qq nodejs npm >/dev/null
fi

node_major=$(node -v | sed -e 's/^v//' -e 's/\..*//')
skip=()
if [ "$node_major" -ge 20 ]; then
  want=2.77.0
else
  # Debian 12's own Node.js is 18: Redocly 1.x, whose problem-details rule does
  # not follow allOf (our problems extend a shared schema): that rule is left
  # to 2.x.
  want=1.34.20
  skip=(--skip-rule operation-4xx-problem-details-rfc7807)
fi
pkg=$tools/node_modules/@redocly/cli/package.json
have=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$pkg" 2>/dev/null | head -n 1 || true)
if [ "$have" != "$want" ]; then
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund --silent "@redocly/cli@$want" >&2
fi
redocly=$tools/node_modules/.bin/redocly
# The second validator: ESM, Node.js 18 (Debian 12's) and later.
validator_want=2.11.0
pkg=$tools/node_modules/@seriousme/openapi-schema-validator/package.json
have=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$pkg" 2>/dev/null | head -n 1 || true)
if [ "$have" != "$validator_want" ]; then
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund --silent \
    "@seriousme/openapi-schema-validator@$validator_want" >&2
fi
validator=$tools/node_modules/.bin/validate-api

# Redocly is chatty (banners, progress): keep its output for failures only.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_COLOR=1
if ! "$redocly" lint --config "$config" --format stylish "${skip[@]}" "$spec" >"$log" 2>&1; then
  cat "$log" >&2
  echo "lint-openapi: $spec has errors" >&2
  exit 1
fi
warnings=$(grep -cE '^[[:space:]]*[0-9]+:[0-9]+[[:space:]]+warning' "$log" || true)
if [ "$warnings" -gt 0 ]; then
  grep -E '^[[:space:]]*[0-9]+:[0-9]+[[:space:]]+warning' "$log" >&2
fi

# It prints {"valid": true} or the errors (JSON), and exits non-zero on errors.
if ! "$validator" "$spec" >"$log" 2>&1 || ! grep -q '"valid": *true' "$log"; then
  cat "$log" >&2
  echo "lint-openapi: $spec is not a valid OpenAPI 3.1 document (openapi-schema-validator)" >&2
  exit 1
fi

mkdir -p "$(dirname "$out")"
if ! "$redocly" bundle --config "$config" "$spec" --dereferenced --ext json -o "$out" >"$log" 2>&1; then
  cat "$log" >&2
  echo "lint-openapi: cannot bundle $spec" >&2
  exit 1
fi
[ -s "$out" ] || { echo "lint-openapi: $out was not written" >&2; exit 1; }
echo "lint-openapi: $spec valid ($warnings warning(s); openapi-schema-validator $validator_want: valid); bundle in ${out#"$root"/}"
