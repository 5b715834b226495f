#!/usr/bin/env python3
"""The whole side-by-side table: LabKit (train-bench, library blocks and lab 30's written-out blocks) against PyTorch
(Benchmarks/torch_minigpt_bench.py), run alternately round after round (the host's speed drifts), one repeat per run;
every figure is the median over the rounds with min and max, and the ratio ours / PyTorch.

Rows: training step tokens/s (forward + backward + clip + AdamW, batch 32 x 128, dropout 0.1), forward-only
evaluation at (32, 128), generation of N tokens at batch 1 without and with a KV cache, peak RSS, and each side's
sgemm speed on a 512^3 product between the runs (training and evaluation are mostly sgemm, so this ratio is roughly
the most the others can reach); the OpenBLAS core and thread counts are printed. An extra column `--before BIN` times an older train-bench build the same way.

`--avx2` runs both sides as on an AVX2-only CPU (an AMD EPYC before Zen 4) on a host with AVX-512: OpenBLAS with its
Haswell kernels (the ones its Zen target uses; OPENBLAS_L2_SIZE=512 as on Zen 2/3) and PyTorch with ATen, oneDNN and
MKL capped at AVX2 (ATEN_CPU_CAPABILITY, ONEDNN_MAX_CPU_ISA, MKL_ENABLE_INSTRUCTIONS); the headers print what each
side then ran. Without it both run in this shell's environment (unset OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE in the
command for OpenBLAS's own choice).

Usage:
  swift build -c release --product train-bench
  python3 Benchmarks/side_by_side.py [--avx2] [--rounds 5] [--steps 10] [--gen-tokens 200] [--python /work/venv-torch/bin/python]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run(cmd, env):
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        sys.exit(f"failed ({out.returncode}): {' '.join(cmd)}\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    m = re.search(r"^RESULT \w+ (.*)$", out.stdout, re.M)
    if not m:
        sys.exit(f"no RESULT line from {' '.join(cmd)}:\n{out.stdout[-2000:]}")
    vals = {k: float(v) for k, v in (kv.split("=") for kv in m.group(1).split())}
    return vals, out.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--eval-iters", type=int, default=10)
    ap.add_argument("--gen-tokens", type=int, default=200)
    ap.add_argument("--threads", type=int, default=2, help="threads for both (LabTensor and OMP/torch); 1 on a loaded host")
    ap.add_argument("--swift", default=os.path.join(ROOT, ".build/release/train-bench"))
    ap.add_argument("--before", help="an older train-bench binary to time alongside (library blocks)")
    ap.add_argument("--python", default="/work/venv-torch/bin/python")
    ap.add_argument("--avx2", action="store_true", help="both sides limited to AVX2 (see above)")
    a = ap.parse_args()
    env = dict(os.environ, OMP_NUM_THREADS=str(a.threads))
    torch_env = dict(env)
    if a.avx2:
        env.update(OPENBLAS_CORETYPE="Haswell", OPENBLAS_L2_SIZE="512")
        torch_env.update(ATEN_CPU_CAPABILITY="avx2", ONEDNN_MAX_CPU_ISA="AVX2", MKL_ENABLE_INSTRUCTIONS="AVX2")
    common = ["--repeats", "1", "--steps", str(a.steps), "--eval-iters", str(a.eval_iters), "--gen-tokens", str(a.gen_tokens)]
    ours = common + ["--threads", str(a.threads)]
    programs = [("ours", [a.swift] + ours), ("ours written-out", [a.swift, "--written-out"] + ours)]
    if a.before:
        programs.append(("before", [a.before] + ours))
    programs.append(("PyTorch", [a.python, os.path.join(HERE, "torch_minigpt_bench.py"), "--threads", str(a.threads)] + common))
    results = {name: [] for name, _ in programs}
    headers = {}
    for r in range(a.rounds):
        for name, cmd in programs:
            vals, text = run(cmd, torch_env if name == "PyTorch" else env)
            results[name].append(vals)
            headers.setdefault(name, text.splitlines()[0])
            print(f"round {r + 1}/{a.rounds} {name:17s} " + "  ".join(f"{k}={v:.1f}" for k, v in vals.items()), flush=True)
    print()
    for name, h in headers.items():
        print(f"{name:17s} {h}")
    print(f"machine: {cpu_name()}, {os.cpu_count()} CPUs, avx512f {'yes' if 'avx512f' in cpu_flags() else 'no'}; "
          f"OPENBLAS_CORETYPE={env.get('OPENBLAS_CORETYPE', '(unset)')}; {'both limited to AVX2; ' if a.avx2 else ''}{a.threads} thread(s) each; "
          f"load average {os.getloadavg()[0]:.1f}; {a.rounds} alternating rounds, medians [min-max]")

    def cell(name, key):
        xs = [v[key] for v in results[name] if key in v]
        return (statistics.median(xs), min(xs), max(xs)) if xs else None

    def fmt(c):
        return "n/a" if c is None else f"{c[0]:,.1f} [{c[1]:,.0f}-{c[2]:,.0f}]"

    rows = [("train tokens/s (library blocks)", "ours", "train", "train"),
            ("train tokens/s (lab 30 written-out)", "ours written-out", "train", "train"),
            ("eval tokens/s (32, 128)", "ours", "eval", "eval"),
            (f"generate {a.gen_tokens} B=1, no cache", "ours", "gen", "gen"),
            (f"generate {a.gen_tokens} B=1, KV cache", "ours", "gen_cached", "gen_cached"),
            (f"ours KV cache vs PyTorch's slide loop", "ours", "gen_cached", "gen"),
            ("peak RSS MB (library blocks)", "ours", "peak_rss_mb", "peak_rss_mb"),
            ("sgemm GFLOP/s, 512^3 probe (the roof)", "ours", "sgemm_gflops", "sgemm_gflops")]
    cols = ["ours", "PyTorch", "ratio"] + (["before", "before/PyTorch"] if a.before else [])
    print(f"\n{'':40s}" + "".join(f"{c:>28s}" for c in cols))
    for label, who, key, tkey in rows:
        ours, torch = cell(who, key), cell("PyTorch", tkey)
        ratio = f"{ours[0] / torch[0]:.2f}x" if ours and torch else "n/a"
        line = f"{label:40s}{fmt(ours):>28s}{fmt(torch):>28s}{ratio:>28s}"
        if a.before:
            b = cell("before", key) if who == "ours" else None
            line += f"{fmt(b):>28s}" + (f"{b[0] / torch[0]:.2f}x" if b and torch else "n/a").rjust(28)
        print(line)


def cpu_flags():
    try:
        return next(l for l in open("/proc/cpuinfo") if l.startswith("flags")).split()
    except (OSError, StopIteration):
        return []


def cpu_name():
    try:
        return next(l for l in open("/proc/cpuinfo") if l.startswith("model name")).split(":", 1)[1].strip()
    except (OSError, StopIteration):
        return "unknown CPU"


if __name__ == "__main__":
    main()
