// CharModelTrainer: the seeded training run behind a course model (AdamW, warm-up + cosine, clipping).
import Foundation
import LabDisplay
import LabNN
import LabTensor
import LabText

/// Trains `recipe` on token ids `ids` (split `trainFraction` / rest) and measures the validation loss.
/// Deterministic: the weights depend only on the recipe, the ids and the library.
struct CharModelTrainer {
    let recipe: CharModelRecipe
    let config: GPTConfig
    let ids: [Int]
    /// Seconds between stderr progress lines (a log without a terminal still shows life every 20 s).
    var noteInterval = 20.0

    struct Output {
        var model: GPT
        var validationLoss: Double
        var metadata: [String: String]
    }

    func run() throws -> Output {
        let r = recipe
        let (trainIds, valIds) = trainValSplit(ids, trainFraction: r.trainFraction)
        manualSeed(r.seed)                                   // this thread's generator (see onOwnThread)
        let model = GPT(config)
        model.train()
        let optimizer = AdamW(ParamGroup.decayMatricesOnly(model.parameters(), weightDecay: r.weightDecay),
                              lr: r.learningRate, betas: r.betas)
        let schedule = CosineWithWarmupToMin(learningRate: r.learningRate, minLearningRate: r.minLearningRate,
                                             warmupSteps: r.warmupSteps, decaySteps: r.steps)
        let batches = try BatchSampler(trainIds, batchSize: r.batchSize, blockSize: r.blockSize, seed: r.seed)
        note("\(r.name): not in the cache, training it once (\(model.parameterCount) parameters, \(r.steps) steps of \(r.batchSize) × \(r.blockSize) characters; a line every \(Int(noteInterval)) s)")
        let start = monotonicSeconds()
        var lastNote = start
        var smoothed = Double.nan
        for step in 0..<r.steps {
            let (xb, yb) = batches.next()                                 // (B, T), (B, T)
            optimizer.learningRate = schedule(step)
            optimizer.zeroGrad()
            let loss = model(xb, yb).loss!                                 // scalar
            loss.backward()
            clipGradNorm(model.parameters(), maxNorm: r.gradClip)
            optimizer.step()
            let l = Double(loss.item())
            smoothed = smoothed.isNaN ? l : 0.95 * smoothed + 0.05 * l
            let now = monotonicSeconds()
            let tps = Double((step + 1) * r.batchSize * r.blockSize) / max(now - start, 1e-9)
            if LabChannel.shared != nil { progress(step: step + 1, total: r.steps, loss: l, tokensPerSecond: tps) }
            if now - lastNote >= noteInterval {
                lastNote = now
                let eta = (now - start) / Double(step + 1) * Double(r.steps - step - 1)
                note("\(r.name): step \(step + 1)/\(r.steps), loss \(String(format: "%.3f", smoothed)), \(Int(tps)) tokens/s, \(formatDuration(now - start)) elapsed, about \(formatDuration(eta)) left")
            }
        }
        let seconds = monotonicSeconds() - start
        model.eval()
        let val = try validationLoss(model, valIds)
        note("\(r.name): trained in \(formatDuration(seconds)); validation loss \(String(format: "%.4f", val)) nats/char")
        return Output(model: model, validationLoss: val,
                      metadata: ["valLoss": "\(val)", "trainSeconds": String(format: "%.1f", seconds),
                                 "finalTrainLoss": "\(smoothed)"])
    }

    /// Token-weighted mean cross-entropy over every non-overlapping `blockSize` window of `ids`, in Double.
    func validationLoss(_ model: GPT, _ ids: [Int]) throws -> Double {
        let loader = try EpochLoader(ids, batchSize: 32, blockSize: recipe.blockSize, shuffle: false)
        var total = 0.0, count = 0
        noGrad {
            for (x, y) in loader {
                let n = y.count
                total += Double(model(x, y).loss!.item()) * Double(n)
                count += n
            }
        }
        return total / Double(max(count, 1))
    }
}
