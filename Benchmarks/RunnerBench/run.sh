#!/usr/bin/env bash
# The runner's own overhead on a lab of prose + 40 small cells that share state (and use LabTensor a little):
#   warm  `labrun run` with nothing changed (every build cached: the cached program is executed again),
#   cold  `labrun run` with .labrun/cache removed (compile + run + report),
#   bare  `swiftc` of the same generated program (the main.swift labrun keeps in its cache) with the flags the
#         runner's programs get: -Onone -gline-tables-only -swift-version 5 and the same -I/-L/-l/rpath.
# hyperfine medians (rounds of runs, interleaved per round so a busy machine slows each command alike), with
# min/max and mean CPU time (user+sys, which does not grow when other jobs share the cores), then the warm run's
# breakdown by phase (labrun's LABRUN_PHASES clock).
#
#   Benchmarks/RunnerBench/run.sh [path/to/labrun]        # env ROUNDS (default 3) x RUNS (default 3)
#
# labrun defaults to .build/release/labrun, else .build/debug/labrun (LabKit must be built next to it, or set
# LABRUN_LIBDIR): `swift build -c release --product labrun && swift build -c release --product LabKit`.
# Needs hyperfine (Debian: apt-get install hyperfine) and python3.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
labrun=${1:-}
if [ -z "$labrun" ]; then
  for c in "$repo/.build/release/labrun" "$repo/.build/debug/labrun"; do [ -x "$c" ] && { labrun=$c; break; }; done
fi
[ -x "${labrun:-}" ] || { echo "run.sh: no labrun binary (swift build first, or pass its path)" >&2; exit 2; }
command -v hyperfine > /dev/null || { echo "run.sh: needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
labrun=$(cd "$(dirname "$labrun")" && pwd)/$(basename "$labrun")
libdir=${LABRUN_LIBDIR:-$(dirname "$labrun")}
rounds=${ROUNDS:-3}
runs=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/Labs"

# Prose + 40 small cells, each using state from earlier cells.
{
  printf -- '---\nslide: 1\ntitle: Forty small cells\n---\n\n# Forty small cells\n\n'
  printf 'A lab of *prose* and cells: the runner'\''s own overhead, with `code`, a [link](https://example.com) and a list.\n\n'
  printf '```swift\nvar total = 0\nvar log: [String] = []\nvar t = Tensor([1, 2, 3, 4], shape: [2, 2])\n```\n\n'
  for i in $(seq 1 39); do
    printf 'Step %d adds to the running **total** and the tensor.\n\n- one item\n- another item\n\n' "$i"
    printf '```swift\nlet v%d = total + %d\nfor k in 0..<%d { total += k %% 7 }\nt = t + Tensor.ones([2, 2])\nlog.append("cell %d: \\(v%d)")\nprint(log.last!, total, t.sum().item())\n```\n\n' "$i" "$i" "$i" "$i" "$i"
  done
} > "$work/Labs/forty.md"

export LABRUN_ROOT=$work LABRUN_LIBDIR=$libdir NO_COLOR=1
cd "$work"
"$labrun" run Labs/forty.md > "$work/first.txt" || { cat "$work/first.txt"; echo "run.sh: the lab did not pass" >&2; exit 1; }

# Copies out of the cache (the cold runs remove it): the generated program and its build.
cp "$(ls "$work"/.labrun/cache/programs/*/main.swift | head -1)" "$work/main.swift"
cp "$(ls "$work"/.labrun/cache/programs/*/program | head -1)" "$work/program"
src=$work/main.swift
program=$work/program
flags=(-Onone -gline-tables-only -swift-version 5 -module-name Lab -I "$libdir/Modules" -L "$libdir" -lLabKit -Xlinker -rpath -Xlinker "$libdir")
# The child's own start: an empty program linked the same way (dynamic loading of LabKit, Foundation, OpenBLAS).
printf 'import LabKit\n' > "$work/empty.swift"
swiftc "${flags[@]}" "$work/empty.swift" -o "$work/empty"

load() { cut -d" " -f1-3 /proc/loadavg; }
load_before=$(load)
for r in $(seq 1 "$rounds"); do
  # One --prepare per command, in order: only the cold run starts without a cache.
  hyperfine -N --style none --runs "$runs" --export-json "$work/round$r.json" \
    --prepare true --prepare "rm -rf $work/.labrun/cache" --prepare true --prepare true --prepare true \
    -n bare "swiftc ${flags[*]} $src -o $work/bare" \
    -n cold "$labrun run Labs/forty.md" \
    -n warm "$labrun run Labs/forty.md" \
    -n program "$program" \
    -n empty "$work/empty" > /dev/null
done
load_after=$(load)

# The warm run by phase: labrun's own clock (LABRUN_PHASES); what is left of the wall time is process start
# (exec, dynamic loading, runtime set-up) and exit.
python3 - "$work" "$rounds" "$labrun" "$load_before" "$load_after" "$(wc -l < "$src")" <<'EOF'
import json, statistics as st, subprocess, sys, time, os, collections, resource
work, rounds, labrun, lb, la, lines = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
times, cpu = collections.defaultdict(list), collections.defaultdict(list)
for r in range(1, rounds + 1):
    for res in json.load(open(f"{work}/round{r}.json"))["results"]:
        times[res["command"]] += res["times"]
        cpu[res["command"]].append(res["user"] + res["system"])
med = {k: st.median(v) for k, v in times.items()}
def row(name, label, note=""):
    v = times[name]
    print(f"{label:<40} {med[name]:7.3f} s  [{min(v):.3f} - {max(v):.3f}]  cpu {st.mean(cpu[name]):6.3f} s  {note}")
cpu_model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print(f"labrun: {labrun}")
print(f"machine: {cpu_model}, {os.cpu_count()} cores; load average {lb} before, {la} after")
print(f"lab: prose + 40 cells, {lines} generated lines; hyperfine, {rounds} rounds x {len(times['warm']) // rounds} runs, median [min - max]")
row("bare", "bare swiftc (the generated program)")
row("cold", "labrun run, cold (cache removed)", f"{med['cold'] / med['bare']:.2f}x bare swiftc (target <= 1.2x)")
row("warm", "labrun run, warm (nothing changed)", "(target <= 0.300 s)")
row("program", "  the cached program alone")
row("empty", "  an empty program linked to LabKit")

env = dict(os.environ, LABRUN_PHASES="1")
phases, rest, rest_cpu = collections.defaultdict(list), [], []
for _ in range(9):
    c0, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    p = subprocess.run([labrun, "run", "Labs/forty.md"], cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall, c1 = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)
    # "phase <name words> <wall> s cpu <cpu> s" (older builds: no cpu)
    got = [(" ".join(w[1:-5]), float(w[-5]), float(w[-2])) if w[-3] == "cpu" else (" ".join(w[1:-2]), float(w[-2]), float("nan"))
           for w in (l.split() for l in p.stderr.splitlines() if l.startswith("phase "))]
    for name, s, c in got: phases[name].append((s, c))
    rest.append(wall - sum(s for _, s, _ in got))
    rest_cpu.append(cpu - sum(c for _, _, c in got))
print("warm run by phase (median of 9, LABRUN_PHASES=1)      wall      cpu")
print(f"  {'process start + exit (the rest)':<48} {st.median(rest) * 1000:6.1f} ms {st.median(rest_cpu) * 1000:6.1f} ms")
for name, v in phases.items():
    print(f"  {name:<48} {st.median(s for s, _ in v) * 1000:6.1f} ms {st.median(c for _, c in v) * 1000:6.1f} ms")
EOF
