import Foundation
import XCTest

/// Lab 23 (training) end to end with the real `labrun`: the untrained loss is ≈ ln 65, a line every 100 steps, the
/// validation loss falls, the four-run experiment completes (its outcome is measured, not asserted).
final class Lab23Tests: CourseLabTestCase {
    func testQuickRunWithSolutions() throws {
        let text = try runWithSolutions("23", ["--set", "steps=100", "--set", "experimentSteps=30"])
        let initial = try XCTUnwrap(numbers(try match(#"loss before training: [0-9.]+"#, in: text)).first)
        XCTAssertEqual(initial, log(65.0), accuracy: 0.2, "an untrained model's loss is about ln 65")
        XCTAssertTrue(text.contains("step 100: train loss "), text)
        let val = numbers(try match(#"validation loss: [0-9.]+ -> [0-9.]+"#, in: text))
        XCTAssertEqual(val.count, 2)
        XCTAssertEqual(val[0], log(65.0), accuracy: 0.2, "validation loss before training")
        XCTAssertLessThan(val[1], val[0] - 0.5, "100 steps at lr 3e-4 should lower the validation loss by at least 0.5 nats (measured 4.19 -> 2.63)")
        let report = try Labrun.report("23", root: root)
        for run in ["lr 3e-4, clip 1.0", "lr 3e-4, no clipping", "lr 0.03, clip 1.0", "lr 0.03, no clipping"] {
            XCTAssertTrue(report.contains(run), "the experiment's run '\(run)' is in the report")
        }
    }

    func testGradedTestsSelfCheck() throws {
        try assertSelfCheck("23", exercises: ["computeLoss", "trainStep"], minimumTests: 9)
    }
}
