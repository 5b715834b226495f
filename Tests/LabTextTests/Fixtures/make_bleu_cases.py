# Makes bleu_cases.json: BLEU scores from NLTK's nltk.translate.bleu_score for sentence and corpus BLEU, every
# smoothing method (0-7, default and custom epsilon/alpha/k), custom and multiple weights, auto_reweigh, and edge
# cases, with the warnings NLTK emitted. The tests check LabText's sentenceBLEU/corpusBLEU against these to 1e-12.
#
# Run from the repository root:  /opt/refenv/bin/python Tests/LabTextTests/Fixtures/make_bleu_cases.py
import json, os, random, warnings
import nltk
from nltk.translate.bleu_score import sentence_bleu, corpus_bleu, SmoothingFunction

rng = random.Random(29)
words = "the a cat dog sat on mat is this test big red".split()

def sent(lo=1, hi=14):
    return [rng.choice(words) for _ in range(rng.randint(lo, hi))]

def run(kind, refs, hyps, weights, method, params, auto):
    sf = SmoothingFunction(**params)
    fn = getattr(sf, f"method{method}")
    case = {"kind": kind, "references": refs, "hypotheses": hyps, "weights": weights, "method": method,
            "params": {"epsilon": sf.epsilon, "alpha": sf.alpha, "k": sf.k}, "auto_reweigh": auto}
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            wt = [tuple(x) for x in weights]
            wt = wt[0] if len(wt) == 1 else wt
            if kind == "sentence":
                r = sentence_bleu(refs[0], hyps[0], weights=wt, smoothing_function=fn, auto_reweigh=auto)
            else:
                r = corpus_bleu(refs, hyps, weights=wt, smoothing_function=fn, auto_reweigh=auto)
            case["result"] = [float(x) for x in r] if isinstance(r, list) else [float(r)]
        except Exception as e:
            case["error"] = f"{type(e).__name__}: {e}"
        case["warnings"] = [str(x.message) for x in w]
    return case

cases = []
# The slide's example.
cases.append(run("sentence", [[["this", "is", "a", "test"]]], [["this", "is", "test"]], [[0.25] * 4], 0, {}, False))
four = [[0.25] * 4]
custom = [[1.0], [0.5, 0.5], [1 / 3] * 3, [0.1, 0.2, 0.3, 0.4], [0.2] * 5, [0.7, 0.3, 0, 0]]
for method in range(8):
    for _ in range(12):   # sentence BLEU, random
        refs = [[sent() for _ in range(rng.randint(1, 3))]]
        cases.append(run("sentence", refs, [sent()], four, method, {}, False))
    for _ in range(8):    # hypotheses that are edited copies of a reference, so higher orders match too
        refs = [[sent(6, 16) for _ in range(rng.randint(1, 3))]]
        hyp = list(refs[0][0])
        for _ in range(rng.randint(0, 3)):
            hyp[rng.randrange(len(hyp))] = rng.choice(words)
        cases.append(run("sentence", refs, [hyp], four, method, {}, False))
    for wts in custom:
        cases.append(run("sentence", [[sent(3, 12) for _ in range(2)]], [sent(3, 12)], [wts], method, {}, False))
    for _ in range(4):    # corpus BLEU
        n = rng.randint(2, 5)
        refs = [[sent() for _ in range(rng.randint(1, 3))] for _ in range(n)]
        cases.append(run("corpus", refs, [sent() for _ in range(n)], four, method, {}, False))
    # several weight sets at once
    n = 3
    refs = [[sent(4, 12) for _ in range(2)] for _ in range(n)]
    cases.append(run("corpus", refs, [sent(4, 12) for _ in range(n)], [[1.0], [0.5, 0.5], [0.25] * 4], method, {}, False))
# Custom smoothing parameters.
for method, params in [(1, {"epsilon": 0.01}), (1, {"epsilon": 0.5}), (4, {"k": 3}), (6, {"alpha": 2}), (7, {"k": 2})]:
    for _ in range(3):
        refs = [[sent(6, 14) for _ in range(2)]]
        hyp = list(refs[0][1])
        hyp[rng.randrange(len(hyp))] = rng.choice(words)
        cases.append(run("sentence", refs, [hyp], four, method, params, False))
# auto_reweigh with short hypotheses.
for h in (["this", "is"], ["the", "cat", "sat"], ["cat"]):
    cases.append(run("sentence", [[["the", "cat", "sat", "on", "the", "mat"], ["this", "is", "the", "cat"]]], [h], four, 0, {}, True))
    cases.append(run("sentence", [[["the", "cat", "sat", "on", "the", "mat"], ["this", "is", "the", "cat"]]], [h], four, 1, {}, True))
# Edge cases.
ref = ["the", "cat", "sat", "on", "the", "mat"]
edge = [
    ([[ref]], [ref]),                                   # identical: 1.0
    ([[ref]], [["dog", "ran", "far", "away"]]),         # no unigram match: 0
    ([[ref]], [ref + ["and", "the", "dog"]]),            # longer than reference: bp 1
    ([[ref, ["the", "cat"]]], [["the", "cat", "sat"]]),  # closest reference length tie-break
    ([[["the", "cat", "sat"], ["the", "cat", "sat", "on"]]], [["the", "cat", "sat", "on"]]),
    ([[[], ref]], [["the", "cat"]]),                    # an empty reference among references
    ([[ref]], [["the"]]),                                # one-word hypothesis
    ([[ref]], [["the", "the", "the", "the", "the", "the", "the"]]),   # clipping
]
for refs, hyps in edge:
    for method in (0, 1, 2, 4, 5, 7):
        cases.append(run("sentence", refs, hyps, four, method, {}, False))
cases.append(run("sentence", [[ref]], [["the", "cat", "sat"]], four, 6, {}, False))   # method6 assertion: no trigram match
cases.append(run("corpus", [[ref], [["a", "b", "c"]]], [ref, []], four, 0, {}, False)) # an empty hypothesis inside a corpus

out = {"generator": "make_bleu_cases.py", "nltk": nltk.__version__, "cases": cases}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "bleu_cases.json"), "w") as f:
    json.dump(out, f, indent=0)
print(len(cases), "cases,", sum("error" in c for c in cases), "errors,", sum(bool(c["warnings"]) for c in cases), "with warnings")
print(cases[0])
