// Lab 30, task 2: the training loop, in small pieces that can be checked one at a time.
import Foundation
import LabKit

// MARK: - Batches

/// `batchSize` random windows of `blockSize` tokens from `data`, and the same windows shifted one token to the
/// right: `y[b, t]` is the token that follows `x[b, t]`, the one the model must predict.
///
/// Draws the start offsets with `Tensor.randint` from the global generator, so `manualSeed` makes it repeatable.
///
/// ```swift
/// let (xb, yb) = getBatch(trainData, batchSize: 32, blockSize: 128)   // (32, 128) int32 each
/// ```
/// PyTorch (the slide):
/// ```python
/// ix = torch.randint(len(data) - block_size, (batch_size,))
/// x = torch.stack([data[i:i+block_size] for i in ix])
/// y = torch.stack([data[i+1:i+block_size+1] for i in ix])
/// ```
public func getBatch(_ data: Tensor, batchSize: Int, blockSize: Int) -> (x: Tensor, y: Tensor) {
    precondition(data.ndim == 1 && data.count > blockSize,
                 "getBatch: data must be 1-D with more than blockSize (\(blockSize)) tokens, got \(data.shape)")
    // BEGIN EXERCISE 2a: getBatch
    todo("getBatch")
    // END EXERCISE 2a
}

// MARK: - Evaluation

/// The mean loss of `model` over `evalIters` random batches of `data`, measured in evaluation mode (dropout off)
/// and without recording gradients; the model is back in training mode afterwards.
///
/// ```swift
/// let val = estimateLoss(model, valData, evalIters: 20, batchSize: 32, blockSize: 128)
/// ```
/// PyTorch (the slide's `estimate_loss`):
/// ```python
/// @torch.no_grad()
/// def estimate_loss():
///     model.eval()
///     losses = torch.zeros(eval_iters)
///     for k in range(eval_iters):
///         X, Y = get_batch(split)
///         logits, loss = model(X, Y)
///         losses[k] = loss.item()
///     model.train()
///     return losses.mean()
/// ```
public func estimateLoss(_ model: GPT, _ data: Tensor, evalIters: Int, batchSize: Int, blockSize: Int) -> Float {
    // BEGIN EXERCISE 2b: estimateLoss
    todo("estimateLoss")
    // END EXERCISE 2b
}

// MARK: - One step

/// One optimisation step on the batch (x, y): clear the old gradients, compute the loss, backpropagate, clip the
/// gradients' global norm to `clipNorm` (nil: no clipping), update the weights. Returns the loss before the update.
///
/// ```swift
/// let loss = trainStep(model, optimizer, xb, yb, clipNorm: 1.0)
/// ```
/// PyTorch:
/// ```python
/// optimizer.zero_grad(set_to_none=True)
/// logits, loss = model(xb, yb)
/// loss.backward()
/// torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
/// optimizer.step()
/// ```
@discardableResult
public func trainStep(_ model: GPT, _ optimizer: Optimizer, _ x: Tensor, _ y: Tensor, clipNorm: Float? = 1.0) -> Float {
    // BEGIN EXERCISE 2c: trainStep
    todo("trainStep")
    // END EXERCISE 2c
}

// MARK: - The loop

/// Settings of `train` (defaults: the PyTorch baseline's tuned recipe, with the peak learning rate doubled: over lab 30's
/// 1,500 steps 2e-3 ended lower than 1e-3 or 3e-3).
public struct TrainingOptions {
    /// Optimizer steps (the loop may stop earlier when `maxSeconds` runs out).
    public var steps: Int
    public var batchSize = 32
    /// Peak learning rate, reached after `warmupSteps`, then a cosine down to `minLearningRate`.
    public var learningRate: Float = 2e-3
    public var minLearningRate: Float = 1e-4
    public var warmupSteps = 100
    /// AdamW weight decay on the matrices (embeddings, Linear weights); none on biases and LayerNorms.
    public var weightDecay: Float = 0.1
    public var betas: (Float, Float) = (0.9, 0.99)
    /// Gradient clipping (global L2 norm); nil: none.
    public var clipNorm: Float? = 1.0
    /// Evaluate train and validation loss every `evalInterval` steps (and after the last step) ...
    public var evalInterval = 100
    /// ... each over `evalIters` random batches.
    public var evalIters = 20
    /// A time budget for the training steps (evaluation not counted); nil: run all `steps`.
    public var maxSeconds: Double?
    /// Show the live progress line.
    public var showProgress = true

    public init(steps: Int) { self.steps = steps }
}

/// What happened during `train`: every step's loss, the periodic evaluations, and the speed.
public struct TrainingHistory {
    /// The training loss of every step (one batch each: noisy).
    public var losses: [Float] = []
    /// Steps at which train and validation loss were estimated, and the estimates.
    public var evalSteps: [Int] = []
    public var trainLoss: [Float] = []
    public var valLoss: [Float] = []
    /// Steps taken, tokens trained on, and seconds spent in training steps (evaluation not counted).
    public var steps = 0
    public var tokens = 0
    public var seconds = 0.0

    public init() {}

    public var tokensPerSecond: Double { seconds > 0 ? Double(tokens) / seconds : 0 }

    /// Records one evaluation.
    public mutating func recordEvaluation(step: Int, train: Float, val: Float) {
        evalSteps.append(step)
        trainLoss.append(train)
        valLoss.append(val)
    }
}

/// The learning rate for `step` when a fraction `progress` (0...1) of the run is done: a linear warm-up over the
/// first `warmupSteps` steps, times a cosine from `learningRate` down to `minLearningRate` over the run.
/// `progress` is steps done / steps, or time spent / `maxSeconds` when that is further along.
public func learningRate(step: Int, progress: Double, options: TrainingOptions) -> Float {
    let warmup = min(1, Double(step + 1) / Double(options.warmupSteps + 1))
    let p = min(max(progress, 0), 1)
    let (lr, minLR) = (Double(options.learningRate), Double(options.minLearningRate))
    return Float(warmup * (minLR + 0.5 * (1 + cos(Double.pi * p)) * (lr - minLR)))
}

/// Trains `model` on random batches of `trainData` with AdamW (weight decay on matrices only), the learning-rate
/// schedule of `learningRate(step:progress:options:)` and gradient clipping; estimates train and validation loss
/// every `evalInterval` steps and at the end; shows a live progress line. The model is left in training mode.
/// Windows are `model.config.blockSize` tokens long.
///
/// ```swift
/// var options = TrainingOptions(steps: 1500)
/// let history = train(model, trainData: trainData, valData: valData, options: options)
/// print(history.valLoss.last!, history.tokensPerSecond)
/// ```
/// PyTorch (nanoGPT's loop, simplified):
/// ```python
/// for it in range(max_iters):
///     if it % eval_interval == 0: losses = estimate_loss()
///     for g in optimizer.param_groups: g['lr'] = get_lr(it)
///     xb, yb = get_batch('train')
///     loss = train_step(xb, yb)
/// ```
public func train(_ model: GPT, trainData: Tensor, valData: Tensor, options: TrainingOptions) -> TrainingHistory {
    // BEGIN EXERCISE 2d: train
    todo("train")
    // END EXERCISE 2d
}
