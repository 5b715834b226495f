// Lab 28, exercise 1: the LoRA layer (init, scaling, forward, wrapping a model).
import XCTest
import LabKit
@testable import Lab28

final class LoRATests: XCTestCase {
    func testBStartsAtZero() {
        manualSeed(1)
        let (A, B) = loraInitialWeights(r: 4, inFeatures: 10, outFeatures: 6)
        XCTAssertEqual(A.shape, [4, 10], "A must be (r, in) = (4, 10), got \(A.shape)")
        XCTAssertEqual(B.shape, [6, 4], "B must be (out, r) = (6, 4), got \(B.shape)")
        XCTAssertTrue(B.scalars.allSatisfy { $0 == 0 },
                      "B must start as all zeros, so that the wrapped layer starts exactly as the pre-trained one (B·A = 0). Use Tensor.zeros([out, r], requiresGrad: true).")
        XCTAssertTrue(A.requiresGrad && B.requiresGrad, "A and B are what LoRA trains: both need requiresGrad = true.")
        let base = randomLinear(10, 6)
        let layer = LoRALinear(base, r: 4, alpha: 8, dropout: 0.5)
        layer.train()
        let x = Tensor.randn([3, 10])
        XCTAssertEqual(maxAbsDiff(layer(x), base(x)), 0,
                       "With B = 0 the LoRA layer must give exactly the base layer's output, even in training mode with dropout 0.5 (dropout belongs on the adapter's input only).")
    }

    func testAIsKaimingUniform() {
        manualSeed(2)
        let (A, _) = loraInitialWeights(r: 8, inFeatures: 64, outFeatures: 8)
        let a = A.scalars, bound = Float(1) / 8                                 // 1/√64
        XCTAssertLessThanOrEqual(a.map(abs).max()!, bound + 1e-6,
                                 "A must lie in [-1/√in, 1/√in] = ±0.125 for in = 64 (kaiming-uniform with a = √5); the largest |A| is \(a.map(abs).max()!).")
        XCTAssertGreaterThan(a.map(abs).max()!, 0.9 * bound,
                             "A should fill [-1/√in, 1/√in] uniformly; the largest |A| is only \(a.map(abs).max()!) of 0.125. If A were zero too, B would never get a gradient.")
        let mean = a.reduce(0, +) / Float(a.count)
        XCTAssertEqual(mean, 0, accuracy: 0.02, "A's values should be centred on 0 (uniform in ±1/√in); their mean is \(mean).")
    }

    func testScalingIsAlphaOverR() {
        XCTAssertEqual(loraScaling(alpha: 16, r: 4), 4, accuracy: 1e-6, "The scaling is alpha / r: 16 / 4 = 4.")
        XCTAssertEqual(loraScaling(alpha: 8, r: 8), 1, accuracy: 1e-6, "The scaling is alpha / r: 8 / 8 = 1.")
        manualSeed(3)
        let base = randomLinear(5, 3)
        let layer = LoRALinear(base, r: 2, alpha: 6, dropout: 0)
        randomizeAdapter(layer)
        let x = Tensor.randn([4, 5])
        let update = matmul(matmul(x, layer.lora_A.weight.T), layer.lora_B.weight.T)   // (4, 3): x Aᵀ Bᵀ
        let want = base(x) + update * 3                                                    // s = 6 / 2
        let diff = maxAbsDiff(layer(x), want)
        XCTAssertLessThan(diff, 1e-4,
                          "LoRALinear(x) must be W x + b + (alpha / r) · B A x, here with alpha / r = 3; it differs by \(diff). Is the update scaled by `scaling` (alpha / r, not alpha)?")
    }

    func testDropoutOnlyOnTheLoRABranch() {
        manualSeed(4)
        let base = randomLinear(6, 4)
        let layer = LoRALinear(base, r: 2, alpha: 2, dropout: 0.5)
        randomizeAdapter(layer)
        layer.train()
        let x = Tensor.randn([50, 6])
        let y = layer(x)
        // With B = 0 the train-mode output must equal the base output exactly, whatever dropout does to the adapter.
        layer.lora_B.weight.copy(from: Tensor.zeros(layer.lora_B.weight.shape))
        XCTAssertEqual(maxAbsDiff(layer(x), base(x)), 0,
                       "In training mode with B = 0 the output must equal the base layer's output exactly: dropout belongs on the adapter's input (lora_B(lora_A(lora_dropout(x)))), never on the input of the base path W x + b.")
        layer.eval()
        randomizeAdapter(layer)
        XCTAssertEqual(maxAbsDiff(layer(x), layer(x)), 0, "In eval mode the layer must be deterministic (no dropout).")
        XCTAssertGreaterThan(maxAbsDiff(y, base(x)), 0, "With a non-zero adapter the output must differ from the base output.")
    }

    func testBaseWeightsAreFrozen() {
        manualSeed(5)
        let model = GPT(tinyConfig())
        let layers = addLoRA(to: model, r: 2, alpha: 4)
        XCTAssertEqual(layers.count, 2, "addLoRA must wrap the c_attn of every block (2 blocks here), got \(layers.count) layers.")
        let trainable = model.namedParameters().filter { $0.parameter.requiresGrad }.map(\.name)
        XCTAssertEqual(Set(trainable), Set(["transformer.h.0.attn.c_attn.lora_A.weight", "transformer.h.0.attn.c_attn.lora_B.weight",
                                            "transformer.h.1.attn.c_attn.lora_A.weight", "transformer.h.1.attn.c_attn.lora_B.weight"]),
                       "After addLoRA only the adapters may be trainable; trainable now: \(trainable). Freeze the model (model.freeze()) BEFORE creating the LoRA layers, so the base weights (embeddings, LayerNorms, c_attn's own weight and bias, ...) stay frozen and A, B stay trainable.")
        XCTAssertTrue((model.transformer.h[0] as! Block).attn.c_attn is LoRALinear,
                      "Each block's attn.c_attn must be replaced by the LoRALinear around it.")
    }
}
