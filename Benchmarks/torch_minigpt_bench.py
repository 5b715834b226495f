#!/usr/bin/env python3
"""PyTorch side of train-bench: the same mini GPT, the same three figures, the same output format.

Model (nanoGPT-style, identical to LabNN's GPT(.miniShakespeare(vocabSize: 65))): V=65, C=256, n_head=4, n_layer=4,
T=128, dropout 0.1, pre-LN blocks, fused qkv + F.scaled_dot_product_attention(is_causal=True), GELU (exact) MLP,
lm_head without bias, untied. Batch 32, AdamW(lr=3e-4, PyTorch defaults), clip_grad_norm_ 1.0, random seeded tokens.
  train: tokens/s of forward + loss + backward + clip + AdamW steps (batches sampled before the clock starts)
  eval : tokens/s of model.eval() + no_grad forward (logits + loss) at (32, 128)
  gen  : tokens/s of generating 200 tokens at batch 1 from a 1-token prompt, no KV cache (the slide's loop)
  gen cached: the same with a KV cache (rebuilt from the cropped window past block_size; same tokens, asserted)
Median of --repeats repeats (min, max), peak RSS (ru_maxrss).

Usage (alternate with the Swift program, the host's speed drifts):
  OMP_NUM_THREADS=2 /opt/refenv/bin/python Benchmarks/torch_minigpt_bench.py [--repeats 5] [--steps 10] [--threads 2]
  Phases of a step (wall, CPU, cores busy; the same table as train-bench --phases): ... --phases --steps 6
"""
import argparse
import math
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Config:
    vocab_size, block_size, n_layer, n_head, n_embd, dropout = 65, 128, 4, 4, 256, 0.1


class CausalSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_attn = nn.Linear(c.n_embd, 3 * c.n_embd)
        self.c_proj = nn.Linear(c.n_embd, c.n_embd)
        self.resid_dropout = nn.Dropout(c.dropout)
        self.n_head, self.n_embd, self.dropout = c.n_head, c.n_embd, c.dropout

    def forward(self, x, cache=None):
        """cache: None, or a [k, v] pair (B, nh, L, hs) of the earlier positions, extended in place (Hugging Face's
        DynamicCache: torch.cat); new queries attend causally from position L."""
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, nh, T, hs)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        causal = True
        if cache is not None:
            if cache[0] is not None:
                k, v = torch.cat((cache[0], k), dim=2), torch.cat((cache[1], v), dim=2)
                assert T == 1, "the cached path feeds one token after the prefill"
                causal = False  # one new query sees every cached key
            cache[0], cache[1] = k, v
        y = F.scaled_dot_product_attention(q, k, v, dropout_p=self.dropout if self.training else 0.0, is_causal=causal)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_fc = nn.Linear(c.n_embd, 4 * c.n_embd)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * c.n_embd, c.n_embd)
        self.dropout = nn.Dropout(c.dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.ln_1, self.attn, self.ln_2, self.mlp = nn.LayerNorm(c.n_embd), CausalSelfAttention(c), nn.LayerNorm(c.n_embd), MLP(c)

    def forward(self, x, cache=None):
        x = x + self.attn(self.ln_1(x), cache)
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(c.vocab_size, c.n_embd), wpe=nn.Embedding(c.block_size, c.n_embd), drop=nn.Dropout(c.dropout),
            h=nn.ModuleList([Block(c) for _ in range(c.n_layer)]), ln_f=nn.LayerNorm(c.n_embd)))
        self.lm_head = nn.Linear(c.n_embd, c.vocab_size, bias=False)
        for name, p in self.named_parameters():  # nanoGPT init
            if p.dim() >= 2:
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * c.n_layer) if name.endswith("c_proj.weight") else 0.02)
            elif name.endswith(".bias") and "ln_" not in name:
                nn.init.zeros_(p)

    def forward(self, idx, targets=None, caches=None, start=0):
        B, T = idx.size()
        pos = torch.arange(start, start + T)
        t = self.transformer
        x = t.drop(t.wte(idx) + t.wpe(pos))
        for i, block in enumerate(t.h):
            x = block(x, None if caches is None else caches[i])
        logits = self.lm_head(t.ln_f(x))
        loss = None if targets is None else F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
        return logits, loss


