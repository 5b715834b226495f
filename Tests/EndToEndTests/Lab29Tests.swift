import Foundation
import XCTest

/// Lab 29 (evaluation) end to end with the real `labrun`: in the quick run with the solutions, the uniform model's
/// perplexity prints 65.00, the add-one bigram's 11.96 (plain Python gives 11.963847954653918,
/// scripts/reference/lab29_bigram_baseline.py), the course model is below both, the slide's BLEU equals NLTK's
/// 8.987727354491445e-155 with NLTK's two warnings, and the benchmark reports an accuracy with its interval; the
/// graded tests give the solutions full marks and the stubs 0. The course model comes from the shared model cache
/// (trained on first use).
final class Lab29Tests: CourseLabTestCase {
    func testQuickRunWithSolutions() throws {
        guard FileManager.default.fileExists(atPath: Self.dataDir + "/tinyshakespeare.txt") else {
            throw XCTSkip("tinyshakespeare.txt is not in \(Self.dataDir): set LABRUN_DATA_DIR")
        }
        let out = try Labrun.run(["run", "29", "--solutions", "--set", "items=40"],
                                 root: root, env: ["LABRUN_DATA_DIR": Self.dataDir], timeout: 3600)
        XCTAssertEqual(out.code, 0, "lab 29 failed with the solutions:\n" + out.stdout.suffix(4000) + out.stderr.suffix(2000))
        let cells = try Labrun.cells("29", root: root)
        XCTAssertTrue(cells.allSatisfy { ($0["status"] as? String) == "passed" }, "cell statuses: \(cells.map { $0["status"] as? String ?? "?" })")
        let text = cells.compactMap { $0["stdout"] as? String }.joined()
        let m = try XCTUnwrap(text.range(of: #"uniform: [0-9.]+; bigram: [0-9.]+; course model: [0-9.]+"#, options: .regularExpression),
                              "no perplexity line:\n\(text.prefix(3000))")
        let values = text[m].split(separator: ";").map { Double($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces))! }
        XCTAssertEqual(text[m].split(separator: ";")[0], "uniform: 65.00", "a uniform model over 65 characters has perplexity 65.00")
        XCTAssertEqual(values[1], 11.96, accuracy: 0.005, "the add-one bigram's validation perplexity (Python: 11.9638)")
        XCTAssertLessThan(values[2], values[1], "the course model must beat the bigram baseline")
        // NLTK's two warnings, as NLTK words them (each message starts with a line break).
        XCTAssertEqual(text.components(separatedBy: "UserWarning: \n").count - 1, 2, "NLTK's two warnings:\n\(text)")
        XCTAssertTrue(text.contains("\nThe hypothesis contains 0 counts of 3-gram overlaps.\nTherefore the BLEU score evaluates to 0"), "NLTK's 3-gram warning")
        XCTAssertTrue(text.contains("\nThe hypothesis contains 0 counts of 4-gram overlaps.\n"), "NLTK's 4-gram warning")
        XCTAssertTrue(text.contains("sentenceBLEU (NLTK): 8.987727354491445e-155"), "NLTK's value for the slide's pair")
        XCTAssertTrue(text.contains("the same score as NLTK's 8.987727354491445e-155"), "the exercise's BLEU must equal NLTK's")
        for version in ["A", "B"] {
            XCTAssertNotNil(text.range(of: "benchmark \(version) accuracy: [0-9]+/40 = [0-9.]+ \\(95% interval [0-9.]+ to [0-9.]+; chance 0.25\\)",
                                       options: .regularExpression), "no accuracy line for benchmark \(version):\n\(text.suffix(2000))")
        }
    }

    func testGradedTestsSolutionsFullMarksStubsNotImplemented() throws {
        let check = try Labrun.run(["grade", "--self-check", "--lab", "29", "--course", Self.repo], root: root, timeout: 600)
        XCTAssertEqual(check.code, 0, "self-check failed:\n" + check.stdout + check.stderr)
    }
}
