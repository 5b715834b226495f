// Lab 27, hidden tests.
import XCTest
import LabKit
@testable import Lab27

final class HiddenLab27Tests: XCTestCase {
    func testScheduleWithCyclesAndPastTheEnd() {
        // Hugging Face transformers 5.24.0, scripts/reference/lab27_hf_cosine_schedule.py:
        // get_cosine_schedule_with_warmup(opt, 4, 20, num_cycles=1.5), steps 0...21.
        let hf: [Double] = [0.0, 0.25, 0.5, 0.75, 1.0, 0.9157348061512727, 0.6913417161825449, 0.4024548389919359,
                            0.14644660940672627, 0.009607359798384785, 0.038060233744356575, 0.2222148834901989,
                            0.4999999999999999, 0.7777851165098009, 0.9619397662556433, 0.9903926402016152,
                            0.8535533905932738, 0.5975451610080644, 0.3086582838174551, 0.08426519384872744, 0.0,
                            0.08426519384872722]
        for (step, expected) in hf.enumerated() {
            let got = cosineWithWarmup(step: step, warmupSteps: 4, totalSteps: 20, numCycles: 1.5)
            XCTAssertEqual(got, expected, accuracy: 1e-12, "numCycles 1.5, step \(step): Hugging Face gives \(expected), got \(got).")
        }
        // get_cosine_schedule_with_warmup(opt, 10, 100): step 55 and one step past the end.
        XCTAssertEqual(cosineWithWarmup(step: 55, warmupSteps: 10, totalSteps: 100), 0.5, accuracy: 1e-12)
        XCTAssertEqual(cosineWithWarmup(step: 101, warmupSteps: 10, totalSteps: 100), 0.00030458649045211894, accuracy: 1e-12)
    }

    func testNoWarmup() {
        XCTAssertEqual(cosineWithWarmup(step: 0, warmupSteps: 0, totalSteps: 10), 1, accuracy: 1e-12,
                       "Without warm-up the schedule starts at the peak.")
    }

    func testDoesNotStepTheOptimizer() {
        let model = tinyGPT()
        let before = model.parameters().map(\.scalars)
        _ = accumulateGradients(model, AdamW(model.parameters(), lr: 0.1), microBatches: microBatches(2))
        XCTAssertEqual(model.parameters().map(\.scalars), before,
                       "accumulateGradients must only compute gradients; clipping and optimizer.step() come after it.")
    }

    func testDeduplicateManyCopies() {
        let docs = (0..<300).map { "document \($0 % 7)" }
        XCTAssertEqual(deduplicate(docs), (0..<7).map { "document \($0)" })
    }

    func testWhitespaceOnlyDocumentIsDropped() {
        XCTAssertFalse(passesQualityFilter(String(repeating: " \n", count: 30), rules: QualityRules()),
                       "A document of only whitespace has no letters and must be dropped.")
    }
}
