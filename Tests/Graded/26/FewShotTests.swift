// Lab 26, exercise 1: fewShotPrompt.
import XCTest
import LabKit
@testable import Lab26

final class FewShotTests: XCTestCase {
    let examples = [Example("sea otter", "loutre de mer"), Example("peppermint", "menthe poivrée"), Example("plush girafe", "girafe peluche")]

    func testTheSlidesTranslationPrompt() {
        // The GPT-3 paper's prompt (Brown et al. 2020, figure 2.1), written out by hand.
        let expected = "Translate English to French:\nsea otter => loutre de mer\npeppermint => menthe poivrée\nplush girafe => girafe peluche\ncheese =>"
        let got = fewShotPrompt(instruction: "Translate English to French:", examples: examples, query: "cheese", format: .arrow)
        XCTAssertEqual(got, expected, "The slide's prompt: the instruction, one 'input => output' line per example, and 'cheese =>' last. Got:\n\(got)")
    }

    func testExamplesKeepTheirOrder() {
        let got = fewShotPrompt(instruction: "", examples: examples, query: "cheese", format: .arrow)
        let positions = examples.map { got.range(of: $0.input)?.lowerBound }
        XCTAssertFalse(positions.contains(nil), "Every example's input must appear in the prompt. Got:\n\(got)")
        if !positions.contains(nil) {
            XCTAssertEqual(positions.map { $0! }, positions.map { $0! }.sorted(),
                           "The examples must appear in the order given (sea otter, peppermint, plush girafe): models are sensitive to example order, so the builder must not change it. Got:\n\(got)")
        }
        XCTAssertTrue(got.hasSuffix("cheese =>"), "The query comes last, after all the examples. Got:\n\(got)")
    }

    func testSeparatorsBetweenExamples() {
        let got = fewShotPrompt(instruction: "", examples: examples, query: "cheese", format: .questionAnswer)
        let expected = "Q: sea otter\nA: loutre de mer\n\nQ: peppermint\nA: menthe poivrée\n\nQ: plush girafe\nA: girafe peluche\n\nQ: cheese\nA:"
        XCTAssertEqual(got.components(separatedBy: "\n\n").count, 4,
                       "With the question-answer format, the 3 examples and the query are 4 blocks separated by a blank line (format.separator). Got:\n\(got)")
        XCTAssertEqual(got, expected, "Each block is inputPrefix + input + outputPrefix + \" \" + output. Got:\n\(got)")
    }

    func testQueryHasNoAnswerAndNoTrailingSpace() {
        let got = fewShotPrompt(instruction: "Translate English to French:", examples: [examples[0]], query: "cheese", format: .arrow)
        XCTAssertFalse(got.hasSuffix(" "),
                       "The prompt must end right after the output marker, without a space: GPT-2's tokens start with their space (' fromage'), so a trailing space pushes the model towards unusual tokens.")
        XCTAssertTrue(got.hasSuffix("\ncheese =>"), "The query line is inputPrefix + query + outputPrefix, on its own line. Got:\n\(got)")
    }

    func testZeroShotAndNoInstruction() {
        XCTAssertEqual(fewShotPrompt(instruction: "Translate English to French:", examples: [], query: "cheese", format: .arrow),
                       "Translate English to French:\ncheese =>", "Zero-shot: the instruction and the query only.")
        XCTAssertEqual(fewShotPrompt(instruction: "", examples: [examples[0]], query: "cheese", format: .arrow),
                       "sea otter => loutre de mer\ncheese =>", "An empty instruction is left out, with no empty first line.")
    }
}
