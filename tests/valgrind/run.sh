#!/usr/bin/env bash
# `make valgrind` (and `make stress`): the integration suite with every server
# and sub-command the tests start running under valgrind memcheck. Any
# definitely lost block, or any invalid read or write, makes the binary exit
# with 24, which fails the test that started it (tests/support/server.c
# checks every server's exit code). Each run's report is kept under
# build/valgrind/ and the summary lines are printed at the end.
#   tests/valgrind/run.sh BUILD_DIR [CRITERION ARGS...]
set -euo pipefail
dir=${1:?usage: tests/valgrind/run.sh BUILD_DIR}
shift
: "${TEST_DATABASE_URL:?}"
reports=$PWD/build/valgrind
rm -rf "$reports"
mkdir -p "$reports"
wrapper=$reports/inclusion-api
cat >"$wrapper" <<WRAP
#!/bin/sh
exec valgrind --quiet --error-exitcode=24 --leak-check=full --errors-for-leak-kinds=definite \\
  --show-leak-kinds=definite --track-origins=no --log-file=$reports/%p.log \\
  $PWD/$dir/inclusion-api "\$@"
WRAP
chmod +x "$wrapper"
export OPENAPI_JSON=${OPENAPI_JSON:-build/openapi.json}
# valgrind runs the server about 20 times slower: let it start and stop.
export TEST_SERVER_WAIT_S=${TEST_SERVER_WAIT_S:-90}
DATABASE_URL=$TEST_DATABASE_URL "$dir/inclusion-api" migrate >/dev/null
DATABASE_URL=$TEST_DATABASE_URL "$dir/inclusion-api" seed >/dev/null
rc=0
INCLUSION_API_BIN=$wrapper "$dir/tests/integration" --jobs "${TEST_JOBS:-2}" --short-filename "$@" || rc=$?
runs=$(find "$reports" -name '*.log' | wc -l)
# valgrind --quiet writes nothing for a clean run: a non-empty log is a finding.
dirty=$(find "$reports" -name '*.log' -size +0 | wc -l)
echo "valgrind memcheck: $runs processes of inclusion-api, $dirty with a report (build/valgrind/)"
find "$reports" -name '*.log' -size +0 -exec grep -H -m3 -E "definitely lost|Invalid|uninitialised" {} + || true
[ "$dirty" -eq 0 ] || rc=1
exit $rc
