// train-bench: training, evaluation and generation throughput of the lab's mini GPT (LabNN + LabTensor).
//
// The same model and figures as Benchmarks/torch_minigpt_bench.py (PyTorch):
//   vocab 65, nEmbd 256, nHead 4, nLayer 4, blockSize 128, batch 32, dropout 0.1, untied, exact GELU,
//   AdamW lr 3e-4 (PyTorch defaults otherwise), clip 1.0, random seeded tokens.
//   train : tokens/s of full steps (forward + loss + backward + clip + AdamW), batches sampled before the clock starts
//   eval  : tokens/s of forward-only (eval mode, noGrad) logits + loss at (32, 128)
//   gen   : tokens/s of generating 200 tokens at batch 1 from a 1-token prompt, no KV cache (the slide's loop)
//   gen cached: the same with generate's KV cache (rebuilt from the cropped window past blockSize; same tokens, checked)
// Each figure is the median of --repeats repeats (min and max shown); peak RSS is VmHWM at the end.
//
// Per-op timings at the lab shapes: train-bench --profile [--op-repeats 5]
// Lab 30's blocks (the student path: Solutions/30, attention written out op by op as on the slide) instead of
// the library's fused attention: train-bench --written-out
// Phases of a training step (forward, backward, clip, AdamW; wall, CPU and cores busy): train-bench --phases [--written-out]
// GPT-2 small memory check: train-bench --gpt2-small tied|untied
// Usage:  swift build -c release --product train-bench && .build/release/train-bench [--repeats 5] [--steps 10]
// Side by side (alternate the programs, the host's speed drifts):
//   for i in 1 2 3; do .build/release/train-bench; OMP_NUM_THREADS=2 /opt/refenv/bin/python Benchmarks/torch_minigpt_bench.py; done
import Foundation
import LabNN
import LabTensor

func option(_ name: String, _ fallback: Int) -> Int {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: "--" + name), i + 1 < args.count, let v = Int(args[i + 1]) else { return fallback }
    return v
}
let repeats = option("repeats", 5), steps = option("steps", 10), evalIters = option("eval-iters", 10)
let genTokens = option("gen-tokens", 200), warmupSteps = option("warmup", 3)
if let t = CommandLine.arguments.firstIndex(of: "--threads").map({ Int(CommandLine.arguments[$0 + 1])! }) { setNumThreads(t) }

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
func peakRSSMB() -> Double {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return .nan }
    return Double(line.split(separator: " ").dropFirst().first ?? "0")! / 1024
}
/// GFLOP/s of LabTensor's matmul on 512×512 matrices for ~0.15 s: how fast the (shared, drifting) host is right now.
func probeGFLOPS() -> Double {
    let a = Tensor.randn([512, 512]), b = Tensor.randn([512, 512])
    _ = noGrad { matmul(a, b) }
    var n = 0
    let t0 = now()
    while now() - t0 < 0.15 { _ = noGrad { matmul(a, b) }; n += 1 }
    return 2 * 512 * 512 * 512 * Double(n) / (now() - t0) / 1e9
}
func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2 }
func row(_ name: String, _ xs: [Double], _ perUnitMS: [Double], _ unit: String) {
    print(name.padding(toLength: 34, withPad: " ", startingAt: 0)
          + String(format: " %10.1f %10.1f %10.1f   (%.2f ", median(xs), xs.min()!, xs.max()!, median(perUnitMS)) + unit + " median)")
}

// --gpt2-small tied|untied: build GPT-2 small with the real init, print the parameter count, time and peak RSS, exit.
if let i = CommandLine.arguments.firstIndex(of: "--gpt2-small") {
    var config = GPTConfig.gpt2Small
    config.tieWeights = CommandLine.arguments.count > i + 1 && CommandLine.arguments[i + 1] == "untied" ? false : true
    let t0 = now()
    let model = GPT(config)
    let dt = now() - t0
    let n = model.parameterCount
    var t1 = now()
    for _ in 0..<10 { _ = model.parameters() }
    print(String(format: "model.parameters() (Mirror reflection over %d modules): %.2f ms", model.namedModules().count, (now() - t1) * 100))
    t1 = now()
    for _ in 0..<10 { model.zeroGrad() }
    print(String(format: "model.zeroGrad(): %.2f ms", (now() - t1) * 100))
    print(String(format: "GPT-2 small (%@): %d parameters = %.1f MB of float32; built in %.1f s; peak RSS %.1f MB",
                 config.tieWeights ? "tied" : "untied", n, Double(n) * 4 / 1_048_576, dt, peakRSSMB()))
    exit(0)
}

if CommandLine.arguments.contains("--profile") {
    print("OpenBLAS core \(BLAS.coreName), LabTensor threads \(getNumThreads())")
    profileOps(repeats: option("op-repeats", 5))
    exit(0)
}

