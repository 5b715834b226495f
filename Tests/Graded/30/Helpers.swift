// Shared helpers of the lab-30 graded tests: tiny configurations, seeded inputs, comparisons, spies.
import Foundation
import XCTest
import LabKit
@testable import Lab30

/// A model small enough that every test runs in well under a second.
func tinyConfig(vocabSize: Int = 11, blockSize: Int = 8, nLayer: Int = 1, nHead: Int = 2, nEmbd: Int = 16,
                dropout: Float = 0) -> GPTConfig {
    GPTConfig(vocabSize: vocabSize, blockSize: blockSize, nLayer: nLayer, nHead: nHead, nEmbd: nEmbd, dropout: dropout)
}

/// Largest absolute difference between two tensors of the same shape.
func maxAbsDiff(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.shape == b.shape, "maxAbsDiff: shapes \(a.shape) and \(b.shape)")
    return zip(a.scalars, b.scalars).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// Copies every parameter of `src` into the parameter of the same name in `dst` (names must match).
func copyParameters(from src: Module, to dst: Module) throws {
    try dst.loadStateDict(src.stateDict())
}

/// Gives every parameter small random values (biases and LayerNorm weights too, so nothing is trivially 0 or 1).
func randomizeParameters(_ m: Module, std: Float = 0.3) {
    for p in m.parameters() { p.copy(from: Tensor.randn(p.shape, std: std) + (p.ndim == 1 ? 0.1 : 0)) }
}

/// Global L2 norm of the gradients of `params` (0 if none).
func gradNorm(_ params: [Tensor]) -> Float {
    var s: Float = 0
    for p in params { if let g = p.grad { s += g.scalars.reduce(0) { $0 + $1 * $1 } } }
    return s.squareRoot()
}

/// A block that changes nothing and records, on every call, whether the model was in training mode and whether
/// gradients were being recorded.
final class SpyBlock: Module {
    var calls: [(training: Bool, gradEnabled: Bool)] = []
    init(_ config: GPTConfig) { super.init() }
    override func forward(_ x: Tensor) -> Tensor {
        calls.append((training, isGradEnabled))
        return x
    }
}

/// An optimizer that does not change the weights; it records the global gradient norm at every `step()`.
final class SpyOptimizer: Optimizer {
    var normsAtStep: [Float] = []
    init(_ parameters: [Tensor]) { super.init([ParamGroup(parameters)], learningRate: 0, weightDecay: 0) }
    override func step() { normsAtStep.append(gradNorm(parameters)) }
}

/// (B, T) int32 token ids drawn from the global generator.
func randomTokens(_ B: Int, _ T: Int, vocab: Int) -> Tensor { Tensor.randint(vocab, [B, T]) }
