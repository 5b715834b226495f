// Lab 21, exercise 2: parameterCount(config:tied:), against PyTorch's counts and built models.
//
// The PyTorch numbers come from scripts/reference/lab21_parameter_counts.py (models built on the meta device,
// `sum(p.numel() for p in model.parameters())`, torch 2.13): GPT-2 small untied 163037184, tied 124439808
// (also Hugging Face's `GPT2LMHeadModel.from_pretrained("gpt2").num_parameters()`).
import XCTest
import LabKit
@testable import Lab21

final class ParameterCountTests: XCTestCase {
    func testGPT2SmallUntiedIsTheSlides163M() {
        let n = parameterCount(config: .gpt2Small, tied: false)
        XCTAssertEqual(n, 163_037_184,
                       "GPT-2 small with its own head matrix has 163,037,184 parameters (PyTorch), you count \(n). Count wte (V·C), wpe (T·C), 12 blocks (two LayerNorms, c_attn, attn.c_proj, c_fc, mlp.c_proj, each with weight and bias), ln_f and the head (V·C, no bias).")
    }

    func testGPT2SmallTiedIs124M() {
        let n = parameterCount(config: .gpt2Small, tied: true)
        XCTAssertEqual(n, 124_439_808,
                       "GPT-2 small with the head tied to wte has 124,439,808 parameters (PyTorch, Hugging Face), you count \(n). A tied head reuses wte's matrix, so it adds nothing.")
    }

    func testTyingSavesExactlyTheEmbedding() {
        for (V, C) in [(11, 16), (37, 12), (50257, 768)] {
            let config = tinyConfig(vocabSize: V, nHead: 4, nEmbd: C)
            let saved = parameterCount(config: config, tied: false) - parameterCount(config: config, tied: true)
            XCTAssertEqual(saved, V * C,
                           "Tying the head to wte should save exactly one (V, C) matrix = \(V * C) parameters for V \(V), C \(C); your counts differ by \(saved). The untied head is a C → V Linear without bias; the tied one adds 0.")
        }
    }

    func testMatchesBuiltModels() {
        for config in [tinyConfig(), tinyConfig(vocabSize: 37, blockSize: 9, nLayer: 3, nHead: 3, nEmbd: 12),
                       tinyConfig(vocabSize: 5, blockSize: 3, nLayer: 2, nHead: 1, nEmbd: 7)] {
            for tied in [false, true] {
                var c = config
                c.tieWeights = tied
                let built = GPT(c).parameterCount
                let n = parameterCount(config: c, tied: tied)
                XCTAssertEqual(n, built, "For V \(c.vocabSize), T \(c.blockSize), \(c.nLayer) layers, C \(c.nEmbd), tied \(tied) a built model has \(built) parameters, you count \(n).")
            }
        }
    }
}
