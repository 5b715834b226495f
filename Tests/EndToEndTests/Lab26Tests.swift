import Foundation
import XCTest

/// Lab 26 (emergent abilities) end to end with the real `labrun`: the quick run with the solutions prints the
/// slide's prompts and their GPT-2 token counts (equal to Hugging Face's byte-level BPE,
/// scripts/reference/lab26_gpt2_token_counts.py), and trains the copying model with the first occurrence at chance;
/// the graded tests give the solutions full marks and the stubs 0. (The induction head needs the full run's
/// 3,000 steps; the quick run's 300 only checks that everything runs and that copying has started.)
final class Lab26Tests: CourseLabTestCase {
    func testQuickRunWithSolutions() throws {
        guard FileManager.default.fileExists(atPath: Self.dataDir + "/gpt2/encoder.json") else {
            throw XCTSkip("gpt2/encoder.json is not in \(Self.dataDir): set LABRUN_DATA_DIR")
        }
        let out = try Labrun.run(["run", "26", "--solutions", "--set", "steps=300"],
                                 root: root, env: ["LABRUN_DATA_DIR": Self.dataDir], timeout: 600)
        XCTAssertEqual(out.code, 0, "lab 26 failed with the solutions:\n" + out.stdout.suffix(4000) + out.stderr.suffix(2000))
        let cells = try Labrun.cells("26", root: root)
        XCTAssertTrue(cells.allSatisfy { ($0["status"] as? String) == "passed" }, "cell statuses: \(cells.map { $0["status"] as? String ?? "?" })")
        // Printed output and the text form of every display (tables, plots), cell by cell.
        let text = cells.map { cell in
            (cell["stdout"] as? String ?? "") + ((cell["displays"] as? [[String: Any]]) ?? []).compactMap { $0["text"] as? String }.joined(separator: "\n")
        }.joined(separator: "\n")
        XCTAssertTrue(text.contains("Translate English to French:\nsea otter => loutre de mer\npeppermint => menthe poivrée\nplush girafe => girafe peluche\ncheese =>\n"),
                      "the slide's few-shot prompt:\n\(text.prefix(2000))")
        XCTAssertTrue(text.contains("A: Roger started with 5 balls. 2 cans of 3 tennis balls each is 6 tennis balls. 5 + 6 = 11. The answer is 11.\n\nQ: The cafeteria"),
                      "the slide's chain-of-thought prompt")
        // Token counts: Hugging Face's byte-level BPE on the same files gives 10, 20, 42, 73, 97.
        for (name, chars, tokens) in [("zero-shot translation", 38, 10), ("one-shot translation", 65, 20),
                                      ("few-shot translation (3 examples)", 125, 42), ("one example, answer only", 270, 73),
                                      ("one example, chain of thought", 359, 97)] {
            XCTAssertNotNil(text.range(of: NSRegularExpression.escapedPattern(for: name) + " +\(chars) +\(tokens)\\b", options: .regularExpression),
                            "\(name): \(chars) characters and \(tokens) GPT-2 tokens expected:\n\(text.prefix(4000))")
        }
        // First occurrence: chance is 1/48 = 0.021; after 300 steps the second occurrence is above it already.
        let first = try XCTUnwrap(number(in: text, after: "copy accuracy (per token), first occurrence: before ", then: ", after "))
        let second = try XCTUnwrap(number(in: text, after: "copy accuracy (per token), second occurrence: before ", then: ", after "))
        XCTAssertLessThan(first, 0.05, "the first occurrence is random: its accuracy must stay near chance (0.021)")
        XCTAssertGreaterThan(second, 0.04, "after 300 steps copying from the context should have started (chance 0.021)")
        XCTAssertTrue(text.contains("copy accuracy without this head"), "the head ablation table")
    }

    func testGradedTestsSolutionsFullMarksStubsNotImplemented() throws {
        let check = try Labrun.run(["grade", "--self-check", "--lab", "26", "--course", Self.repo], root: root, timeout: 600)
        XCTAssertEqual(check.code, 0, "self-check failed:\n" + check.stdout + check.stderr)
    }

    /// The number after `then` on the line that starts with `prefix`.
    private func number(in text: String, after prefix: String, then marker: String) -> Double? {
        guard let r = text.range(of: prefix), let m = text[r.upperBound...].range(of: marker) else { return nil }
        return Double(text[m.upperBound...].prefix { "0123456789.-e".contains($0) })
    }
}
