import Foundation
import XCTest

/// Lab 21 (GPT architecture) end to end with the real `labrun`: the slide's count, the tied count, the formula
/// against built models, an untrained model's loss near ln 65, a causal attention heatmap; graded tests self-check.
final class Lab21Tests: CourseLabTestCase {
    func testRunWithSolutions() throws {
        let text = try runWithSolutions("21")
        XCTAssertTrue(text.contains("Parameters: 163.0M\n"), "the slide's line, exactly:\n\(text.prefix(2000))")
        XCTAssertTrue(text.contains("untied head (the slide): 163,037,184"), text)
        XCTAssertTrue(text.contains("tied head (GPT-2):       124,439,808"), text)
        XCTAssertTrue(text.contains("difference:              38,597,376 = 50,257 × 768 = 38,597,376"), text)
        XCTAssertTrue(text.contains("the formula agrees with the built models"), text)
        // An untrained model is close to uniform over the 65 characters: loss ≈ ln 65 = 4.174.
        let loss = try XCTUnwrap(numbers(try match(#"loss of the untrained model: [0-9.]+"#, in: text)).first)
        XCTAssertEqual(loss, log(65.0), accuracy: 0.5, "untrained loss (measured 3.92 at seed 21)")
        // The heatmap: nothing above the diagonal, rows sum to 1.
        XCTAssertTrue(text.contains("largest weight above the diagonal: 0.0 "), text)
        let sums = numbers(try match(#"row sums: min [0-9.e-]+, max [0-9.e-]+"#, in: text))
        XCTAssertEqual(sums.count, 2)
        for s in sums { XCTAssertEqual(s, 1, accuracy: 1e-5) }
        let report = try Labrun.report("21", root: root)
        XCTAssertTrue(report.contains("layer 0, head 0: attention weights (untrained)</text>"), "the heatmap SVG is in the report")
        XCTAssertTrue(report.contains("fill=\"#d0d0d0\""), "the masked cells are drawn grey")
    }

    func testGradedTestsSelfCheck() throws {
        try assertSelfCheck("21", exercises: ["GPTModel.forward", "parameterCount"], minimumTests: 9)
    }
}
