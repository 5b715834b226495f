// Learning-rate schedules: a value per optimizer step, set into `optimizer.learningRate` before `step()`.
import Foundation

/// A learning rate as a function of the step number (0-based, the number of optimizer steps taken so far).
///
/// ```swift
/// let schedule = CosineWithWarmup(learningRate: 1e-3, warmupSteps: 100, totalSteps: 5000)
/// for step in 0..<5000 {
///     optimizer.learningRate = schedule(step)
///     ...; optimizer.step()
/// }
/// ```
/// PyTorch: `torch.optim.lr_scheduler.LambdaLR(opt, lambda step: multiplier)` with `scheduler.step()` after each step.
public protocol LRSchedule {
    /// The learning rate to use for optimizer step `step`.
    func callAsFunction(_ step: Int) -> Float
}

/// A constant learning rate (PyTorch's default: no scheduler).
public struct ConstantLR: LRSchedule {
    public var learningRate: Float
    public init(_ learningRate: Float) { self.learningRate = learningRate }
    public func callAsFunction(_ step: Int) -> Float { learningRate }
}

/// Linear warm-up then a cosine, exactly Hugging Face `get_cosine_schedule_with_warmup`:
/// multiplier = step / max(1, warmup) while step < warmup, else
/// max(0, 0.5·(1 + cos(π · numCycles · 2 · progress))) with progress = (step − warmup) / max(1, total − warmup).
/// With the default numCycles 0.5 the rate falls from `learningRate` to 0 at `totalSteps`.
///
/// ```swift
/// let schedule = CosineWithWarmup(learningRate: 5e-5, warmupSteps: 500, totalSteps: 10_000)
/// optimizer.learningRate = schedule(step)
/// ```
/// Python: `transformers.get_cosine_schedule_with_warmup(opt, num_warmup_steps, num_training_steps)`.
public struct CosineWithWarmup: LRSchedule {
    public var learningRate: Float
    public var warmupSteps: Int
    public var totalSteps: Int
    public var numCycles: Double

    public init(learningRate: Float, warmupSteps: Int, totalSteps: Int, numCycles: Double = 0.5) {
        self.learningRate = learningRate
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.numCycles = numCycles
    }

    /// The factor applied to `learningRate` (HF's `lr_lambda`).
    public func multiplier(_ step: Int) -> Double {
        if step < warmupSteps { return Double(step) / Double(max(1, warmupSteps)) }
        let progress = Double(step - warmupSteps) / Double(max(1, totalSteps - warmupSteps))
        return max(0, 0.5 * (1 + cos(Double.pi * numCycles * 2 * progress)))
    }

    public func callAsFunction(_ step: Int) -> Float { Float(Double(learningRate) * multiplier(step)) }
}

/// nanoGPT's `get_lr`: linear warm-up, cosine decay to `minLearningRate` at `decaySteps`, then constant `minLearningRate`.
/// lr = maxLR·(step + 1)/(warmup + 1) while step < warmup; minLR after decaySteps; otherwise
/// minLR + 0.5·(1 + cos(π·ratio))·(maxLR − minLR), ratio = (step − warmup)/(decaySteps − warmup).
///
/// ```swift
/// let schedule = CosineWithWarmupToMin(learningRate: 1e-3, minLearningRate: 1e-4, warmupSteps: 100, decaySteps: 5000)
/// ```
/// Python (nanoGPT train.py): `lr = get_lr(iter_num)`.
public struct CosineWithWarmupToMin: LRSchedule {
    public var learningRate: Float
    public var minLearningRate: Float
    public var warmupSteps: Int
    public var decaySteps: Int

    public init(learningRate: Float, minLearningRate: Float, warmupSteps: Int, decaySteps: Int) {
        self.learningRate = learningRate
        self.minLearningRate = minLearningRate
        self.warmupSteps = warmupSteps
        self.decaySteps = decaySteps
    }

    public func callAsFunction(_ step: Int) -> Float {
        let (lr, minLR) = (Double(learningRate), Double(minLearningRate))
        if step < warmupSteps { return Float(lr * Double(step + 1) / Double(warmupSteps + 1)) }
        if step > decaySteps { return minLearningRate }
        let ratio = Double(step - warmupSteps) / Double(max(1, decaySteps - warmupSteps))
        return Float(minLR + 0.5 * (1 + cos(Double.pi * ratio)) * (lr - minLR))
    }
}
