#!/usr/bin/env bash
# `make stress`: the long versions of what `make test` runs quickly — the
# mutation run with MUTATION_REQUESTS (default 100,000) under ASan+UBSan,
# slowhttptest's slowloris and slow body and a 2,000-connection flood
# (tests/slowhttp.sh), then every fuzzer for FUZZ_SECONDS (default 600) each. The test cluster must be
# started (the Makefile does it).
set -euo pipefail
: "${TEST_DATABASE_URL:?}"
export TEST_DATABASE_URL OPENAPI_JSON=${OPENAPI_JSON:-build/openapi.json}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=23}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}
export MUTATION_REQUESTS=${MUTATION_REQUESTS:-100000}
DATABASE_URL=$TEST_DATABASE_URL build/asan/inclusion-api migrate >/dev/null
echo "== mutation run: $MUTATION_REQUESTS requests (ASan build)"
mutation=0
INCLUSION_API_BIN=build/asan/inclusion-api build/asan/tests/integration --filter 'mutations/*' \
  --verbose >build/stress-mutations.log 2>&1 || mutation=1
grep -E 'mutations:|FAIL|Synthesis' build/stress-mutations.log || true
echo "== slow clients and a connection flood (slowhttptest, wrk)"
slow=0
tests/slowhttp.sh build/inclusion-api || slow=1
echo "== fuzzers: ${FUZZ_SECONDS:-600} s each"
tests/fuzz/run.sh "${FUZZ_SECONDS:-600}" "$@"
exit $((mutation | slow))
