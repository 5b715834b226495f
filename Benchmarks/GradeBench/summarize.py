#!/usr/bin/env python3
"""GradeBench's tables: wall seconds per scenario and binary (median, min, max, load), new/old ratios, and the
per-phase breakdown from `labrun grade --timings` (median over runs of each phase's total within a run)."""
import collections, glob, json, os, statistics, sys

work, names = sys.argv[1], sys.argv[2:]
order = ["warm", "cold", "cold-new", "cold-lab", "batch", "batch-warm"]
times = collections.defaultdict(list)   # (name, scenario) -> [(seconds, load)]
for line in open(os.path.join(work, "times.tsv")):
    name, sc, run, secs, load, cpu = (line.rstrip("\n").split("\t") + ["nan"])[:6]
    if sc in order:
        times[(name, sc)].append((float(secs), float(load), float(cpu)))

print("\nWall seconds of `labrun grade` (process start to exit), lab 30:")
print(f"{'scenario':<11} {'binary':<6} {'runs':>4} {'median':>8} {'min':>8} {'max':>8}  {'load':>5}  CPU s (median: user+sys of the grade and its children)")
for sc in order:
    for n in names:
        v = times.get((n, sc))
        if not v: continue
        s = [x for x, _, _ in v]
        print(f"{sc:<11} {n:<6} {len(s):>4} {statistics.median(s):>8.2f} {min(s):>8.2f} {max(s):>8.2f}  {statistics.median([l for _, l, _ in v]):>5.2f}  {statistics.median([c for _, _, c in v]):.2f}")
if len(names) == 2:
    old, new = names
    print("\nRatio new/old of the medians (same run, alternating):")
    for sc in order:
        a, b = times.get((old, sc)), times.get((new, sc))
        if a and b:
            ma, mb = statistics.median([x for x, _, _ in a]), statistics.median([x for x, _, _ in b])
            ca, cb = statistics.median([c for _, _, c in a]), statistics.median([c for _, _, c in b])
            print(f"  {sc:<11} wall {mb:7.2f} / {ma:7.2f} = {mb / ma:.2f}x ({ma / mb:.1f}x faster);  CPU {cb:7.2f} / {ca:7.2f} = {cb / ca:.2f}x")

def phases(name, sc):
    """phase -> list over runs of (total seconds, count, built count)."""
    per_run = []
    for f in sorted(glob.glob(os.path.join(work, f"timings-{name}-{sc}-*.jsonl"))):
        tot = collections.defaultdict(lambda: [0.0, 0, 0])
        tests = []
        for line in open(f):
            e = json.loads(line)
            ph = e["phase"]
            if ph in ("compile-exercises", "compile-runner"):
                ph = ph + (" (cached)" if e.get("cached") else " (built)")
            t = tot[ph]
            t[0] += e["seconds"]; t[1] += 1
            if ph == "test": tests.append((e["seconds"], e["detail"]))
        per_run.append((tot, tests))
    return per_run

for n in names:
    data = {sc: phases(n, sc) for sc in order}
    data = {sc: v for sc, v in data.items() if v}
    if not data: continue
    allph = []
    for v in data.values():
        for tot, _ in v:
            for ph in tot:
                if ph not in allph: allph.append(ph)
    rank = ["setup", "input-hash", "collect", "regions", "check", "splice", "compile-exercises (built)",
            "compile-exercises (cached)", "library-check", "compile-runner (built)", "compile-runner (cached)",
            "link-runner", "sandbox", "test", "tests", "report", "gradebook", "grade"]
    allph.sort(key=lambda p: rank.index(p) if p in rank else len(rank))
    print(f"\nPhases of `{n}` (seconds summed within a run, median over runs; xN = how many per run; 'test' sums every test"
          " process, 'tests' is the wall time of all of them, 'grade' the whole grade inside the process; a batch sums its submissions):")
    print(f"{'phase':<28}" + "".join(f"{sc:>18}" for sc in data))
    for ph in allph:
        row = f"{ph:<28}"
        for sc, v in data.items():
            vals = [tot[ph] for tot, _ in v if ph in tot]
            if not vals: row += f"{'-':>18}"; continue
            row += f"{statistics.median([x[0] for x in vals]):>11.3f} x{int(statistics.median([x[1] for x in vals])):<5}"
        print(row)
    for sc in ("warm", "cold-new"):
        if sc in data and data[sc][0][1]:
            tests = sorted(data[sc][-1][1], reverse=True)
            print(f"  slowest test processes ({sc}, last run): " + ", ".join(f"{d.split('/')[-1]} {s:.2f}s" for s, d in tests[:5])
                  + f"; median {statistics.median([s for s, _ in tests]):.2f}s over {len(tests)}")
