#!/usr/bin/env bash
# Runs every suite for each build directory given (plain, then sanitizers):
# unit tests, integration tests (the real binary over HTTP against the test
# cluster), then the fault tests that stop the cluster, alone.
# Called by `make test`, which builds everything and starts the cluster first.
set -euo pipefail
: "${TEST_DATABASE_URL:?}" "${TEST_PG_DIR:?}" "${TEST_PG_PORT:?}"
export TEST_DATABASE_URL TEST_PG_DIR TEST_PG_PORT
export OPENAPI_JSON=${OPENAPI_JSON:-build/openapi.json}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=23}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}
jobs=${TEST_JOBS:-2}

DATABASE_URL=$TEST_DATABASE_URL build/inclusion-api migrate >/dev/null
DATABASE_URL=$TEST_DATABASE_URL build/inclusion-api seed >/dev/null

for dir in "$@"; do
  echo "== $dir: unit"
  "$dir/tests/unit" --jobs "$jobs" --short-filename
  echo "== $dir: integration"
  INCLUSION_API_BIN=$dir/inclusion-api "$dir/tests/integration" --jobs "$jobs" --short-filename
  echo "== $dir: faults"
  INCLUSION_API_BIN=$dir/inclusion-api "$dir/tests/faults" --jobs 1 --short-filename
done

# The pages in headless Chromium, once, against the first build given.
echo "== $1: browser"
tests/browser/run.sh "$1/inclusion-api"
