# Reference token counts for Tests/EndToEndTests/Lab26Tests.swift (lab 26's prompts), from Hugging Face's byte-level BPE
# (the `tokenizers` package, GPT-2's algorithm) built from the course's own encoder.json and vocab.bpe:
#   /work/venv-torch/bin/python scripts/reference/lab26_gpt2_token_counts.py /work/shared/data/gpt2
import sys
from tokenizers import ByteLevelBPETokenizer

d = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/gpt2"
tok = ByteLevelBPETokenizer(f"{d}/encoder.json", f"{d}/vocab.bpe")   # GPT-2's byte-level BPE, no added prefix space
roger_q = "Roger has 5 tennis balls. He buys 2 more cans of tennis balls. Each can has 3 tennis balls. How many tennis balls does he have now?"
cafeteria = "The cafeteria had 23 apples. If they used 20 to make lunch and bought 6 more, how many apples do they have?"
prompts = {
    "zero-shot translation": "Translate English to French:\ncheese =>",
    "one-shot translation": "Translate English to French:\nsea otter => loutre de mer\ncheese =>",
    "few-shot translation (3 examples)": "Translate English to French:\nsea otter => loutre de mer\npeppermint => menthe poivrée\nplush girafe => girafe peluche\ncheese =>",
    "one example, answer only": f"Q: {roger_q}\nA: The answer is 11.\n\nQ: {cafeteria}\nA:",
    "one example, chain of thought": f"Q: {roger_q}\nA: Roger started with 5 balls. 2 cans of 3 tennis balls each is 6 tennis balls. 5 + 6 = 11. The answer is 11.\n\nQ: {cafeteria}\nA:",
}
for name, p in prompts.items():
    print(f"{name}: {len(p)} characters, {len(tok.encode(p).ids)} tokens")
