import Foundation
import XCTest

/// Lab 27 (the training pipeline) end to end with the real `labrun`: in the quick run with the solutions, the
/// cleaning removes the planted junk, accumulation equals the big batch to 1e-5, the schedule equals the library's
/// (Hugging Face's formula), resuming repeats the run exactly, and the metrics log is written; the graded tests
/// give the solutions full marks and the stubs 0.
final class Lab27Tests: CourseLabTestCase {
    func testQuickRunWithSolutions() throws {
        guard FileManager.default.fileExists(atPath: Self.dataDir + "/tinyshakespeare.txt") else {
            throw XCTSkip("tinyshakespeare.txt is not in \(Self.dataDir): set LABRUN_DATA_DIR")
        }
        let out = try Labrun.run(["run", "27", "--solutions", "--set", "trainCharacters=20000", "--set", "valCharacters=8000",
                                  "--set", "epochs=2"],
                                 root: root, env: ["LABRUN_DATA_DIR": Self.dataDir], timeout: 600)
        XCTAssertEqual(out.code, 0, "lab 27 failed with the solutions:\n" + out.stdout.suffix(4000) + out.stderr.suffix(2000))
        let cells = try Labrun.cells("27", root: root)
        XCTAssertTrue(cells.allSatisfy { ($0["status"] as? String) == "passed" }, "cell statuses: \(cells.map { $0["status"] as? String ?? "?" })")
        let text = cells.compactMap { $0["stdout"] as? String }.joined()
        XCTAssertTrue(text.contains("planted junk left after cleaning: 0 of "), "all planted junk should be removed:\n\(text.prefix(3000))")
        XCTAssertTrue(text.contains("the library's pipeline keeps the same "), "the library's DataPipeline should agree with the cleaning:\n\(text.prefix(4000))")
        let grad = try XCTUnwrap(number(in: text, after: "max |accumulated gradient - big-batch gradient| = "), "no gradient line")
        XCTAssertLessThan(grad, 1e-5, "accumulating 4 micro-batches should give the big batch's gradient")
        let schedule = try XCTUnwrap(number(in: text, after: "(Hugging Face's formula): "), "no schedule line")
        XCTAssertLessThan(schedule, 1e-12, "the exercise's schedule should equal the library's")
        XCTAssertTrue(text.contains("resume difference: 0.0 (exactly the same run)"), "resuming from epoch 1 should repeat the run exactly:\n\(text.suffix(2000))")
        let log = root + "/.labrun/runs/27/metrics.jsonl"
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        XCTAssertGreaterThan(lines.count, 5, "the metrics log should have a line per step")
        XCTAssertTrue(lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) is [String: Any] }, "every line of metrics.jsonl should be a JSON object")
        for epoch in 1...2 {
            XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/.labrun/runs/27/epoch-\(epoch).safetensors"), "checkpoint of epoch \(epoch)")
        }
        // The validation perplexity falls from the untrained model's (about the vocabulary size) and stays finite.
        let ppls = text.components(separatedBy: "validation perplexity by step: ").last!.split(separator: "\n")[0]
            .split(separator: ",").compactMap { Double($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) }
        XCTAssertEqual(ppls.count, 3, "perplexity before training and after each of 2 epochs, got \(ppls)")
        if ppls.count == 3 { XCTAssertTrue(ppls[2] < ppls[0] && ppls[2].isFinite, "perplexity should fall while training: \(ppls)") }
    }

    func testGradedTestsSolutionsFullMarksStubsNotImplemented() throws {
        let check = try Labrun.run(["grade", "--self-check", "--lab", "27", "--course", Self.repo], root: root, timeout: 600)
        XCTAssertEqual(check.code, 0, "self-check failed:\n" + check.stdout + check.stderr)
    }

    private func number(in text: String, after prefix: String) -> Double? {
        guard let r = text.range(of: prefix) else { return nil }
        return Double(text[r.upperBound...].prefix { "0123456789.-e".contains($0) })
    }
}
