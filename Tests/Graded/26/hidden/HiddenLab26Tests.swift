// Lab 26, hidden tests.
import XCTest
import LabKit
@testable import Lab26

final class HiddenLab26Tests: XCTestCase {
    func testCustomFormat() {
        let format = PromptFormat(inputPrefix: "Input: ", outputPrefix: "\nOutput:", separator: "\n###\n")
        let got = fewShotPrompt(instruction: "Classify the sentiment.", examples: [Example("I loved it", "positive"), Example("Dull.", "negative")],
                                query: "Not bad at all", format: format)
        XCTAssertEqual(got, "Classify the sentiment.\n###\nInput: I loved it\nOutput: positive\n###\nInput: Dull.\nOutput: negative\n###\nInput: Not bad at all\nOutput:")
    }

    func testExactMatchIsStricterThanPerToken() {
        // Property on random predictions: exact match never exceeds per-token accuracy... for equal span lengths,
        // and is 0 as soon as every sequence has one mistake.
        manualSeed(3)
        let logits = Tensor.randn([16, 10, 5])
        let targets = Tensor.randint(5, [16, 10])
        let s = copyScore(logits: logits, targets: targets, spans: Array(repeating: 2..<9, count: 16))
        XCTAssertLessThanOrEqual(s.exactMatch, s.perToken + 1e-12)
        // Hand-check the per-token value against a direct count.
        let pred = logits.argmax(dim: -1).ints, y = targets.ints
        var right = 0
        for b in 0..<16 { for t in 2..<9 where pred[b * 10 + t] == y[b * 10 + t] { right += 1 } }
        XCTAssertEqual(s.perToken, Double(right) / Double(16 * 7), accuracy: 1e-12)
    }
}
