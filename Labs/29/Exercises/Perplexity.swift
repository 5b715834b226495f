// Lab 29, exercise 1: perplexity from summed token losses.
import Foundation
import LabKit

/// The slide's `calculate_perplexity`: e raised to the mean cross-entropy per token over every batch, where the mean
/// is taken over *tokens*, not over batches: each batch's mean loss is multiplied by its number of tokens, the
/// products and the token counts are summed in Double (a Float sum of a million losses drifts), and the total loss
/// is divided by the total count once at the end. Runs without gradients, in eval mode.
///
/// ```swift
/// let ppl = calculatePerplexity(model, batches: Array(try EpochLoader(valIds, batchSize: 32, blockSize: 128, shuffle: false)))
/// ```
/// Python (the slide):
/// ```python
/// def calculate_perplexity(model, data_loader):
///     total_loss, total_tokens = 0, 0
///     with torch.no_grad():
///         for x, y in data_loader:
///             logits, loss = model(x, y)
///             total_loss += loss.item() * y.numel()
///             total_tokens += y.numel()
///     return math.exp(total_loss / total_tokens)
/// ```
public func calculatePerplexity(_ model: GPT, batches: [(x: Tensor, y: Tensor)]) -> Double {
    guard !batches.isEmpty else { fatalError("calculatePerplexity: no batches") }
    let wasTraining = model.training
    model.eval()
    defer { model.train(wasTraining) }
    // BEGIN EXERCISE 1: calculatePerplexity
    todo("calculatePerplexity")
    // END EXERCISE 1
}
