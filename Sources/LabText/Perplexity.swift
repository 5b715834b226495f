import Foundation
import LabTensor
import LabNN

/// Perplexity as slide 29 defines it: exp of the mean cross-entropy per token, weighted by the number of tokens in
/// each batch (targets equal to -1 are not counted). Runs in eval mode without gradients and restores the mode.
///
/// ```swift
/// let ppl = perplexity(model: model, batches: EpochLoader(valIds, batchSize: 8, blockSize: 64, shuffle: false))
/// ```
/// Python: `torch.exp(total_loss / total_tokens)` with `total_loss += F.cross_entropy(logits.view(-1, V), y.view(-1),
/// reduction='sum')`.
public func perplexity<S: Sequence>(model: Module, batches: S) -> Double where S.Element == (x: Tensor, y: Tensor) {
    let wasTraining = model.training
    model.eval()
    defer { model.train(wasTraining) }
    return perplexity(batches: batches) { model($0) }
}

/// Perplexity of any function from inputs (B, T) to logits (B, T, V).
public func perplexity<S: Sequence>(batches: S, logits: (Tensor) -> Tensor) -> Double where S.Element == (x: Tensor, y: Tensor) {
    var totalNLL = 0.0
    var totalTokens = 0
    noGrad {
        for (x, y) in batches {
            let out = logits(x)                                         // (B, T, V)
            let V = out.size(-1)
            let targets = y.view([-1])                                  // (B*T)
            let counted = targets.ints.filter { $0 != -1 }.count
            guard counted > 0 else { continue }
            let loss = crossEntropy(out.view([-1, V]), targets, ignoreIndex: -1)   // mean over counted tokens
            totalNLL += Double(loss.item()) * Double(counted)
            totalTokens += counted
        }
    }
    return totalTokens == 0 ? .nan : exp(totalNLL / Double(totalTokens))
}
