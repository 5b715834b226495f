# Makes tiktoken_cases.json: GPT-2 token ids from tiktoken for tricky and random strings, and a digest of the ids of
# all of tinyshakespeare. The tests check BPETokenizer.gpt2() against these.
#
# Run from the repository root:
#   /opt/refenv/bin/python Tests/LabTextTests/Fixtures/make_tiktoken_cases.py ../shared/data
# tiktoken is built from the same encoder.json / vocab.bpe (tiktoken's data_gym_to_mergeable_bpe_ranks), so no network.
import hashlib, json, random, sys, os
import tiktoken
from tiktoken.load import data_gym_to_mergeable_bpe_ranks

data = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"
ranks = data_gym_to_mergeable_bpe_ranks(os.path.join(data, "gpt2/vocab.bpe"), os.path.join(data, "gpt2/encoder.json"))
enc = tiktoken.Encoding(
    name="gpt2-local",
    pat_str=r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""",
    mergeable_ranks=ranks,
    special_tokens={"<|endoftext|>": 50256},
)

tricky = [
    "Hello world! This is tokenization.",
    "<|endoftext|>",
    "Hello<|endoftext|>world <|endoftext|> again<|endoftext",
    "", " ", "  ", "\n", "\n\n\n", " \n ", "\t\t x", "a  b   c    d", "trailing   ", "   leading",
    "I'm you're we've they'll she'd it's can't DON'T I'M 'tis ''s '' 'S", "rock'n'roll", "x's's",
    "12345 678901 3.14159 1,000,000 -42 +7 0x1F 2nd 1e10", "١٢٣ ½ ² ⅷ Ⅻ",
    "café naïve résumé Ångström Zürich façade", "e\u0301 combining a\u0308\u0301",
    "日本語のテキスト、中文文本。한국어 텍스트", "Привет, мир! Γειά σου Κόσμε", "مرحبا بالعالم שלום עולם",
    "emoji 😀😃😄 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 ❤️", "\u00a0nbsp\u00a0\u00a0x\u3000ideographic\u2003em",
    "tabs\tand\r\nwindows\r\nlines\r\n", "!!!??? ...,,, ---___ @@## $$%% ^^&& **(( ))",
    "    def f(x):\n        return x ** 2\n\n\nprint(f(3))\n", "https://example.com/a?b=c&d=e#frag",
    "ALLCAPS lowercase MiXeD camelCase snake_case kebab-case", "a" * 300, " " * 100 + "x", "\n" * 50 + "end",
    "ŀ Ġ Ċ ĉ ā", "\u200b\u200czero\u200dwidth\ufeff", "\x00\x01\x1f\x7f control", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟙𝟚𝟛",
    "The quick brown fox jumps over the lazy dog.", "First Citizen:\nBefore we proceed any further, hear me speak.\n",
    "  's  'll\n've", "word\u2028line\u2029para", "x\u0085y", "ǅungla ǈ", "ʰʲ ˈstress", "ℌℑℜ",
]

pool = (list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") * 6 + list("0123456789") * 3
        + list(" ") * 25 + list("\n\t\r") * 3 + list("'") * 4 + list(".,;:!?-_()[]{}\"/\\@#$%^&*+=<>|~`") * 2
        + list("éèüñçåøßÆŒ") + list("日本語中文한국어") + ["😀", "👍🏽", "🎉", "❤️", "\u00a0", "\u3000", "\u0301", "ﬁ", "½", "٣"]
        + ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "<|endoftext|>"])
rng = random.Random(1234)
randoms = ["".join(rng.choice(pool) for _ in range(rng.randint(1, 60))) for _ in range(200 - len(tricky))]

cases = [{"text": s, "ids": enc.encode(s, allowed_special="all"), "ordinary": enc.encode_ordinary(s)}
         for s in tricky + randoms]

with open(os.path.join(data, "tinyshakespeare.txt"), encoding="utf-8") as f:
    shakespeare = f.read()
ids = enc.encode_ordinary(shakespeare)
digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()

out = {"generator": "make_tiktoken_cases.py", "tiktoken": tiktoken.__version__, "cases": cases,
       "tinyshakespeare": {"count": len(ids), "sha256_of_comma_joined_ids": digest, "first": ids[:64], "last": ids[-64:]}}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "tiktoken_cases.json"), "w", encoding="utf-8") as f:
    json.dump(out, f, ensure_ascii=False, indent=0)
print(len(cases), "cases;", len(ids), "tinyshakespeare ids")
