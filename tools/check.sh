#!/usr/bin/env bash
# Runs every check of the project, step by step, and ends with "N passed, N failed".
# A step's tests count one by one where it reports them (busted TAP, "N passed, N failed"
# lines), otherwise the step counts as one test. Logs: build/check/STEP.log
#   tools/check.sh [STEP ...]    (default: all steps)
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p build/check

MAKE=${MAKE:-make}
all_steps="lint doc warnings busted peers rockspec windows wine asan valgrind fuzz kernel winekernel"
steps=${*:-$all_steps}
passed=0 failed=0 skipped=0 failed_steps=""

count_tap() {   # busted -o TAP; pending tests ("ok N - # SKIP") count as skipped
  local ok notok skip
  ok=$(grep '^ok ' "$1" | grep -vc ' # SKIP' || true)
  skip=$(grep -c '^ok .* # SKIP' "$1" || true)
  notok=$(grep -c '^not ok ' "$1" || true)
  echo "$ok $notok $skip"
}

count_summary() {   # the last "N passed, N failed" line a step printed
  local line
  line=$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
  [ -n "$line" ] || return 1
  echo "$line" | sed -E 's/([0-9]+) passed, ([0-9]+) failed/\1 \2/'
}

run_step() {
  local name=$1; shift
  local log=build/check/$name.log start rc p f k counts
  start=$(date +%s)
  "$@" >"$log" 2>&1
  rc=$?
  if [ "$name" = busted ]; then
    counts=$(count_tap "$log")
  else
    counts=$(count_summary "$log") || counts=""
  fi
  k=0
  if [ -n "$counts" ]; then
    read -r p f k <<<"$counts"
    k=${k:-0}
  elif [ $rc -eq 0 ]; then
    p=1 f=0
  else
    p=0 f=1
  fi
  # A step that failed without failing any counted test still counts as a failure.
  if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + k))
  if [ $rc -eq 0 ]; then
    printf 'ok   %-9s %4s passed, %s skipped  (%ss)\n' "$name" "$p" "$k" "$(( $(date +%s) - start ))"
  else
    failed_steps="$failed_steps $name"
    printf 'FAIL %-9s %4s passed, %s failed (%ss), last lines of %s:\n' "$name" "$p" "$f" \
      "$(( $(date +%s) - start ))" "$log"
    tail -n 25 "$log" | sed 's/^/     | /'
  fi
}

for s in $steps; do
  case "$s" in
    lint) run_step lint $MAKE -s lint ;;
    doc) run_step doc $MAKE -s check-doc ;;
    warnings) run_step warnings $MAKE -s check-warnings ;;
    busted) run_step busted $MAKE -s busted BUSTED_FLAGS="-o TAP" ;;
    peers) run_step peers $MAKE -s check-peers ;;
    rockspec) run_step rockspec $MAKE -s check-rockspec ;;
    windows) run_step windows $MAKE -s windows ;;
    wine) run_step wine $MAKE -s check-wine ;;
    asan) run_step asan $MAKE -s check-asan ;;
    valgrind) run_step valgrind $MAKE -s check-valgrind ;;
    fuzz) run_step fuzz $MAKE -s fuzz-ci ;;
    kernel) run_step kernel $MAKE -s check-kernel ;;
    winekernel) run_step winekernel $MAKE -s check-wine-kernel ;;
    *) echo "check.sh: unknown step '$s' (steps: $all_steps)" >&2; exit 2 ;;
  esac
done

[ -z "$failed_steps" ] || echo "failed steps:$failed_steps"
echo "$passed passed, $failed failed, $skipped skipped"
[ -z "$failed_steps" ]
