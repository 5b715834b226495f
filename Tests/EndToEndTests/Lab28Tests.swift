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

        // The figures the course site shows: recorded with the values the lab printed.
        var figures: [String: Double] = [:]
        for f in cells.flatMap({ ($0["figures"] as? [[String: Any]]) ?? [] }) {
            if let name = f["name"] as? String, let value = (f["value"] as? NSNumber)?.doubleValue { figures[name] = value }
        }
        XCTAssertEqual(figures["LoRA trainable parameters (r 8, c_attn)"], 32_768, "\(figures)")
        let merge = try XCTUnwrap(figures["LoRA merged vs unmerged, max |Δ logits|"], "\(figures)")
        XCTAssertEqual(merge, diff, accuracy: 1e-6 * diff + 1e-12)
        let accuracy = try XCTUnwrap(figures["reward model accuracy, held-out pairs"], "\(figures)")
        XCTAssertTrue((0...1).contains(accuracy) && (accuracy * 16).rounded() == accuracy * 16,
                      "accuracy \(accuracy) is not a share of quick mode's 16 held-out pairs")
        let series = cells.flatMap { ($0["series"] as? [[String: Any]]) ?? [] }
        let reward = try XCTUnwrap(series.first { $0["name"] as? String == "PPO mean reward" }?["y"] as? [NSNumber], "\(series)").map(\.doubleValue)
        XCTAssertEqual(reward.count, 2)                                         // quick: max(2, 20 / 20) PPO steps
        XCTAssertEqual(figures["PPO mean reward, first step"], reward.first)
        XCTAssertEqual(figures["PPO mean reward, last step"], reward.last)
        let kl = try XCTUnwrap(series.first { $0["name"] as? String == "PPO KL (k1)" }?["y"] as? [NSNumber], "\(series)").map(\.doubleValue)
        XCTAssertEqual(figures["PPO KL from the reference, last step (k1)"], kl.last)
    }
}
