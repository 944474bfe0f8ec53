#!/usr/bin/env bash
# The browser tests: pages of the service loaded in headless Chromium
# (Debian's `chromium`) driven by playwright-core (npm, pinned, installed
# under build/tools by tests/browser/install.sh). Each test starts the real
# binary against the test database on a free loopback port, and fails on a
# console error, an uncaught exception, a request to any other host or a
# Content-Security-Policy violation; it keeps a screenshot under
# build/screenshots/.
#   tests/browser/run.sh [BINARY]        (default build/inclusion-api)
# Needs TEST_DATABASE_URL (a migrated, seeded database: make test's cluster).
# Alone: see the README ("Browser tests").
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-build/inclusion-api}
: "${TEST_DATABASE_URL:?TEST_DATABASE_URL must name the test database}"
# shellcheck source=tests/browser/install.sh
. "$root/tests/browser/install.sh"
export INCLUSION_API_BIN=$bin SCREENSHOTS=$root/build/screenshots
mkdir -p "$SCREENSHOTS"
passed=0 failed=0
for test in "$root"/tests/browser/test_*.mjs; do
  name=$(basename "$test" .mjs)
  # Bounded: a test that hangs is killed (its own timeouts come first).
  if timeout -k 5 180 node "$test"; then
    passed=$((passed + 1))
    echo "browser: $name passed"
  else
    failed=$((failed + 1))
    echo "browser: $name FAILED" >&2
  fi
done
echo "browser: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