@torch.no_grad()
def generate(model, idx, max_new_tokens, block_size):
    for _ in range(max_new_tokens):
        logits, _ = model(idx[:, -block_size:])
        probs = F.softmax(logits[:, -1, :], dim=-1)
        idx = torch.cat((idx, torch.multinomial(probs, num_samples=1)), dim=1)
    return idx


@torch.no_grad()
def generate_cached(model, idx, max_new_tokens, block_size):
    """The same tokens as `generate` (same seed): a KV cache while the context fits block_size; once it is cropped
    every position shifts, so the cache is rebuilt from the cropped window (LabNN's generate does the same)."""
    caches, length = None, 0
    for _ in range(max_new_tokens):
        n = idx.size(1)
        if n > block_size or caches is None:
            caches = [[None, None] for _ in model.transformer.h]
            first = max(0, n - block_size)
            logits, _ = model(idx[:, first:], caches=caches, start=0)
            length = n - first
        else:
            logits, _ = model(idx[:, -1:], caches=caches, start=length)
            length += 1
        probs = F.softmax(logits[:, -1, :], dim=-1)
        idx = torch.cat((idx, torch.multinomial(probs, num_samples=1)), dim=1)
    return idx


_PROBE = {}


def probe_gflops(seconds=0.15, n=512):
    """GFLOP/s of a 512x512 matmul for ~0.15 s: how fast the (shared, drifting) host is right now."""
    if not _PROBE:
        _PROBE["a"], _PROBE["b"] = torch.randn(n, n), torch.randn(n, n)
    a, b = _PROBE["a"], _PROBE["b"]
    a @ b
    it, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        a @ b
        it += 1
    return 2.0 * n ** 3 * it / (time.perf_counter() - t0) / 1e9


