import Foundation
import XCTest

/// A typical mistake, planted in a copy of a lab's reference solutions: text edits in one file, the graded test that
/// must fail, and words its message must contain (the mistakes suites of labs 25–30 grade these as a class).
struct PlantedMistake {
    var name: String
    var file: String
    var edits: [(String, String)]
    /// The graded test that must fail, and words its message must contain.
    var test: String
    var says: String
    /// Other tests the mistake fails, and words their messages must contain (the same cause, not another).
    var also: [(test: String, says: String)] = []
}

enum PlantedMistakes {
    /// One submission per mistake, `subs/<name>/Exercises`: every `.swift` file of `Solutions/<lab>`, the mistake's
    /// file with its edits made (each edit's text must still be in the solution).
    static func plant(_ mistakes: [PlantedMistake], lab: String, repo: String, in subs: String) throws {
        let solutions = repo + "/Solutions/" + lab
        let files = try FileManager.default.contentsOfDirectory(atPath: solutions).filter { $0.hasSuffix(".swift") }
        for m in mistakes {
            let dir = subs + "/" + m.name + "/Exercises"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for f in files {
                var text = try String(contentsOfFile: solutions + "/" + f, encoding: .utf8)
                if f == m.file {
                    for (old, new) in m.edits {
                        XCTAssertTrue(text.contains(old), "\(m.name): '\(old)' is no longer in Solutions/\(lab)/\(f)")
                        text = text.replacingOccurrences(of: old, with: new)
                    }
                }
                try text.write(toFile: dir + "/" + f, atomically: true, encoding: .utf8)
            }
        }
    }

    /// Checks each mistake's `graded/<name>/report.json`: it cost points, everything compiled, and its test failed
    /// (not crashed) with a message that names the mistake (and so did its `also` tests). `label` starts every
    /// failure message; `output` is the grader's, shown when a report is missing. Returns each mistake with its
    /// test's entry in the report, for the suite's own further checks.
    @discardableResult
    static func check(_ mistakes: [PlantedMistake], graded: String, output: String,
                      label: String = "") throws -> [(mistake: PlantedMistake, test: [String: Any])] {
        var found: [(mistake: PlantedMistake, test: [String: Any])] = []
        for m in mistakes {
            let who = label + m.name
            let report = graded + "/" + m.name + "/report.json"
            guard let data = FileManager.default.contents(atPath: report),
                  let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let tests = json["tests"] as? [[String: Any]] else {
                XCTFail("\(who): no report at \(report)\n\(output.suffix(2000))")
                continue
            }
            let score = json["score"] as? Double ?? -1, maxScore = json["maxScore"] as? Double ?? -1
            XCTAssertLessThan(score, maxScore, "\(who): the mistake should cost points")
            XCTAssertTrue(tests.allSatisfy { ($0["status"] as? String) != "compile_error" }, "\(who): the planted mistake must compile")
            guard let t = tests.first(where: { ($0["id"] as? String) == m.test }) else {
                XCTFail("\(who): no test \(m.test) in the report")
                continue
            }
            let message = t["message"] as? String ?? ""
            print("\(who): \(formatScore(score))/\(formatScore(maxScore)), \(m.test) \(t["status"] ?? "?"): \(message.prefix(160).replacingOccurrences(of: "\n", with: " | "))")
            XCTAssertEqual(t["status"] as? String, "failed", "\(who): \(m.test) should fail: \(message.prefix(400))")
            XCTAssertTrue(message.localizedCaseInsensitiveContains(m.says),
                          "\(who): the message of \(m.test) should mention '\(m.says)': \(message.prefix(400))")
            for (other, says) in m.also {
                let text = tests.first { ($0["id"] as? String) == other }?["message"] as? String ?? ""
                XCTAssertTrue(text.localizedCaseInsensitiveContains(says), "\(who): the message of \(other) should say '\(says)': \(text.prefix(400))")
            }
            found.append((m, t))
        }
        return found
    }

    static func formatScore(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }
}
