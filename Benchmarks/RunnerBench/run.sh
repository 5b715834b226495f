#!/usr/bin/env bash
# The runner's own overhead on a lab of 40 small cells: cold (compile) and warm (cached) `labrun run`, against a
# bare `swiftc` (same flags) of the same generated program (the source labrun keeps in its cache). Median of 5 interleaved runs.
#
#   Benchmarks/RunnerBench/run.sh [path/to/labrun]
#
# labrun defaults to .build/release/labrun, else .build/debug/labrun (LabKit must be built next to it, or set
# LABRUN_LIBDIR). Needs python3 (for the medians).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
labrun=${1:-}
if [ -z "$labrun" ]; then
  for c in "$repo/.build/release/labrun" "$repo/.build/debug/labrun"; do [ -x "$c" ] && { labrun=$c; break; }; done
fi
[ -x "${labrun:-}" ] || { echo "run.sh: no labrun binary (swift build first, or pass its path)" >&2; exit 2; }
libdir=${LABRUN_LIBDIR:-$(dirname "$labrun")}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/Labs"

# A lab of 40 small cells, each using state from earlier cells.
{
  printf -- '---\nslide: 1\ntitle: Forty small cells\n---\n\n'
  printf '```swift\nvar total = 0\nvar log: [String] = []\n```\n\n'
  for i in $(seq 1 39); do
    printf 'Cell %d.\n\n```swift\nlet v%d = total + %d\nfor k in 0..<%d { total += k %% 7 }\nlog.append("cell %d: \\(v%d)")\nprint(log.last!, total)\n```\n\n' "$i" "$i" "$i" "$i" "$i" "$i"
  done
} > "$work/Labs/forty.md"

export LABRUN_ROOT=$work LABRUN_LIBDIR=$libdir NO_COLOR=1
cd "$work"
"$labrun" run Labs/forty.md > /dev/null   # fills the cache and checks the lab passes

src=$(ls "$work"/.labrun/cache/programs/*/main.swift | head -1)
flags=(-Onone -gline-tables-only -module-name Lab -swift-version 5 -I "$libdir/Modules" -L "$libdir" -lLabKit -Xlinker -rpath -Xlinker "$libdir")

# "wall cpu" seconds for one command and its children (output discarded). CPU time (user + sys) does not
# grow when other jobs share the machine; wall time does.
measure() { /usr/bin/time -f "%e %U %S" -o "$work/t" "$@" > /dev/null; awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$work/t"; }
median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])):.3f}')" "$@"; }

# Interleaved, so a busy machine slows the runner and the bare compiler alike.
declare -a bw bc cw cc ww wc
for i in 1 2 3 4 5; do
  read -r w c < <(measure swiftc "${flags[@]}" "$src" -o "$work/bare"); bw+=("$w"); bc+=("$c")
  read -r w c < <(measure "$labrun" run Labs/forty.md --no-cache); cw+=("$w"); cc+=("$c")
  read -r w c < <(measure "$labrun" run Labs/forty.md); ww+=("$w"); wc+=("$c")
done
bare=$(median "${bw[@]}"); cold=$(median "${cw[@]}"); warm=$(median "${ww[@]}")
bare_cpu=$(median "${bc[@]}"); cold_cpu=$(median "${cc[@]}"); warm_cpu=$(median "${wc[@]}")
echo "labrun: $labrun  (load average: $(cut -d" " -f1-3 /proc/loadavg))"
echo "lab: 40 cells, $(wc -l < "$src") generated lines"
echo "median of 5                       wall       cpu (user+sys)"
echo "bare swiftc (generated program):  $bare s    $bare_cpu s"
echo "labrun run, cold (--no-cache):    $cold s    $cold_cpu s   ($(python3 -c "print(f'{$cold/$bare:.2f}x wall, {$cold_cpu/$bare_cpu:.2f}x cpu')") of bare swiftc; target <= 1.5x)"
echo "labrun run, warm (cached):        $warm s    $warm_cpu s   (target < 0.5 s wall)"
