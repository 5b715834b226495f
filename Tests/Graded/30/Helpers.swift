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

/// Sets `attn`'s weights so that its output is the sum of each query's attention weights: every value vector is
/// all ones (the value rows of c_attn zero, their bias 1) and c_proj is the identity. The queries and keys keep
/// random weights. A correct attention then outputs exactly 1 everywhere (each query's weights over the keys sum
/// to 1), whatever the mask, the scale or the head split do.
func makeOutputTheWeightSums(_ attn: SelfAttention) {
    let C = attn.nEmbd
    var w = attn.c_attn.weight.scalars                       // (3C, C), rows 2C..<3C make v
    for i in (2 * C * C)..<(3 * C * C) { w[i] = 0 }
    attn.c_attn.weight.copy(from: Tensor(w, shape: [3 * C, C]))
    if let b = attn.c_attn.bias {
        var v = b.scalars
        for i in (2 * C)..<(3 * C) { v[i] = 1 }
        b.copy(from: Tensor(v, shape: [3 * C]))
    }
    var eye = [Float](repeating: 0, count: C * C)
    for i in 0..<C { eye[i * C + i] = 1 }
    attn.c_proj.weight.copy(from: Tensor(eye, shape: [C, C]))
    if let b = attn.c_proj.bias { b.copy(from: Tensor.zeros([C])) }
}

/// Largest |sum of attention weights − 1| over all queries, measured with `makeOutputTheWeightSums` on a copy
/// of `config`'s attention (eval mode, random queries and keys).
func worstWeightSumError(_ config: GPTConfig, seed: UInt64 = 30) -> Float {
    manualSeed(seed)
    let attn = SelfAttention(config)
    randomizeParameters(attn, std: 0.5)
    makeOutputTheWeightSums(attn)
    attn.eval()
    let y = attn(Tensor.randn([2, min(6, config.blockSize), config.nEmbd]))   // (B, T, C): every entry a weight sum
    return y.scalars.reduce(0) { max($0, abs($1 - 1)) }
}

/// Largest change of the outputs at positions 0..<t of a fresh `config` attention when the inputs at t... change.
func worstLookAhead(_ config: GPTConfig, seed: UInt64 = 2) -> Float {
    manualSeed(seed)
    let attn = SelfAttention(config)
    attn.eval()
    let T = 6, C = config.nEmbd
    let x = Tensor.randn([2, T, C])
    let y = attn(x)
    var worst: Float = 0
    for t in [1, 3, 5] {
        var values = x.scalars
        for b in 0..<2 { for s in t..<T { for c in 0..<C { values[(b * T + s) * C + c] += 1.5 } } }
        let y2 = attn(Tensor(values, shape: [2, T, C]))
        worst = max(worst, maxAbsDiff(y[0..., 0..<t], y2[0..., 0..<t]))
    }
    return worst
}
