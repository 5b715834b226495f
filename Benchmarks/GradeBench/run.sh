#!/usr/bin/env bash
# Where the seconds of grading lab 30 go (issue 16, "Grading"): wall seconds of `labrun grade` (release build) of an
# honest lab-30 submission (a copy of Solutions/30 into subs/NAME/Exercises, as the e2e tests make them), median,
# min and max of several runs, with a breakdown by phase from `labrun grade --timings`:
#   warm         the same submission again: every build cached
#   cold         the submission's own cache entries removed (the compositions of its exercises and the runner links
#                in them); the lab's entries (stubs build, test runner built against the stubs) and the toolchain's
#                module caches (~/.cache/clang/ModuleCache) kept
#   cold-new     a submission never seen before: the honest copy with a comment line of its own in every exercise
#                region, so each of its exercise compositions is a new build (what a real class looks like)
#   cold-lab     the whole grade cache removed (the first submission of a lab); module caches kept
#   batch        BATCH (20) new submissions as above, `--submissions DIR --jobs 2`, builds not cached; then the
#                same batch again with --force (builds cached: batch-warm)
# CPU seconds (user + sys of labrun and every process it waited for: compilers, test processes) are printed too:
# on a shared machine they move much less with the load than wall seconds.
# With OLD_LABRUN=path (a labrun built before a change, with LabKit beside it) each scenario alternates the two
# binaries in the same run and prints new/old ratios. The load (uptime) is printed with every figure.
#
#   swift build -c release --product LabKit && swift build -c release --product labrun
#   Benchmarks/GradeBench/run.sh [RUNS=5] [BATCH=20]       LABRUN=.build/release/labrun by default
#   SCENARIOS="warm cold" Benchmarks/GradeBench/run.sh 3   (a subset; default: all)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
runs="${1:-5}"
batch="${2:-20}"
scenarios="${SCENARIOS:-warm cold cold-new cold-lab batch}"
cold_runs="${COLD_RUNS:-$runs}"
lab_runs="${LAB_RUNS:-2}"
batch_runs="${BATCH_RUNS:-1}"
export LABRUN_DATA_DIR="${LABRUN_DATA_DIR:-/work/shared/data}"
bins=("${LABRUN:-$repo/.build/release/labrun}")
names=("new")
if [ -n "${OLD_LABRUN:-}" ]; then bins=("$OLD_LABRUN" "${bins[0]}"); names=("old" "new"); fi
work="$(mktemp -d "${TMPDIR:-/tmp}/gradebench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
log="$work/times.tsv"   # binary scenario run seconds load cpu-seconds
: > "$log"

# A submission: the reference solutions, with `// NOTE` after each BEGIN SOLUTION line when NOTE is given.
make_sub() {  # dir [note]
  mkdir -p "$1/Exercises"
  for f in "$repo"/Solutions/30/*.swift; do
    if [ -n "${2:-}" ]; then
      awk -v note="$2" '{ print } /\/\/ BEGIN SOLUTION/ { sub(/\/\/ BEGIN SOLUTION.*/, ""); print $0 "// " note }' "$f" > "$1/Exercises/$(basename "$f")"
    else
      cp "$f" "$1/Exercises/"
    fi
  done
}
load() { uptime | sed 's/.*load average: //; s/,//g' | awk '{print $1}'; }
timings_flag() {  # binary file -> the --timings option if this binary has it
  if "$1" grade --help 2>/dev/null | grep -q -- '--timings'; then echo "--timings $2"; fi
}
# grade binary-index scenario run args... : times one `labrun grade`, appends to the log
grade() {
  local i="$1" sc="$2" run="$3"; shift 3
  local bin="${bins[$i]}" name="${names[$i]}" t0 t1 rc=0
  local tf="$work/timings-$name-$sc-$run.jsonl"
  rm -f "$tf"
  t0=$(date +%s.%N)
  LABRUN_GRADE_CACHE="$work/cache-$name" /usr/bin/time -o "$work/cpu" -f "%U %S" "$bin" grade --course "$repo" --lab 30 $(timings_flag "$bin" "$tf") "$@" \
    > "$work/out-$name-$sc-$run.txt" 2>&1 || rc=$?
  t1=$(date +%s.%N)
  [ "$rc" = 0 ] || { echo "labrun grade failed ($name $sc $run, exit $rc):"; tail -20 "$work/out-$name-$sc-$run.txt"; exit 1; }
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$sc" "$run" "$(echo "$t1 - $t0" | bc -l)" "$(load)" "$(awk '{print $1 + $2}' "$work/cpu" | tail -1)" >> "$log"
}
check_score() {  # the honest submission must score full marks (else we time a broken grade)
  grep -q 'Score: .*(100%)' "$1" || { echo "not full marks ($1):"; tail -40 "$1"; exit 1; }
}

