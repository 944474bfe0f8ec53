#!/usr/bin/env bash
# Runs each fuzzer for SECONDS: first on its regression inputs (each must
# pass), then exploring from its seed corpus (tests/fuzz/corpus/<name>/) plus
# what earlier runs found (build/fuzz/corpus/<name>/, not committed). Prints
# one line per fuzzer: executions, corpus size, crashes. Any crash fails.
#   tests/fuzz/run.sh SECONDS build/fuzz/fuzz_NAME...
set -euo pipefail
seconds=${1:?usage: tests/fuzz/run.sh SECONDS FUZZER...}
shift
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for fuzzer in "$@"; do
  name=$(basename "$fuzzer")
  name=${name#fuzz_}
  seeds=tests/fuzz/corpus/$name
  found=build/fuzz/corpus/$name
  regressions=tests/fuzz/regressions/$name
  mkdir -p "$found" "$seeds"
  if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
    "$fuzzer" -runs=0 "$regressions"/* >/dev/null 2>&1 \
      || { echo "fuzz $name: a regression input fails again"; "$fuzzer" -runs=0 "$regressions"/*; status=1; }
  fi
  log=build/fuzz/$name.log
  if "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
       -artifact_prefix=build/fuzz/crash-"$name"- "$found" "$seeds" >"$log" 2>&1; then
    runs=$(awk '/stat::number_of_executed_units/ {n = $2} END {print n}' "$log")
    corpus=$(ls "$found" | wc -l)
    echo "fuzz $name: $runs executions in ${seconds}s, 0 crashes, corpus $corpus"
  else
    echo "fuzz $name: CRASH (see $log and build/fuzz/crash-$name-*)"
    tail -40 "$log"
    status=1
  fi
done
exit $status
