#!/usr/bin/env bash
# Lab 30's quick mode, as CI runs it (Tests/EndToEndTests/Lab30Tests.swift): `labrun run 30 --solutions` with
# 100 training steps, cold (fresh .labrun: the exercises and the lab compile) and warm (cached builds). Prints each
# run's wall and CPU seconds, per-cell seconds, and the medians. The issue's bar: under 3 minutes on two cores.
#
#   Benchmarks/Lab30Quick/run.sh [runs] [path/to/labrun]      # default 3 runs, .build/release/labrun
#
# Needs the data directory (LABRUN_DATA_DIR, default ../shared/data beside the repository) and python3.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-3}
labrun=${2:-$repo/.build/release/labrun}
[ -x "$labrun" ] || { echo "run.sh: no labrun at $labrun (swift build -c release first, or pass its path)" >&2; exit 2; }
export LABRUN_DATA_DIR=${LABRUN_DATA_DIR:-$(cd "$repo/.." && pwd)/shared/data}
[ -f "$LABRUN_DATA_DIR/tinyshakespeare.txt" ] || { echo "run.sh: no tinyshakespeare.txt in $LABRUN_DATA_DIR (set LABRUN_DATA_DIR)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ln -s "$repo/Labs" "$work/Labs"; ln -s "$repo/Solutions" "$work/Solutions"
cd "$work"
args=(run 30 --solutions --set steps=100 --set sizeBudget=4 --set sampleLength=50)
cold=(); warm=()
for i in $(seq 1 "$runs"); do
  for kind in cold warm; do
    [ "$kind" = cold ] && rm -rf .labrun
    /usr/bin/time -f "%e %U %S" -o t "$labrun" "${args[@]}" > out.txt 2>&1 || { tail -20 out.txt; exit 1; }
    read -r wall user sys < t
    cells=$(grep -E '^(✓|✗) [0-9.]+ s' out.txt | awk '{ printf "%s ", $2 }')
    loss=$(grep -o 'validation [0-9.]* nats/char' out.txt | head -1)
    printf '%-4s run %d: %7.1f s wall %7.1f s CPU   cells: %s  %s\n' "$kind" "$i" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$cells" "$loss"
    [ "$kind" = cold ] && cold+=("$wall") || warm+=("$wall")
  done
done
median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])):.1f}')" "$@"; }
echo "quick mode (steps=100), median of $runs: cold $(median "${cold[@]}") s, warm $(median "${warm[@]}") s wall; load now: $(cut -d' ' -f1-3 /proc/loadavg)"
