// Shared helpers of the lab-27 graded tests.
import Foundation
import XCTest
import LabKit
@testable import Lab27

/// A GPT small enough that a test runs in milliseconds (dropout 0, so every pass is deterministic).
func tinyGPT(seed: UInt64 = 5) -> GPT {
    manualSeed(seed)
    return GPT(GPTConfig(vocabSize: 13, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 16))
}

/// `count` micro-batches of (batch, 8) random tokens and targets.
func microBatches(_ count: Int, batch: Int = 3, seed: UInt64 = 9) -> [(x: Tensor, y: Tensor)] {
    manualSeed(seed)
    return (0..<count).map { _ in (Tensor.randint(13, [batch, 8]), Tensor.randint(13, [batch, 8])) }
}

/// Every parameter's gradient, flattened in parameter order (zeros for a parameter without one).
func gradients(_ model: Module) -> [[Float]] {
    model.parameters().map { $0.grad?.scalars ?? [Float](repeating: 0, count: $0.count) }
}

/// The gradient of the mean loss over all the micro-batches as one batch, by autograd on the concatenation.
func bigBatchGradients(_ model: GPT, _ batches: [(x: Tensor, y: Tensor)]) -> [[Float]] {
    model.zeroGrad()
    model(cat(batches.map(\.x), dim: 0), cat(batches.map(\.y), dim: 0)).loss!.backward()
    let g = gradients(model)
    model.zeroGrad()
    return g
}

/// Largest absolute difference between two gradient lists.
func maxDifference(_ a: [[Float]], _ b: [[Float]], scale: Float = 1) -> Float {
    zip(a, b).map { x, y in zip(x, y).map { abs($0 - scale * $1) }.max() ?? 0 }.max() ?? 0
}
