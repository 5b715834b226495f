import Foundation
import XCTest

/// The shared part of the course labs' end-to-end tests (Lab21Tests ... Lab29Tests): a scratch project whose
/// Labs/ and Solutions/ are the repository's, a quick run with the solutions, and the graded tests' self-check.
class CourseLabTestCase: XCTestCase {
    /// The repository (this file is Tests/EndToEndTests/CourseLabTestCase.swift).
    static let repo = (((#filePath as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent as NSString)
        .deletingLastPathComponent

    /// LABRUN_DATA_DIR, else ../shared/data beside the repository.
    static var dataDir: String {
        if let d = ProcessInfo.processInfo.environment["LABRUN_DATA_DIR"], !d.isEmpty { return d }
        return ((repo as NSString).deletingLastPathComponent as NSString).appendingPathComponent("shared/data")
    }

    var root = ""

    override func setUpWithError() throws {
        // The run's .labrun/ (cache, checkpoints, report) lands in the scratch directory, never in the repository.
        root = try Labrun.makeRoot()
        try FileManager.default.removeItem(atPath: root + "/Labs")
        for dir in ["Labs", "Solutions"] {
            try FileManager.default.createSymbolicLink(atPath: root + "/" + dir, withDestinationPath: Self.repo + "/" + dir)
        }
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Runs `labrun run <lab> --solutions <args>` and returns every cell's stdout, joined; fails unless every cell passed.
    func runWithSolutions(_ lab: String, _ args: [String] = [], timeout: Double = 600,
                          file: StaticString = #filePath, line: UInt = #line) throws -> String {
        guard FileManager.default.fileExists(atPath: Self.dataDir + "/tinyshakespeare.txt") else {
            throw XCTSkip("tinyshakespeare.txt is not in \(Self.dataDir): set LABRUN_DATA_DIR")
        }
        let out = try Labrun.run(["run", lab, "--solutions"] + args, root: root,
                                 env: ["LABRUN_DATA_DIR": Self.dataDir], timeout: timeout, file: file, line: line)
        XCTAssertEqual(out.code, 0, "lab \(lab) failed with the solutions:\n" + out.stdout.suffix(4000) + out.stderr.suffix(2000),
                       file: file, line: line)
        let cells = try Labrun.cells(lab, root: root)
        XCTAssertTrue(cells.allSatisfy { ($0["status"] as? String) == "passed" },
                      "cell statuses: \(cells.map { $0["status"] as? String ?? "?" })", file: file, line: line)
        return cells.compactMap { $0["stdout"] as? String }.joined()
    }

    /// The first match of a regular expression in `text`, or a failure showing the text.
    func match(_ pattern: String, in text: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let r = try XCTUnwrap(text.range(of: pattern, options: .regularExpression),
                              "no match for \(pattern) in the output:\n\(text.prefix(4000))", file: file, line: line)
        return String(text[r])
    }

    /// The numbers in a string, in order ("loss 4.17 at 3" -> [4.17, 3]).
    func numbers(_ s: String) -> [Double] {
        s.split(whereSeparator: { !"0123456789.-e".contains($0) }).compactMap { Double($0) }
    }

    /// `labrun grade --self-check` (solutions 100%, stubs 0), then the stubs once more: every visible test fails with
    /// "not implemented: <exercise>" naming one of `exercises`, and every name of `reached` (default: all) is named
    /// by some test (a region that always runs after another, such as `encode` after `init`, is never reached first).
    func assertSelfCheck(_ lab: String, exercises: Set<String>, reached: Set<String>? = nil, minimumTests: Int,
                         file: StaticString = #filePath, line: UInt = #line) throws {
        let check = try Labrun.run(["grade", "--self-check", "--lab", lab, "--course", Self.repo], root: root, timeout: 900)
        XCTAssertEqual(check.code, 0, "self-check failed:\n" + check.stdout + check.stderr, file: file, line: line)
        let results = root + "/stubs.json"
        let stubs = try Labrun.run(["grade", Self.repo + "/Labs/\(lab)/Exercises", "--lab", lab, "--course", Self.repo,
                                    "--results", results, "--format", "exercism"], root: root, timeout: 900)
        XCTAssertEqual(stubs.code, 0, stubs.stdout + stubs.stderr, file: file, line: line)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: results))) as! [String: Any]
        let tests = try XCTUnwrap(json["tests"] as? [[String: Any]], file: file, line: line)
        XCTAssertGreaterThanOrEqual(tests.count, minimumTests, "the graded tests a student sees", file: file, line: line)
        var seen = Set<String>()
        for t in tests {
            let message = t["message"] as? String ?? ""
            let name = message.range(of: #"not implemented: [A-Za-z_.]+"#, options: .regularExpression)
                .map { String(message[$0].dropFirst("not implemented: ".count)) }
            XCTAssertNotNil(name, "\(t["name"] ?? "?"): expected a 'not implemented: <exercise>' failure on the stubs, got \(t["status"] ?? "?"): \(message.prefix(300))",
                            file: file, line: line)
            if let name {
                XCTAssertTrue(exercises.contains(name), "\(t["name"] ?? "?"): unknown exercise '\(name)'", file: file, line: line)
                seen.insert(name)
            }
        }
        XCTAssertTrue(seen.isSuperset(of: reached ?? exercises), "exercises reached first by some test: \(seen.sorted()), expected at least \((reached ?? exercises).sorted())", file: file, line: line)
    }
}
