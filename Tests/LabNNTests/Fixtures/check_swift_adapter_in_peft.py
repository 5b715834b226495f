#!/usr/bin/env python3
"""One-off check that a LoRA adapter saved by LabNN loads into Hugging Face peft and gives LabNN's logits.

    LORA_EXPORT_DIR=/tmp/swift-adapter swift test --filter LabNNTests.LoRATests/testAdapterFilesRoundTripWithPeftNames
    /work/venv-torch/bin/python Tests/LabNNTests/Fixtures/check_swift_adapter_in_peft.py /tmp/swift-adapter
    # q/v slices exported as a rank-2r c_attn adapter (PeftModel.savePeftCompatible):
    LORA_EXPORT_QV_DIR=/tmp/swift-qv swift test --filter LabNNTests.LoRATests/testQVSlicesExportAsAnExactCAttnAdapter
    /work/venv-torch/bin/python Tests/LabNNTests/Fixtures/check_swift_adapter_in_peft.py /tmp/swift-qv

Measured 2026-12-01: 8.94e-08 (c_attn adapter) and 7.45e-08 (q/v slices as c_attn, r 4, alpha 8).

(peft 0.21.2, transformers 5.24.0, torch 2.13.0+cpu.) Prints the largest |logits difference|; exits 1 above 1e-4.
"""
import os
import sys

import torch
from peft import PeftModel
from safetensors.torch import load_file
from transformers import GPT2LMHeadModel

here = os.path.dirname(os.path.abspath(__file__))
export = sys.argv[1]
base = GPT2LMHeadModel.from_pretrained(os.path.join(here, "tiny-gpt2")).float().eval()
model = PeftModel.from_pretrained(base, export).eval()
ref = load_file(os.path.join(export, "swift-logits.safetensors"))
with torch.no_grad():
    logits = model(ref["input_ids"].long()).logits
diff = (logits - ref["logits"]).abs().max().item()
print(f"peft loaded {export}: max |logits - LabNN logits| = {diff:.3g}")
sys.exit(0 if diff < 1e-4 else 1)
