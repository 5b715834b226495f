# Reference values for Tests/Graded/27 (lab 27's warmup + cosine schedule), from Hugging Face transformers:
#   /work/venv-torch/bin/python scripts/reference/lab27_hf_cosine_schedule.py
# The multiplier HF's LambdaLR applies to the base learning rate after `step` optimizer steps.
import torch
import transformers
from transformers import get_cosine_schedule_with_warmup

print("transformers", transformers.__version__, "torch", torch.__version__)
for warmup, total, cycles in [(10, 100, 0.5), (3, 17, 0.5), (4, 20, 1.5)]:
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    sched = get_cosine_schedule_with_warmup(opt, num_warmup_steps=warmup, num_training_steps=total, num_cycles=cycles)
    values = []
    for step in range(total + 2):
        values.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    print(f"warmup={warmup} total={total} num_cycles={cycles}:")
    print("  [" + ", ".join(repr(v) for v in values) + "]")
