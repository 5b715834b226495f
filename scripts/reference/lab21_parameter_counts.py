# Parameter counts of GPT-2-style models built in PyTorch on the meta device (shapes only, nothing allocated):
# the independent reference of Tests/Graded/21. Run: /work/venv-torch/bin/python scripts/reference/lab21_parameter_counts.py
import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, C, bias):
        super().__init__()
        self.ln_1 = nn.LayerNorm(C, bias=bias)
        self.c_attn = nn.Linear(C, 3 * C, bias=bias)
        self.attn_proj = nn.Linear(C, C, bias=bias)
        self.ln_2 = nn.LayerNorm(C, bias=bias)
        self.c_fc = nn.Linear(C, 4 * C, bias=bias)
        self.mlp_proj = nn.Linear(4 * C, C, bias=bias)


class GPTModel(nn.Module):
    def __init__(self, V, T, L, C, bias=True, tied=False):
        super().__init__()
        self.wte = nn.Embedding(V, C)
        self.wpe = nn.Embedding(T, C)
        self.h = nn.ModuleList([Block(C, bias) for _ in range(L)])
        self.ln_f = nn.LayerNorm(C, bias=bias)
        self.lm_head = nn.Linear(C, V, bias=False)
        if tied:
            self.lm_head.weight = self.wte.weight


def count(**kw):
    with torch.device("meta"):
        m = GPTModel(**kw)
    return sum(p.numel() for p in m.parameters())   # parameters() lists a tied tensor once


for name, kw in [
    ("gpt2 small, untied (the slide)", dict(V=50257, T=1024, L=12, C=768)),
    ("gpt2 small, tied", dict(V=50257, T=1024, L=12, C=768, tied=True)),
    ("gpt2 medium, tied", dict(V=50257, T=1024, L=24, C=1024, tied=True)),
    ("V 37, T 9, L 3, C 12, no bias, untied", dict(V=37, T=9, L=3, C=12, bias=False)),
    ("V 37, T 9, L 3, C 12, no bias, tied", dict(V=37, T=9, L=3, C=12, bias=False, tied=True)),
]:
    print(f"{name}: {count(**kw)}")