echo "GradeBench: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(swiftc --version 2>&1 | head -1)"
echo "binaries: $(for i in "${!bins[@]}"; do printf '%s=%s ' "${names[$i]}" "${bins[$i]}"; done)"
echo "start load: $(uptime)"
make_sub "$work/subs/honest"

# Prime each binary's cache with another submission (the lab's own entries), then learn which entries the honest
# submission adds: those are what `cold` removes.
for i in "${!bins[@]}"; do
  n="${names[$i]}"
  make_sub "$work/prime/first" "primer"
  grade "$i" prime 0 "$work/prime/first"
  ls "$work/cache-$n" | sort > "$work/lab-entries-$n"
  grade "$i" warmup 0 "$work/subs/honest" --results "$work/honest-$n.json"
  check_score "$work/out-$n-warmup-0.txt"
  ls "$work/cache-$n" | sort | comm -13 "$work/lab-entries-$n" - > "$work/sub-entries-$n"
  echo "$n: the honest submission's own cache entries: $(wc -l < "$work/sub-entries-$n") ($(tr '\n' ' ' < "$work/sub-entries-$n" | cut -c1-120))"
done

for sc in $scenarios; do
  case "$sc" in
    warm)
      for r in $(seq "$runs"); do for i in "${!bins[@]}"; do grade "$i" warm "$r" "$work/subs/honest"; done; done ;;
    cold)
      for r in $(seq "$cold_runs"); do for i in "${!bins[@]}"; do
        n="${names[$i]}"
        while read -r e; do rm -rf "${work:?}/cache-$n/$e"; done < "$work/sub-entries-$n"
        grade "$i" cold "$r" "$work/subs/honest"
      done; done ;;
    cold-new)
      for r in $(seq "$cold_runs"); do for i in "${!bins[@]}"; do
        d="$work/new/${names[$i]}-$r"; make_sub "$d" "student ${names[$i]} $r"
        grade "$i" cold-new "$r" "$d"; check_score "$work/out-${names[$i]}-cold-new-$r.txt"
      done; done ;;
    cold-lab)
      for r in $(seq "$lab_runs"); do for i in "${!bins[@]}"; do
        rm -rf "${work:?}/cache-${names[$i]}"
        grade "$i" cold-lab "$r" "$work/subs/honest"
      done; done ;;
    batch)
      for r in $(seq "$batch_runs"); do for i in "${!bins[@]}"; do
        n="${names[$i]}"; d="$work/batch-$n-$r"
        for k in $(seq -w "$batch"); do make_sub "$d/s$k" "batch $n $r student $k"; done
        grade "$i" batch "$r" --submissions "$d" --jobs 2 --out "$work/batch-out-$n-$r"
        grade "$i" batch-warm "$r" --submissions "$d" --jobs 2 --out "$work/batch-out-$n-$r" --force
        if grep -q "harness\|failed" "$work/out-$n-batch-$r.txt"; then tail -5 "$work/out-$n-batch-$r.txt"; fi
        tail -1 "$work/out-$n-batch-$r.txt" | cut -c1-160
      done; done ;;
    *) echo "unknown scenario $sc"; exit 2 ;;
  esac
done

python3 "$here/summarize.py" "$work" "${names[@]}"
echo "end load: $(uptime)"
