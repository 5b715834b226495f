#!/usr/bin/env python3
"""Make the fine-tuning fixtures that LabNN's LoRA, prompt-tuning, reward-model and PPO tests compare against.

Independent references: Hugging Face peft 0.21.2 + transformers 5.24.0 (torch 2.13.0+cpu, float32), and the PPO
formulas of trl 0.11.4 (the last `PPOTrainer.step()` API), executed from trl's own source text: the functions
`compute_rewards`, `_kl_penalty`, `compute_advantages`, `loss` (trl/trainer/ppo_trainer.py) and `masked_mean`,
`masked_var`, `masked_whiten`, `clip_by_value`, `entropy_from_logits` (trl/core.py) are cut out of the wheel with
`ast` and run on tiny tensors (importing trl itself would pull in datasets/accelerate).

Set-up and run (from the repository root):

    /work/venv-torch/bin/pip install peft==0.21.2
    /work/venv-torch/bin/pip download trl==0.11.4 --no-deps -d /tmp/trlwheel
    /work/venv-torch/bin/python Tests/LabNNTests/Fixtures/make_finetune_fixtures.py /tmp/trlwheel/trl-0.11.4-py3-none-any.whl

Reads tiny-gpt2/ (make_tiny_gpt2.py) and tiny-gpt2-expected.safetensors (its input_ids). Writes
  peft-lora-tiny/{adapter_config.json,adapter_model.safetensors}  peft's LoRA on c_attn, r 4, alpha 8, dropout 0,
                                                                  init_lora_weights=False (B is not zero)
  peft-lora-tiny-expected.safetensors   logits (2, 16, 50) with the adapter, merged_logits after merge_and_unload,
                                        merged_c_attn_0 (32, 96): h.0.attn.c_attn.weight merged, Conv1D [in, out]
  peft-prompt-tiny-expected.safetensors prompt_embeddings (3, 32), input_ids (2, 10), logits (2, 13, 50)
  reward-tiny-expected.safetensors      GPT2ForSequenceClassification (num_labels 1, pad id 0) on the tiny backbone:
                                        score_weight (1, 32), input_ids (4, 6) padded with 0, rewards (4),
                                        bt_loss () and bt_loss_margin () = -logsigmoid(r_c - r_r [- m]).mean()
                                        over pairs (rows 0,1 chosen; 2,3 rejected), margin (2)
  trl-ppo-tiny.safetensors              inputs and outputs of trl 0.11.4's compute_rewards (kl_coef 0.2, "kl"),
                                        compute_advantages (gamma 1, lam 0.95) and loss (cliprange 0.2, value 0.2,
                                        vf_coef 0.1) on a (3, 5) grid with a mask
"""
import ast
import os
import sys
import types
import zipfile

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from transformers import GPT2ForSequenceClassification, GPT2LMHeadModel
from peft import LoraConfig, PromptTuningConfig, get_peft_model

here = os.path.dirname(os.path.abspath(__file__))
tiny = os.path.join(here, "tiny-gpt2")
input_ids = load_file(os.path.join(here, "tiny-gpt2-expected.safetensors"))["input_ids"].long()

# --- LoRA (peft) ---
torch.manual_seed(2)
base = GPT2LMHeadModel.from_pretrained(tiny).float().eval()
cfg = LoraConfig(r=4, lora_alpha=8, target_modules=["c_attn"], lora_dropout=0.0, init_lora_weights=False)
peft_model = get_peft_model(base, cfg).eval()
peft_model.print_trainable_parameters()
with torch.no_grad():
    logits = peft_model(input_ids).logits
peft_model.save_pretrained(os.path.join(here, "peft-lora-tiny"))
merged = peft_model.merge_and_unload()
with torch.no_grad():
    merged_logits = merged(input_ids).logits
save_file({"logits": logits.contiguous(), "merged_logits": merged_logits.contiguous(),
           "merged_c_attn_0": merged.transformer.h[0].attn.c_attn.weight.detach().contiguous()},
          os.path.join(here, "peft-lora-tiny-expected.safetensors"))
readme = os.path.join(here, "peft-lora-tiny", "README.md")
if os.path.exists(readme):
    os.remove(readme)          # the model card template is not needed by the tests

# --- prompt tuning (peft) ---
torch.manual_seed(3)
base = GPT2LMHeadModel.from_pretrained(tiny).float().eval()
pt = get_peft_model(base, PromptTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=3)).eval()
ids = input_ids[:, :10].contiguous()
with torch.no_grad():
    pt_logits = pt(ids).logits
prompt = pt.prompt_encoder["default"].embedding.weight.detach()
save_file({"prompt_embeddings": prompt.contiguous(), "input_ids": ids.to(torch.int32), "logits": pt_logits.contiguous()},
          os.path.join(here, "peft-prompt-tiny-expected.safetensors"))

