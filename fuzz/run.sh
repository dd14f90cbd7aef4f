#!/bin/sh
# fuzz/run.sh SECONDS HARNESS... - run each built harness (build/fuzz/fuzz_NAME)
# for SECONDS with libFuzzer's -max_total_time, on its corpus fuzz/corpus-NAME
# (kept between runs, ignored by git) plus the generated seeds build/fuzz/seeds/NAME.
# Prints "NAME: N runs" per harness (from libFuzzer's "Done N runs") and the
# total; exits non-zero when any harness crashed (the input is saved as
# fuzz/crash-NAME-*). FUZZ_JOBS=2 runs two harnesses at a time.
# FUZZ_ARGS adds libFuzzer flags (e.g. -rss_limit_mb=4096).
set -u
secs=$1
shift
jobs=${FUZZ_JOBS:-1}
mkdir -p build/fuzz/logs
run_one() {
  name=$1
  mkdir -p "fuzz/corpus-$name" "build/fuzz/seeds/$name"
  extra=""
  # lua: leaks are checked once, at exit, after lua_close (see fuzz/fuzz_lua.c).
  [ "$name" = lua ] && extra="-detect_leaks=0"
  "build/fuzz/fuzz_$name" -max_total_time="$secs" -print_final_stats=1 \
    -artifact_prefix="fuzz/crash-$name-" $extra ${FUZZ_ARGS:-} \
    "fuzz/corpus-$name" "build/fuzz/seeds/$name" >"build/fuzz/logs/$name.log" 2>&1
  echo $? >"build/fuzz/logs/$name.rc"
}
running=0
for name in "$@"; do
  run_one "$name" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait
    running=0
  fi
done
wait
status=0
total=0
for name in "$@"; do
  rc=$(cat "build/fuzz/logs/$name.rc")
  runs=$(sed -n 's/^Done \([0-9][0-9]*\) runs.*/\1/p' "build/fuzz/logs/$name.log" | tail -n 1)
  if [ "$rc" != 0 ] || [ -z "$runs" ]; then
    echo "$name: FAILED (exit $rc), see build/fuzz/logs/$name.log"
    grep -E "ERROR|SUMMARY|invariant|contract|runtime error" "build/fuzz/logs/$name.log" | head -n 5
    status=1
    runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "build/fuzz/logs/$name.log")
  else
    echo "$name: $runs runs in ${secs} s, no crash"
  fi
  total=$((total + ${runs:-0}))
done
echo "total: $total runs"
exit $status