let config = GPTConfig.miniShakespeare(vocabSize: 65)
let (B, T) = (32, config.blockSize)
manualSeed(1337)
let writtenOut = CommandLine.arguments.contains("--written-out")
// Solutions/SelfAttention.swift and TransformerBlock.swift are links to lab 30's reference exercises.
let model = writtenOut ? GPT(config, block: { TransformerBlock($0) }) : GPT(config)
let optimizer = AdamW(model.parameters(), lr: 3e-4)
manualSeed(0)
let data = Tensor.randint(config.vocabSize, [200_000]).ints
func batch() -> (Tensor, Tensor) {
    var x: [Int] = [], y: [Int] = []
    for _ in 0..<B {
        let i = randomInt(data.count - T - 1)
        x += data[i..<(i + T)]
        y += data[(i + 1)...(i + T)]
    }
    return (Tensor(ints: x, shape: [B, T]), Tensor(ints: y, shape: [B, T]))
}
func trainStep(_ x: Tensor, _ y: Tensor) -> Float {
    let (_, loss) = model(x, y)
    optimizer.zeroGrad()
    loss!.backward()
    clipGradNorm(model.parameters(), maxNorm: 1)
    optimizer.step()
    return loss!.item()
}

if CommandLine.arguments.contains("--phases") {
    print("OpenBLAS core \(BLAS.coreName), LabTensor threads \(getNumThreads())" + (writtenOut ? ", written-out attention" : ""))
    profilePhases(model, optimizer, batch, steps: steps, warmup: warmupSteps)
    print(String(format: "probe sgemm 512³: %.0f GFLOP/s", probeGFLOPS()))
    exit(0)
}

print("LabNN train-bench: OpenBLAS core \(BLAS.coreName), OpenBLAS threads \(BLAS.threads), LabTensor threads \(getNumThreads())")
print((writtenOut ? "blocks: written-out attention (the lab's exercise path)\n" : "") + "mini-GPT V=\(config.vocabSize) C=\(config.nEmbd) H=\(config.nHead) L=\(config.nLayer) T=\(T) B=\(B) dropout=\(config.dropout), "
      + "\(model.parameterCount) params; \(repeats) repeats of \(steps) train steps / \(evalIters) forwards / \(genTokens) tokens")

model.train()
var firstLoss: Float = 0
for i in 0..<warmupSteps { let (x, y) = batch(); let l = trainStep(x, y); if i == 0 { firstLoss = l } }
let evalBatch = batch()
var train: [Double] = [], trainMS: [Double] = [], eval: [Double] = [], evalMS: [Double] = [], gen: [Double] = [], genMS: [Double] = []
var genC: [Double] = [], genCMS: [Double] = []
var lastLoss: Float = 0
var probes: [Double] = []
for r in 0..<repeats {
    probes.append(probeGFLOPS())
    model.train()
    let batches = (0..<steps).map { _ in batch() }
    var t0 = now()
    for (x, y) in batches { lastLoss = trainStep(x, y) }
    var dt = now() - t0
    train.append(Double(steps * B * T) / dt); trainMS.append(1000 * dt / Double(steps))

    model.eval()
    t0 = now()
    noGrad { for _ in 0..<evalIters { _ = model(evalBatch.0, evalBatch.1) } }
    dt = now() - t0
    eval.append(Double(evalIters * B * T) / dt); evalMS.append(1000 * dt / Double(evalIters))

    manualSeed(42)
    t0 = now()
    let out = generate(model, Tensor(ints: [0], shape: [1, 1]), maxNewTokens: genTokens, useCache: false)
    dt = now() - t0
    precondition(out.shape == [1, 1 + genTokens])
    gen.append(Double(genTokens) / dt); genMS.append(1000 * dt / Double(genTokens))
    manualSeed(42)
    t0 = now()
    let outC = generate(model, Tensor(ints: [0], shape: [1, 1]), maxNewTokens: genTokens, useCache: true)
    dt = now() - t0
    if outC.ints != out.ints { fatalError("train-bench: cached generation gave other tokens than the slide's loop") }
    genC.append(Double(genTokens) / dt); genCMS.append(1000 * dt / Double(genTokens))
    print(String(format: "  repeat %d: train %8.1f tok/s  eval %8.1f tok/s  gen %6.1f tok/s  cached %7.1f tok/s  [probe sgemm %4.0f GFLOP/s]",
                 r, train.last!, eval.last!, gen.last!, genC.last!, probes.last!))
}
print(String(format: "loss: first warm-up step %.4f, last step %.4f (ln 65 = 4.174)", firstLoss, lastLoss))
print("\(("measurement (tokens/s)" as String).padding(toLength: 34, withPad: " ", startingAt: 0))     median        min        max")
row("train fwd+bwd+clip+AdamW", train, trainMS, "ms/step")
row("eval forward (32,128)", eval, evalMS, "ms/forward")
row("generate \(genTokens), B=1, no cache", gen, genMS, "ms/token")
row("generate \(genTokens), B=1, KV cache" + (model.supportsKVCache ? "" : " (n/a: custom blocks)"), genC, genCMS, "ms/token")
print(String(format: "peak RSS %.1f MB; probe sgemm 512³ median %.0f GFLOP/s", peakRSSMB(), median(probes)))
print(String(format: "RESULT swift train=%.1f eval=%.1f gen=%.1f gen_cached=%.1f peak_rss_mb=%.1f sgemm_gflops=%.1f", median(train),
             median(eval), median(gen), median(genC), peakRSSMB(), median(probes)))
