// Lab 27, exercise 3: gradient accumulation, one big batch's gradient from several small ones.
import Foundation
import LabKit

/// Sets the gradients of `model`'s parameters to the gradient of the mean loss over all the micro-batches
/// together, as if they were one batch, keeping only one micro-batch's activations in memory at a time. Returns
/// that mean loss. Clears the old gradients once, at the start (not between micro-batches: they must add up), and
/// scales each micro-batch's loss by 1 / microBatches.count so that the sum is a mean. Does not step the optimizer.
///
/// ```swift
/// let loss = accumulateGradients(model, optimizer, microBatches: [(x1, y1), (x2, y2), (x3, y3), (x4, y4)])
/// clipGradNorm(model.parameters(), maxNorm: 1)
/// optimizer.step()
/// ```
/// PyTorch (the slide):
/// ```python
/// optimizer.zero_grad()
/// for i, (x, y) in enumerate(micro_batches):
///     loss = model(x, y)[1] / accumulation_steps
///     loss.backward()
/// ```
public func accumulateGradients(_ model: GPT, _ optimizer: Optimizer, microBatches: [(x: Tensor, y: Tensor)]) -> Float {
    guard !microBatches.isEmpty else { fatalError("accumulateGradients: no micro-batches") }
    if let bad = microBatches.first(where: { $0.x.shape != microBatches[0].x.shape }) {
        fatalError("accumulateGradients: micro-batches must have equal shapes for the mean to be right, got \(microBatches[0].x.shape) and \(bad.x.shape)")
    }
    // BEGIN EXERCISE 3: accumulateGradients
    todo("accumulateGradients")
    // END EXERCISE 3
}
