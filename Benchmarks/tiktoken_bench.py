# tiktoken's GPT-2 encode throughput on a file, built from the same encoder.json / vocab.bpe as LabText.
# Called by `swift run -c release tokenizer-bench` (same run, same machine); prints one JSON line.
#   /opt/refenv/bin/python Benchmarks/tiktoken_bench.py DATA_DIR FILE RUNS
import json, os, statistics, sys, time
import tiktoken
from tiktoken.load import data_gym_to_mergeable_bpe_ranks

data, path, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
ranks = data_gym_to_mergeable_bpe_ranks(os.path.join(data, "gpt2/vocab.bpe"), os.path.join(data, "gpt2/encoder.json"))
enc = tiktoken.Encoding(name="gpt2-local",
                        pat_str=r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""",
                        mergeable_ranks=ranks, special_tokens={"<|endoftext|>": 50256})
text = open(path, encoding="utf-8").read()
nbytes = len(text.encode("utf-8"))
times, count = [], 0
for _ in range(runs):
    t0 = time.perf_counter()
    ids = enc.encode_ordinary(text)   # one thread
    times.append(time.perf_counter() - t0)
    count = len(ids)
print(json.dumps({"tiktoken": tiktoken.__version__, "mbps": [nbytes / t / 1e6 for t in times],
                  "median_mbps": nbytes / statistics.median(times) / 1e6, "ids": count}))
