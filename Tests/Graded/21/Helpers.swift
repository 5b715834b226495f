// Shared helpers of the lab-21 graded tests: tiny configurations, a reference forward pass, comparisons.
import Foundation
import XCTest
import LabKit
@testable import Lab21

/// A model small enough that every test runs in well under a second.
func tinyConfig(vocabSize: Int = 11, blockSize: Int = 8, nLayer: Int = 1, nHead: Int = 2, nEmbd: Int = 16,
                bias: Bool = true, tied: Bool = false) -> GPTConfig {
    GPTConfig(vocabSize: vocabSize, blockSize: blockSize, nLayer: nLayer, nHead: nHead, nEmbd: nEmbd, dropout: 0,
              bias: bias, tieWeights: tied)
}

/// Largest absolute difference between two tensors of the same shape.
func maxAbsDiff(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.shape == b.shape, "maxAbsDiff: shapes \(a.shape) and \(b.shape)")
    return zip(a.scalars, b.scalars).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// Gives every parameter small random values (LayerNorm weights and biases too, so nothing is trivially 0 or 1).
func randomizeParameters(_ m: Module, std: Float = 0.3) {
    for p in m.parameters() { p.copy(from: Tensor.randn(p.shape, std: std) + (p.ndim == 1 ? 0.1 : 0)) }
}

/// The library's GPT with the same weights as `model` (its names carry a `transformer.` prefix; the head does not).
func libraryTwin(of model: GPTModel) throws -> GPT {
    let twin = GPT(model.config)
    var state: [String: Tensor] = [:]
    for (name, p) in model.namedParameters() { state[name == "lm_head.weight" ? name : "transformer." + name] = p }
    if model.config.tieWeights { state["lm_head.weight"] = model.wte.weight }
    try twin.loadStateDict(state)
    twin.eval()
    return twin
}

/// Logits of a model without blocks computed by hand, in Double: lm_head(layerNorm(wte[idx] + wpe[t])).
func handLogits(_ model: GPTModel, _ idx: [[Int]]) -> [Double] {
    let C = model.config.nEmbd, V = model.config.vocabSize
    let wte = model.wte.weight.scalars, wpe = model.wpe.weight.scalars, head = model.lm_head.weight.scalars
    let g = model.ln_f.weight.scalars, b = model.ln_f.bias?.scalars ?? [Float](repeating: 0, count: C)
    var out: [Double] = []
    for row in idx {
        for (t, token) in row.enumerated() {
            let x = (0..<C).map { Double(wte[token * C + $0]) + Double(wpe[t * C + $0]) }
            let mean = x.reduce(0, +) / Double(C)
            let variance = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(C)
            let n = (0..<C).map { (x[$0] - mean) / (variance + 1e-5).squareRoot() * Double(g[$0]) + Double(b[$0]) }
            for v in 0..<V { out.append((0..<C).reduce(0.0) { $0 + Double(head[v * C + $1]) * n[$1] }) }
        }
    }
    return out
}
