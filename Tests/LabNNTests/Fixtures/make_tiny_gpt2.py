#!/usr/bin/env python3
"""Make the tiny random GPT-2 fixture that LabNN's PretrainedTests compare against.

Independent reference: Hugging Face transformers' GPT2LMHeadModel (torch, float32, CPU).
Run from the repository root (writes next to this script):

    /opt/refenv/bin/python Tests/LabNNTests/Fixtures/make_tiny_gpt2.py

Writes
  tiny-gpt2/{config.json,model.safetensors}              the random model, HF layout (Conv1D weights [in, out],
                                                           `transformer.` prefix, lm_head tied to wte and not stored)
  tiny-gpt2-after-adamw/{config.json,model.safetensors}  the same model after ONE torch.optim.AdamW step
                                                           (lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0.01 on
                                                           every parameter) on the loss below
  tiny-gpt2-expected.safetensors                          input_ids (2, 16) int32, targets (2, 16) int32,
                                                           logits (2, 16, 50) float32, loss () float32
The loss is F.cross_entropy(logits.view(-1, V), targets.view(-1)) with explicit targets (no internal label shift),
which is what LabNN's GPT.forward(idx, targets:) computes.
"""
import os

import torch
import torch.nn.functional as F
from safetensors.torch import save_file
from transformers import GPT2Config, GPT2LMHeadModel

here = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)
cfg = GPT2Config(vocab_size=50, n_positions=16, n_embd=32, n_layer=2, n_head=4,
                 activation_function="gelu_new", resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
                 layer_norm_epsilon=1e-5, tie_word_embeddings=True)
model = GPT2LMHeadModel(cfg).float()
# HF's default init leaves LayerNorm at (1, 0) and biases at 0; randomise them so the test sees every parameter.
with torch.no_grad():
    for name, p in model.named_parameters():
        if name.endswith(".bias") or ".ln_" in name:
            p.add_(0.05 * torch.randn_like(p))
model.save_pretrained(os.path.join(here, "tiny-gpt2"))

g = torch.Generator().manual_seed(1)
input_ids = torch.randint(50, (2, 16), generator=g)
targets = torch.randint(50, (2, 16), generator=g)

model.train()  # dropout probabilities are 0, so train mode is deterministic
logits = model(input_ids).logits
loss = F.cross_entropy(logits.view(-1, 50), targets.view(-1))
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
opt.zero_grad()
loss.backward()
opt.step()
model.save_pretrained(os.path.join(here, "tiny-gpt2-after-adamw"))

save_file({"input_ids": input_ids.to(torch.int32).contiguous(), "targets": targets.to(torch.int32).contiguous(),
           "logits": logits.detach().contiguous(), "loss": loss.detach().reshape(()).contiguous()},
          os.path.join(here, "tiny-gpt2-expected.safetensors"))
print(f"loss {loss.item():.6f}; wrote tiny-gpt2/, tiny-gpt2-after-adamw/, tiny-gpt2-expected.safetensors")
