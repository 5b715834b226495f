// zoo-bench: trains a course-model recipe from scratch (in a temporary cache) and prints its wall time,
// tokens/s and validation loss: how CharModelRecipe.shakespeareSmall was chosen (lowest loss in <= 3 minutes).
//
// Usage:  swift build -c release --product zoo-bench
//         .build/release/zoo-bench                          # the shipped recipe
//         .build/release/zoo-bench --layers 6 --embd 96 --heads 4 --block 128 --steps 900 --batch 32 --lr 2e-3
//         .build/release/zoo-bench --steps 20 ...           # a throughput probe (seconds per step)
import Foundation
import LabZoo
import LabText

func option<T: LosslessStringConvertible>(_ name: String, _ fallback: T) -> T {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: "--" + name), i + 1 < args.count, let v = T(args[i + 1]) else { return fallback }
    return v
}
let base = CharModelRecipe.shakespeareSmall
var r = base
r.nLayer = option("layers", base.nLayer)
r.nHead = option("heads", base.nHead)
r.nEmbd = option("embd", base.nEmbd)
r.blockSize = option("block", base.blockSize)
r.steps = option("steps", base.steps)
r.batchSize = option("batch", base.batchSize)
r.learningRate = option("lr", base.learningRate)
r.minLearningRate = option("minlr", r.learningRate / 10)
r.warmupSteps = option("warmup", min(base.warmupSteps, r.steps / 10))
r.dropout = option("dropout", base.dropout)
r.seed = option("seed", base.seed)
r.name = "zoo-bench"

let text = try loadCorpus("tinyshakespeare")
let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("zoo-bench-\(getpid())")
defer { try? FileManager.default.removeItem(at: dir) }
let t0 = Date()
let m = try CourseModel.load(r, corpus: text, cacheDirectory: dir)
let wall = Date().timeIntervalSince(t0)
let t1 = Date()
_ = try CourseModel.load(r, corpus: text, cacheDirectory: dir)
let hit = Date().timeIntervalSince(t1)
let tokens = Double(r.steps * r.batchSize * r.blockSize)
print(String(format: "L%d H%d C%d T%d B%d steps %d lr %g: %d parameters, %.1f s (incl. eval), %.0f tokens/s, %.3f s/step, val loss %.4f, cache hit %.2f s",
             r.nLayer, r.nHead, r.nEmbd, r.blockSize, r.batchSize, r.steps, Double(r.learningRate),
             m.model.parameterCount, wall, tokens / wall, wall / Double(r.steps), m.validationLoss, hit))
