#!/usr/bin/env bash
# Cost of test containment: wall seconds of a warm `labrun grade` (7 tests, builds cached) of the grader's fixture
# course, median of RUNS; with OLD_LABRUN=path (a labrun built before containment) the same beside it, and the ratio.
#   Benchmarks/GradeContainment/run.sh [RUNS]      LABRUN=.build/debug/labrun by default
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$here/../.."
runs="${1:-5}"
labrun="${LABRUN:-$repo/.build/debug/labrun}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$repo/Tests/LabGraderTests/Fixtures/course" "$work/course"
chmod 700 "$work/course/Solutions" "$work/course/Tests/Graded/1/hidden"
bash "$repo/Tests/LabGraderTests/Fixtures/make_submissions.sh" "$work/subs" correct >/dev/null

median() {  # $1 = binary; prints the median wall seconds of $runs warm grades
  local bin="$1" cache="$work/cache-$(basename "$(dirname "$1")")-$RANDOM" times=()
  LABRUN_GRADE_CACHE="$cache" "$bin" grade "$work/subs/correct" --course "$work/course" --jobs 1 >/dev/null 2>&1   # warm-up: compiles
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(date +%s.%N)
    LABRUN_GRADE_CACHE="$cache" "$bin" grade "$work/subs/correct" --course "$work/course" --jobs 1 >/dev/null 2>&1
    t1=$(date +%s.%N)
    times+=("$(echo "$t1 - $t0" | bc -l)")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]}'
}

new=$(median "$labrun")
echo "contained: warm grade of 7 tests, median of $runs: ${new} s ($labrun)"
if [ -n "${OLD_LABRUN:-}" ]; then
  old=$(median "$OLD_LABRUN")
  echo "before containment: ${old} s ($OLD_LABRUN)"
  echo "ratio contained/before: $(echo "$new / $old" | bc -l | cut -c1-5)"
fi
uptime
