// Lab 21, hidden tests: causality, batch independence, no-bias configurations, PyTorch's counts.
import XCTest
import LabKit
@testable import Lab21

final class HiddenLab21Tests: XCTestCase {
    func testLaterTokensDoNotChangeEarlierLogits() {
        manualSeed(11)
        let model = GPTModel(tinyConfig(nLayer: 2))
        randomizeParameters(model)
        let a = model(Tensor(ints: [1, 2, 3, 4, 5, 6], shape: [1, 6]))
        let b = model(Tensor(ints: [1, 2, 3, 4, 9, 0], shape: [1, 6]))
        XCTAssertLessThan(maxAbsDiff(a[0, 0..<4], b[0, 0..<4]), 1e-5,
                          "Changing tokens 4 and 5 changed the logits at positions 0 ..< 4: use the blocks of h as given (they are causal) and nothing that mixes positions.")
    }

    func testBatchRowsAreIndependent() {
        manualSeed(12)
        let model = GPTModel(tinyConfig())
        randomizeParameters(model)
        let both = model(Tensor(ints: [3, 1, 4, 1, 5, 9, 2, 6], shape: [2, 4]))
        let alone = model(Tensor(ints: [3, 1, 4, 1], shape: [1, 4]))
        XCTAssertLessThan(maxAbsDiff(both[0..<1], alone), 1e-5,
                          "Row 0's logits change when another row is in the batch: add the (T, C) position embeddings to every row alike (broadcast), and keep the rows apart.")
    }

    func testOddShapesMatchLibrary() throws {
        manualSeed(13)
        for config in [tinyConfig(vocabSize: 7, blockSize: 5, nLayer: 3, nHead: 3, nEmbd: 9, tied: true),
                       tinyConfig(vocabSize: 13, blockSize: 11, nLayer: 1, nHead: 1, nEmbd: 5, bias: false)] {
            let model = GPTModel(config)
            randomizeParameters(model)
            let twin = try libraryTwin(of: model)
            let idx = Tensor.randint(config.vocabSize, [3, config.blockSize])
            XCTAssertLessThan(maxAbsDiff(model(idx), twin(idx)), 1e-4, "GPTModel differs from the library's GPT for \(config)")
        }
    }

    func testNoBiasCountsMatchPyTorch() {
        // scripts/reference/lab21_parameter_counts.py: V 37, T 9, L 3, C 12, bias=False: untied 6264, tied 5820.
        let c = tinyConfig(vocabSize: 37, blockSize: 9, nLayer: 3, nHead: 3, nEmbd: 12, bias: false)
        XCTAssertEqual(parameterCount(config: c, tied: false), 6264, "Without biases (config.bias false) the Linear and LayerNorm layers have weights only.")
        XCTAssertEqual(parameterCount(config: c, tied: true), 5820, "Without biases, tied: wte counts once.")
    }

    func testGPT2MediumMatchesPyTorch() {
        // scripts/reference/lab21_parameter_counts.py: 354823168 (Hugging Face's "gpt2-medium", 355M).
        XCTAssertEqual(parameterCount(config: .gpt2Medium, tied: true), 354_823_168)
    }
}
