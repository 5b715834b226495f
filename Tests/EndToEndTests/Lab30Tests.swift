import Foundation
import XCTest

/// Lab 30 (the mini GPT) end to end with the real `labrun`: the lab runs green on the reference solutions in quick
/// mode and learns; the graded tests give the solutions 100% and the released stubs 0, every test "not implemented".
final class Lab30Tests: XCTestCase {
    /// The repository (this file is Tests/EndToEndTests/Lab30Tests.swift).
    static let repo = (((#filePath as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent as NSString)
        .deletingLastPathComponent

    /// LABRUN_DATA_DIR, else ../shared/data beside the repository.
    static var dataDir: String {
        if let d = ProcessInfo.processInfo.environment["LABRUN_DATA_DIR"], !d.isEmpty { return d }
        return ((repo as NSString).deletingLastPathComponent as NSString).appendingPathComponent("shared/data")
    }

    var root = ""

    override func setUpWithError() throws {
        // A scratch project whose Labs/ and Solutions/ are the repository's: the run's .labrun/ (cache, checkpoint,
        // report) lands in the scratch directory, never in the repository.
        root = try Labrun.makeRoot()
        try FileManager.default.removeItem(atPath: root + "/Labs")
        for dir in ["Labs", "Solutions"] {
            try FileManager.default.createSymbolicLink(atPath: root + "/" + dir, withDestinationPath: Self.repo + "/" + dir)
        }
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: root)
    }

    func testQuickRunWithSolutionsLearns() throws {
        guard FileManager.default.fileExists(atPath: Self.dataDir + "/tinyshakespeare.txt") else {
            throw XCTSkip("tinyshakespeare.txt is not in \(Self.dataDir): set LABRUN_DATA_DIR")
        }
        let out = try Labrun.run(["run", "30", "--solutions", "--set", "steps=100", "--set", "sizeBudget=4",
                                  "--set", "sampleLength=50"],
                                 root: root, env: ["LABRUN_DATA_DIR": Self.dataDir], timeout: 600)
        XCTAssertEqual(out.code, 0, "lab 30 failed with the solutions:\n" + out.stdout.suffix(4000) + out.stderr.suffix(2000))
        let cells = try Labrun.cells("30", root: root)
        XCTAssertTrue(cells.allSatisfy { ($0["status"] as? String) == "passed" },
                      "cell statuses: \(cells.map { $0["status"] as? String ?? "?" })")
        // "final loss: train 2.61, validation 2.63 nats/char"
        let text = cells.compactMap { $0["stdout"] as? String }.joined()
        let m = try XCTUnwrap(text.range(of: #"validation [0-9.]+ nats/char"#, options: .regularExpression),
                              "no final validation loss in the output:\n\(text.prefix(3000))")
        let val = try XCTUnwrap(Double(text[m].split(separator: " ")[1]))
        XCTAssertTrue(val.isFinite && val < 3.0, "after 100 steps the validation loss should be below 3.0 (uniform: 4.17), got \(val)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/.labrun/runs/30/mini-gpt-L4-H4-C256-steps100-seed1337.safetensors"),
                      "the run should save its checkpoint under .labrun/runs/30")
    }

    func testGradedTestsSolutionsFullMarksStubsNotImplemented() throws {
        // --self-check: solutions 100%, the generated stubs 0 with every test "not implemented".
        let check = try Labrun.run(["grade", "--self-check", "--lab", "30", "--course", Self.repo], root: root, timeout: 600)
        XCTAssertEqual(check.code, 0, "self-check failed:\n" + check.stdout + check.stderr)

        // The stubs once more, to see each test's message: the name of the exercise it needs.
        let results = root + "/stubs.json"
        let stubs = try Labrun.run(["grade", Self.repo + "/Labs/30/Exercises", "--lab", "30", "--course", Self.repo,
                                    "--results", results, "--format", "exercism"], root: root, timeout: 600)
        XCTAssertEqual(stubs.code, 0, stubs.stdout + stubs.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: results))) as! [String: Any]
        let tests = try XCTUnwrap(json["tests"] as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(tests.count, 18, "the graded tests of lab 30 a student sees before the due date")
        let exercises = ["SelfAttention.forward", "TransformerBlock.forward", "getBatch", "estimateLoss", "trainStep", "train"]
        var seen = Set<String>()
        for t in tests {
            let message = t["message"] as? String ?? ""
            let name = message.range(of: #"not implemented: [A-Za-z_.]+"#, options: .regularExpression)
                .map { String(message[$0].dropFirst("not implemented: ".count)) }
            XCTAssertNotNil(name, "\(t["name"] ?? "?"): expected a 'not implemented: <exercise>' failure on the stubs, got \(t["status"] ?? "?"): \(message.prefix(300))")
            if let name {
                XCTAssertTrue(exercises.contains(name), "\(t["name"] ?? "?"): unknown exercise '\(name)'")
                seen.insert(name)
            }
        }
        XCTAssertEqual(seen, Set(exercises), "every exercise should be reached by some test")
    }
}
