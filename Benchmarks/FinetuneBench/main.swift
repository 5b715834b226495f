// finetune-bench: soft-prompt (prompt-tuning) generation with and without the KV cache, on lab 28's model.
//
// Model: the lab's mini GPT (vocab 65, nEmbd 256, nHead 4, nLayer 4, blockSize 128, dropout 0), random seeded
// weights, a random N(0, 1) soft prompt of --virtual-tokens (16) vectors, batch 1, a 1-token prompt, sampling at
// temperature 1. Two lengths:
//   in window : --short (100) new tokens, so prompt + context stay within blockSize (the cache runs one token a step)
//   past it   : --long (300) new tokens; past blockSize − n real tokens the window slides and the cache is rebuilt
//               from [soft prompt; cropped context] at every step (what PromptTuning.generate documents)
// Each figure is the median of --repeats (5) runs (min and max shown); cached and uncached give the same tokens
// (checked on every run).
// Usage:  swift build -c release --product finetune-bench && .build/release/finetune-bench [--repeats 5]
import Foundation
import LabNN
import LabTensor

func option(_ name: String, _ fallback: Int) -> Int {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: "--" + name), i + 1 < args.count, let v = Int(args[i + 1]) else { return fallback }
    return v
}
let repeats = option("repeats", 5), n = option("virtual-tokens", 16)
let lengths = [option("short", 100), option("long", 300)]

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2 }

manualSeed(1337)
let config = GPTConfig(vocabSize: 65, blockSize: 128, nLayer: 4, nHead: 4, nEmbd: 256, dropout: 0)
let pt = PromptTuning(GPT(config), numVirtualTokens: n)
let start = Tensor(ints: [0], shape: [1, 1])
print("LabNN finetune-bench: OpenBLAS core \(BLAS.coreName), OpenBLAS threads \(BLAS.threads), LabTensor threads \(getNumThreads())")
print("prompt tuning: mini-GPT V=65 C=256 H=4 L=4 blockSize=128, \(n) virtual tokens (window \(128 - n) real tokens), "
      + "B=1, 1-token prompt, temperature 1; \(repeats) repeats")
_ = pt.generate(start, maxNewTokens: 8)                                           // warm-up
var ratios: [String] = []
print("\(("measurement (tokens/s)" as String).padding(toLength: 54, withPad: " ", startingAt: 0))     median        min        max")
for tokens in lengths {
    var uncached: [Double] = [], cached: [Double] = []
    for _ in 0..<repeats {
        manualSeed(42)
        var t0 = now()
        let slow = pt.generate(start, maxNewTokens: tokens, useCache: false)
        uncached.append(Double(tokens) / (now() - t0))
        manualSeed(42)
        t0 = now()
        let fast = pt.generate(start, maxNewTokens: tokens, useCache: true)
        cached.append(Double(tokens) / (now() - t0))
        if fast.ints != slow.ints { fatalError("finetune-bench: cached soft-prompt generation gave other tokens than uncached") }
    }
    let label = tokens + 1 <= 128 - n ? "in window" : "past the window"
    for (name, xs) in [("no cache", uncached), ("KV cache", cached)] {
        print("soft prompt, \(tokens) tokens (\(label)), \(name)".padding(toLength: 54, withPad: " ", startingAt: 0)
              + String(format: " %10.1f %10.1f %10.1f", median(xs), xs.min()!, xs.max()!))
    }
    ratios.append(String(format: "%d:%.2f", tokens, median(cached) / median(uncached)))
}
print("RESULT softprompt_cache_speedup " + ratios.joined(separator: " "))