# --- reward model (transformers + trl's loss formula) ---
torch.manual_seed(4)
rm = GPT2ForSequenceClassification.from_pretrained(tiny, num_labels=1).float().eval()
rm.config.pad_token_id = 0
with torch.no_grad():
    rm.score.weight.normal_(0, 1)
rows = torch.tensor([[5, 6, 7, 8, 0, 0], [9, 3, 4, 0, 0, 0], [5, 6, 7, 2, 2, 0], [9, 3, 4, 1, 7, 8]])
with torch.no_grad():
    rewards = rm(rows).logits.squeeze(-1)
r_c, r_r = rewards[:2], rewards[2:]
margin = torch.tensor([0.5, -0.25])
save_file({"score_weight": rm.score.weight.detach().contiguous(), "input_ids": rows.to(torch.int32),
           "rewards": rewards.contiguous(), "bt_loss": (-F.logsigmoid(r_c - r_r).mean()).reshape(()),
           "margin": margin, "bt_loss_margin": (-F.logsigmoid(r_c - r_r - margin).mean()).reshape(())},
          os.path.join(here, "reward-tiny-expected.safetensors"))

# --- trl 0.11.4 PPO formulas, from the wheel's source ---
wheel = sys.argv[1] if len(sys.argv) > 1 else "/tmp/trlwheel/trl-0.11.4-py3-none-any.whl"
z = zipfile.ZipFile(wheel)
ns = {"torch": torch, "F": F, "Optional": __import__("typing").Optional, "np": __import__("numpy"),
      "warnings": __import__("warnings"), "flatten_dict": lambda d: d}


def grab(path, names):
    tree = ast.parse(z.read(path).decode())
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name in names:
            exec(compile(ast.Module(body=[node], type_ignores=[]), path, "exec"), ns)


grab("trl/core.py", {"masked_mean", "masked_var", "masked_whiten", "clip_by_value", "entropy_from_logits"})
grab("trl/trainer/ppo_trainer.py", {"compute_rewards", "_kl_penalty", "compute_advantages", "loss"})
me = types.SimpleNamespace(
    config=types.SimpleNamespace(kl_penalty="kl", gamma=1.0, lam=0.95, whiten_rewards=False, cliprange=0.2,
                                 cliprange_value=0.2, vf_coef=0.1, ratio_threshold=10.0),
    kl_ctl=types.SimpleNamespace(value=0.2))
me._kl_penalty = lambda lp, rlp: ns["_kl_penalty"](me, lp, rlp)

g = torch.Generator().manual_seed(5)
B, T, V = 3, 5, 4
mask = torch.tensor([[0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [1, 1, 1, 1, 1]], dtype=torch.float32)
old_logprobs = -torch.rand(B, T, generator=g) * 2
ref_logprobs = -torch.rand(B, T, generator=g) * 2
values = torch.randn(B, T, generator=g)
scores = torch.tensor([1.0, -0.5, 2.0])
rewards, non_score, kls = ns["compute_rewards"](me, scores, old_logprobs * mask, ref_logprobs * mask, mask)
values_m, advantages, returns = ns["compute_advantages"](me, values, rewards, mask)
logits = torch.randn(B, T, V, generator=g)
new_logprobs = old_logprobs + 0.4 * torch.randn(B, T, generator=g)      # some ratios outside [0.8, 1.2]
vpreds = values_m + 0.5 * torch.randn(B, T, generator=g)                # some values outside the clip range
pg_loss, vf_part, stats = ns["loss"](me, old_logprobs, values_m, logits, vpreds, new_logprobs, mask, advantages, returns)
out = {"mask": mask, "old_logprobs": old_logprobs, "ref_logprobs": ref_logprobs, "values": values, "scores": scores,
       "rewards": rewards, "non_score_reward": non_score, "kls": kls, "advantages": advantages, "returns": returns,
       "logits": logits, "new_logprobs": new_logprobs, "vpreds": vpreds,
       "pg_loss": pg_loss.reshape(()), "vf_loss": stats["loss"]["value"].reshape(()),
       "loss": stats["loss"]["total"].reshape(()), "pg_clipfrac": stats["policy"]["clipfrac"].reshape(()),
       "vf_clipfrac": stats["val"]["clipfrac"].reshape(()), "approxkl": stats["policy"]["approxkl"].reshape(()),
       "policykl": stats["policy"]["policykl"].reshape(()), "entropy": stats["policy"]["entropy"].reshape(())}
save_file({k: v.detach().float().contiguous() for k, v in out.items()}, os.path.join(here, "trl-ppo-tiny.safetensors"))
print("pg_loss", pg_loss.item(), "vf_loss", stats["loss"]["value"].item(), "loss", stats["loss"]["total"].item(),
      "pg_clipfrac", stats["policy"]["clipfrac"].item(), "vf_clipfrac", stats["val"]["clipfrac"].item())
