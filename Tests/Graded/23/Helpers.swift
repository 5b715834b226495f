// Shared helpers of the lab-23 graded tests: a bigram model whose loss and gradient are known in closed form,
// an oracle model, spies.
import Foundation
import XCTest
import LabKit
@testable import Lab23

/// logits[b, t] = table[idx[b, t]]: the simplest language model, a (V, V) table of next-token scores.
final class Bigram: Module {
    var table: Embedding
    init(_ V: Int, std: Float = 1) {
        table = Embedding(V, V)
        super.init()
        table.weight.copy(from: Tensor.randn([V, V], std: std))
    }
    override func forward(_ idx: Tensor) -> Tensor { table(idx) }    // (B, T) -> (B, T, V)
}

/// Records the inputs it is called with and returns logits that put `margin` on `answers[b][t]` (a fixed
/// answer key) at every position: the loss is ≈ 0 exactly when the answers are scored against the right targets.
final class Oracle: Module {
    let answers: [[Int]]
    let V: Int
    var seen: [(shape: [Int], ints: [Int])] = []
    var bias: Tensor
    init(answers: [[Int]], vocabSize: Int) {
        self.answers = answers
        V = vocabSize
        bias = Tensor.zeros([vocabSize], requiresGrad: true)
        super.init()
    }
    override func forward(_ idx: Tensor) -> Tensor {
        seen.append((idx.shape, idx.ints))
        let (B, T) = (idx.size(0), idx.size(1))
        var z = [Float](repeating: 0, count: B * T * V)
        for b in 0..<B where b < answers.count { for t in 0..<T where t < answers[b].count { z[(b * T + t) * V + answers[b][t]] = 20 } }
        return Tensor(z, shape: [B, T, V]) + bias                    // (B, T, V)
    }
}

/// The mean next-token cross-entropy of a bigram table over a (B, T + 1) batch, and its gradient, in Double:
/// loss = mean over positions of logsumexp(W[x]) − W[x][y]; dL/dW[x] += (softmax(W[x]) − onehot(y)) / N.
func bigramReference(_ W: [Float], V: Int, _ rows: [[Int]]) -> (loss: Double, grad: [Double]) {
    var loss = 0.0, n = 0
    var grad = [Double](repeating: 0, count: V * V)
    for row in rows {
        for t in 0..<(row.count - 1) {
            let (x, y) = (row[t], row[t + 1])
            let z = (0..<V).map { Double(W[x * V + $0]) }
            let m = z.max()!
            let s = z.map { exp($0 - m) }.reduce(0, +)
            loss += m + log(s) - z[y]
            for v in 0..<V { grad[x * V + v] += exp(z[v] - m) / s - (v == y ? 1 : 0) }
            n += 1
        }
    }
    return (loss / Double(n), grad.map { $0 / Double(n) })
}

/// An optimizer that does not change the weights; it records the global gradient norm at every `step()`.
final class SpyOptimizer: Optimizer {
    var normsAtStep: [Float] = []
    init(_ parameters: [Tensor]) { super.init([ParamGroup(parameters)], learningRate: 0, weightDecay: 0) }
    override func step() { normsAtStep.append(gradNorm(parameters)) }
}

/// Global L2 norm of the gradients of `params` (0 if none).
func gradNorm(_ params: [Tensor]) -> Float {
    var s: Float = 0
    for p in params { if let g = p.grad { s += g.scalars.reduce(0) { $0 + $1 * $1 } } }
    return s.squareRoot()
}

func batchTensor(_ rows: [[Int]]) -> Tensor { Tensor(ints: rows.flatMap { $0 }, shape: [rows.count, rows[0].count]) }
