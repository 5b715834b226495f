import Foundation
import XCTest
@testable import LabGrader

final class BatchTests: XCTestCase {
    func testSecondRunSkipsUnchangedSubmissionsAndRegradesChangedOnes() throws {
        let course = try Fixture.course()
        _ = try Fixture.submission(course, "alice")
        _ = try Fixture.submission(course, "bob") { $0["Stats.swift"] = $0["Stats.swift"]!.replacingOccurrences(of: "/ Double(xs.count)\n", with: "/ Double(xs.count + 1)\n") }
        let grader = try Fixture.grader(course, jobs: 1)
        let out = course.root.appendingPathComponent("graded")
        var batch = Batch(grader: grader, submissionsDir: course.root.appendingPathComponent("submissions"), outDir: out,
                          gradebook: out.appendingPathComponent("gradebook.sqlite"))
        let first = try batch.run(progress: nil)
        XCTAssertEqual(first.graded.map(\.submission).sorted(), ["alice", "bob"])
        XCTAssertEqual(first.skipped, [])
        for name in ["alice", "bob"] {
            for f in ["report.json", "results.json", "feedback.html"] {
                XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("\(name)/\(f)").path), "\(name)/\(f)")
            }
        }
        let html = try String(contentsOf: out.appendingPathComponent("alice/feedback.html"), encoding: .utf8)
        XCTAssertFalse(html.contains("HiddenTests"), "feedback must not name hidden tests")

        // bob fixes his code; alice changes nothing.
        let bobStats = course.root.appendingPathComponent("submissions/bob/Exercises/Stats.swift")
        try String(contentsOf: course.solutionsDir("1").appendingPathComponent("Stats.swift"), encoding: .utf8).write(to: bobStats, atomically: true, encoding: .utf8)
        let second = try batch.run(progress: nil)
        XCTAssertEqual(second.skipped, ["alice"])
        XCTAssertEqual(second.graded.map(\.submission), ["bob"])
        XCTAssertEqual(second.graded[0].score, 10)
        let rows = try Gradebook(path: out.appendingPathComponent("gradebook.sqlite").path).rows(lab: "1")
        XCTAssertEqual(rows.map(\.autoScore), [10, 10])

        batch.force = true
        XCTAssertEqual(try batch.run(progress: nil).graded.count, 2)
    }
}