def phases(model, opt, batch, steps, warmup):
    """The same table as train-bench --phases: medians of wall ms, CPU ms (all threads) and CPU / wall per phase."""
    names = ["forward + loss", "backward", "clipGradNorm", "AdamW.step", "whole step"]
    wall, cpu = [[] for _ in names], [[] for _ in names]
    model.train()
    for i in range(warmup + steps):
        x, y = batch()
        w0, c0 = time.perf_counter(), time.process_time()
        ws, cs = w0, c0
        laps = []
        _, loss = model(x, y)
        loss.item()
        laps.append((time.perf_counter(), time.process_time()))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        laps.append((time.perf_counter(), time.process_time()))
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        laps.append((time.perf_counter(), time.process_time()))
        opt.step()
        laps.append((time.perf_counter(), time.process_time()))
        if i < warmup:
            continue
        for k, (w, c) in enumerate(laps):
            wall[k].append(1000 * (w - w0)); cpu[k].append(1000 * (c - c0))
            w0, c0 = w, c
        wall[4].append(1000 * (laps[-1][0] - ws)); cpu[4].append(1000 * (laps[-1][1] - cs))
    model.eval()
    ew, ec = [], []
    ex, ey = batch()
    with torch.no_grad():
        for i in range(warmup + steps):
            w0, c0 = time.perf_counter(), time.process_time()
            model(ex, ey)[1].item()
            if i >= warmup:
                ew.append(1000 * (time.perf_counter() - w0)); ec.append(1000 * (time.process_time() - c0))
    model.train()
    print(f"phase of a training step            wall ms     CPU ms   cores busy   (medians of {steps} steps)")
    for k, name in enumerate(names):
        w, c = statistics.median(wall[k]), statistics.median(cpu[k])
        print(f"{name:34s}{w:9.1f}  {c:9.1f}   {c / w:6.2f}")
    w, c = statistics.median(ew), statistics.median(ec)
    print(f"{'eval forward (32,128), no_grad':34s}{w:9.1f}  {c:9.1f}   {c / w:6.2f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--eval-iters", type=int, default=10)
    ap.add_argument("--gen-tokens", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--phases", action="store_true",
                    help="time forward, backward, clip and AdamW of each step (wall, process CPU, cores busy) and exit")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    c = Config()
    B, T = 32, c.block_size
    torch.manual_seed(1337)
    model = GPT(c)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-4)
    g = torch.Generator().manual_seed(0)
    data = torch.randint(c.vocab_size, (200_000,), generator=g)

    def batch():
        ix = torch.randint(len(data) - T - 1, (B,), generator=g)
        return torch.stack([data[i:i + T] for i in ix]), torch.stack([data[i + 1:i + 1 + T] for i in ix])

    def train_step(x, y):
        _, loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    print(f"torch {torch.__version__}: threads {torch.get_num_threads()}, capability {torch.backends.cpu.get_cpu_capability()}")
    n_params = sum(p.numel() for p in model.parameters())
    print(f"mini-GPT V={c.vocab_size} C={c.n_embd} H={c.n_head} L={c.n_layer} T={T} B={B} dropout={c.dropout}, {n_params} params; "
          f"{a.repeats} repeats of {a.steps} train steps / {a.eval_iters} forwards / {a.gen_tokens} tokens")
    if a.phases:
        phases(model, opt, batch, a.steps, a.warmup)
        return
    model.train()
    first = [train_step(*batch()) for _ in range(a.warmup)][0] if a.warmup else float("nan")
    ex, ey = batch()
    res = {k: [] for k in ("train", "train_ms", "eval", "eval_ms", "gen", "gen_ms", "genc", "genc_ms")}
    last = float("nan")
    probes = []
    for r in range(a.repeats):
        probes.append(probe_gflops())
        model.train()
        batches = [batch() for _ in range(a.steps)]
        t0 = time.perf_counter()
        for x, y in batches:
            last = train_step(x, y)
        dt = time.perf_counter() - t0
        res["train"].append(a.steps * B * T / dt); res["train_ms"].append(1000 * dt / a.steps)
        model.eval()
        t0 = time.perf_counter()
        with torch.no_grad():
            for _ in range(a.eval_iters):
                model(ex, ey)
        dt = time.perf_counter() - t0
        res["eval"].append(a.eval_iters * B * T / dt); res["eval_ms"].append(1000 * dt / a.eval_iters)
        torch.manual_seed(42)
        t0 = time.perf_counter()
        out = generate(model, torch.zeros((1, 1), dtype=torch.long), a.gen_tokens, c.block_size)
        dt = time.perf_counter() - t0
        assert out.shape == (1, 1 + a.gen_tokens)
        res["gen"].append(a.gen_tokens / dt); res["gen_ms"].append(1000 * dt / a.gen_tokens)
        torch.manual_seed(42)
        t0 = time.perf_counter()
        outc = generate_cached(model, torch.zeros((1, 1), dtype=torch.long), a.gen_tokens, c.block_size)
        dt = time.perf_counter() - t0
        assert torch.equal(outc, out), "cached generation must give the uncached tokens"
        res["genc"].append(a.gen_tokens / dt); res["genc_ms"].append(1000 * dt / a.gen_tokens)
        print(f"  repeat {r}: train {res['train'][-1]:8.1f} tok/s  eval {res['eval'][-1]:8.1f} tok/s  gen {res['gen'][-1]:6.1f} tok/s  "
              f"[probe sgemm {probes[-1]:4.0f} GFLOP/s]")
    print(f"loss: first warm-up step {first:.4f}, last step {last:.4f} (ln 65 = 4.174)")
    print(f"{'measurement (tokens/s)':34s}     median        min        max")
    for key, name, unit in (("train", "train fwd+bwd+clip+AdamW", "ms/step"), ("eval", "eval forward (32,128)", "ms/forward"),
                            ("gen", f"generate {a.gen_tokens}, B=1, no cache", "ms/token"),
                            ("genc", f"generate {a.gen_tokens}, B=1, KV cache", "ms/token")):
        xs = res[key]
        print(f"{name:34s} {statistics.median(xs):10.1f} {min(xs):10.1f} {max(xs):10.1f}   "
              f"({statistics.median(res[key + '_ms']):.2f} {unit} median)")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:.1f} MB; probe sgemm 512^3 median {statistics.median(probes):.0f} GFLOP/s")
    print(f"RESULT torch train={statistics.median(res['train']):.1f} eval={statistics.median(res['eval']):.1f} "
          f"gen={statistics.median(res['gen']):.1f} gen_cached={statistics.median(res['genc']):.1f} peak_rss_mb={rss:.1f} "
          f"sgemm_gflops={statistics.median(probes):.1f}")


if __name__ == "__main__":
    main()
