// Shared helpers of the lab-28 graded tests.
import Foundation
import XCTest
import LabKit
@testable import Lab28

/// A model small enough that every test runs in well under a second.
func tinyConfig(vocabSize: Int = 11, blockSize: Int = 12, nLayer: Int = 2, nHead: Int = 2, nEmbd: Int = 8) -> GPTConfig {
    GPTConfig(vocabSize: vocabSize, blockSize: blockSize, nLayer: nLayer, nHead: nHead, nEmbd: nEmbd, dropout: 0)
}

/// Largest absolute difference between two tensors of the same shape.
func maxAbsDiff(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.shape == b.shape, "maxAbsDiff: shapes \(a.shape) and \(b.shape)")
    return zip(a.scalars, b.scalars).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// A Linear with random weight and bias.
func randomLinear(_ inFeatures: Int, _ outFeatures: Int) -> Linear {
    Linear(weight: Tensor.randn([outFeatures, inFeatures], std: 0.5, requiresGrad: true),
           bias: Tensor.randn([outFeatures], std: 0.5, requiresGrad: true))
}

/// Gives the adapter non-zero A and B so the update is visible.
func randomizeAdapter(_ layer: LoRALinear) {
    layer.lora_A.weight.copy(from: Tensor.randn(layer.lora_A.weight.shape, std: 0.5))
    layer.lora_B.weight.copy(from: Tensor.randn(layer.lora_B.weight.shape, std: 0.5))
}

/// One-token tensors (1, 1) for the PPO objective.
func one(_ x: Float, requiresGrad: Bool = false) -> Tensor { Tensor([x], shape: [1, 1], requiresGrad: requiresGrad) }
