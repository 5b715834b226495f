import Foundation
import XCTest

/// Lab 25 (scaling laws) end to end with the real `labrun`: the quick run with the solutions prints the slide's
/// cost lines exactly, trains six sizes spanning more than 20x, and fits a finite alpha with a standard error;
/// the graded tests give the solutions full marks and the stubs 0.
final class Lab25Tests: CourseLabTestCase {
    func testQuickRunWithSolutions() throws {
        guard FileManager.default.fileExists(atPath: Self.dataDir + "/tinyshakespeare.txt") else {
            throw XCTSkip("tinyshakespeare.txt is not in \(Self.dataDir): set LABRUN_DATA_DIR")
        }
        let out = try Labrun.run(["run", "25", "--solutions", "--set", "steps=30"],
                                 root: root, env: ["LABRUN_DATA_DIR": Self.dataDir], timeout: 600)
        XCTAssertEqual(out.code, 0, "lab 25 failed with the solutions:\n" + out.stdout.suffix(4000) + out.stderr.suffix(2000))
        let cells = try Labrun.cells("25", root: root)
        XCTAssertTrue(cells.allSatisfy { ($0["status"] as? String) == "passed" }, "cell statuses: \(cells.map { $0["status"] as? String ?? "?" })")
        let text = cells.compactMap { $0["stdout"] as? String }.joined()
        // The slide's printout, exactly.
        XCTAssertTrue(text.contains("Estimated: 11,685 GPU-days\nCost (at $2/GPU-hour): $560,897\n"), "the slide's two cost lines:\n\(text.prefix(3000))")
        // Six sizes spanning more than 20x in non-embedding parameters.
        let span = try XCTUnwrap(firstNumber(in: text, after: "non-embedding parameters span "), "no span line:\n\(text.prefix(4000))")
        XCTAssertGreaterThanOrEqual(span, 20, "the sizes must span at least 20x in non-embedding parameters")
        // alpha = 0.05 ± 0.004 (standard error): finite, positive (bigger models reach lower loss even after 30 steps).
        let m = try XCTUnwrap(text.range(of: #"alpha = [0-9.e-]+ ± [0-9.e-]+"#, options: .regularExpression),
                              "no 'alpha = ... ± ...' line:\n\(text.suffix(3000))")
        let parts = text[m].split(separator: " ")
        let alpha = try XCTUnwrap(Double(parts[2])), se = try XCTUnwrap(Double(parts[4]))
        XCTAssertTrue(alpha > 0 && alpha < 1, "the fitted alpha should be a small positive exponent, got \(alpha)")
        XCTAssertTrue(se > 0 && se < alpha, "alpha's standard error should be positive and smaller than alpha, got \(se)")
        XCTAssertTrue(text.contains("Chinchilla-optimal for that compute: N ≈ "), "the Chinchilla comparison is missing")
    }

    func testGradedTestsSolutionsFullMarksStubsNotImplemented() throws {
        let check = try Labrun.run(["grade", "--self-check", "--lab", "25", "--course", Self.repo], root: root, timeout: 600)
        XCTAssertEqual(check.code, 0, "self-check failed:\n" + check.stdout + check.stderr)
    }

    private func firstNumber(in text: String, after prefix: String) -> Double? {
        guard let r = text.range(of: prefix) else { return nil }
        let tail = text[r.upperBound...].prefix { "0123456789.-e,".contains($0) }
        return Double(tail.replacingOccurrences(of: ",", with: ""))
    }
}
