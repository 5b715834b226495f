# Reference value for Tests/EndToEndTests/Lab29Tests.swift (lab 29's bigram baseline), plain Python:
#   python3 scripts/reference/lab29_bigram_baseline.py /work/shared/data/tinyshakespeare.txt
# Add-one bigram model on the first 90% of the characters, perplexity on the last 10%: 11.963847954653918
import collections, math, sys

text = open(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/tinyshakespeare.txt", encoding="utf-8").read()
V = len(set(text))
n = int(0.9 * len(text))
train, val = text[:n], text[n:]
pairs = collections.Counter(zip(train, train[1:]))
firsts = collections.Counter(train[:-1])
nll = [-math.log((pairs[(a, b)] + 1) / (firsts[a] + V)) for a, b in zip(val, val[1:])]
print(f"V = {V}, validation transitions = {len(nll)}, perplexity = {math.exp(sum(nll) / len(nll))!r}")
