import Foundation
import XCTest

/// Lab 28 (fine-tuning: full, LoRA, prompt tuning, reward model, PPO) end to end with the real `labrun`: the quick
/// run is green on the reference solutions and prints the same peft line for the student's LoRA as the library's.
/// (The graded tests' self-check is GradeEndToEndTests' every-lab test.)
final class Lab28Tests: XCTestCase {
    var root = ""

    override func setUpWithError() throws {
        root = try Labrun.makeRoot()
        try FileManager.default.removeItem(atPath: root + "/Labs")
        for dir in ["Labs", "Solutions"] {
            try FileManager.default.createSymbolicLink(atPath: root + "/" + dir, withDestinationPath: Lab30Tests.repo + "/" + dir)
        }
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: root)
    }

    func testQuickRunWithSolutions() throws {
        guard FileManager.default.fileExists(atPath: Lab30Tests.dataDir + "/tinyshakespeare.txt") else {
            throw XCTSkip("tinyshakespeare.txt is not in \(Lab30Tests.dataDir): set LABRUN_DATA_DIR")
        }
        let out = try Labrun.run(["run", "28", "--solutions", "--set", "quick=true"],
                                 root: root, env: ["LABRUN_DATA_DIR": Lab30Tests.dataDir], timeout: 600)
        XCTAssertEqual(out.code, 0, "lab 28 failed with the solutions:\n" + out.stdout.suffix(4000) + out.stderr.suffix(2000))
        let cells = try Labrun.cells("28", root: root)
        XCTAssertTrue(cells.allSatisfy { ($0["status"] as? String) == "passed" },
                      "cell statuses: \(cells.map { $0["status"] as? String ?? "?" })")
        let text = cells.compactMap { $0["stdout"] as? String }.joined()
        // The exercise's LoRA and the library's getPeftModel count the same (lab 30's untied mini model, r 8).
        let line = "trainable params: 32,768 || all params: 3,258,368 || trainable%: 1.0057"
        XCTAssertTrue(text.contains("yours:   " + line) && text.contains("library: " + line), String(text.prefix(4000)))
        let m = try XCTUnwrap(text.range(of: #"max \|Δ logits\| = [0-9.e-]+"#, options: .regularExpression), String(text.prefix(4000)))
        let diff = try XCTUnwrap(Double(text[m].split(separator: " ").last!))
        XCTAssertLessThan(diff, 1e-4, "merged and unmerged LoRA logits should agree to fp32 rounding")
    }
}
