import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import LabGrader

final class OutputTests: XCTestCase {
    /// A report with one test of each status and each visibility.
    static func sample() -> GradeReport {
        func t(_ id: String, _ s: TestStatus, _ pts: Double, _ v: Visibility, hidden: Bool = false, msg: String = "") -> TestResult {
            TestResult(id: id, status: s, score: s == .passed ? pts : 0, maxScore: pts, visibility: v, message: msg,
                       output: s == .failed ? "debug <b>" : "", hint: s == .failed ? "Divide by n." : nil, seconds: 0.25,
                       testCode: hidden ? "" : "XCTAssertEqual(f(), 1)", sourceHidden: hidden)
        }
        let tests = [
            t("A/testPass", .passed, 2, .visible),
            t("A/testFail", .failed, 1, .visible, msg: "A.swift:3: XCTAssertEqual failed\n    got:      2\n    expected: 1"),
            t("A/testLater", .notImplemented, 1, .afterDueDate, msg: "not implemented: f"),
            t("A/testPublished", .crashed, 1, .afterPublished, msg: "Crashed with signal SIGILL"),
            t("SecretTests/testSecretGradient", .passed, 3, .hidden, hidden: true),
        ]
        return GradeReport(lab: "1", title: "Fixture", submission: "alice", buildOK: true, diagnostics: [], notes: [],
                           score: 5, maxScore: 8, seconds: 1.5, tests: tests, submittedAt: nil,
                           gradedAt: Date(timeIntervalSince1970: 0), inputHash: "abc")
    }

    func testGradescopeResultsHaveTheSpecifiedFields() throws {
        let obj = try JSONSerialization.jsonObject(with: GradescopeFormat.encode(Self.sample())) as! [String: Any]
        XCTAssertEqual(obj["score"] as? Double, 5)
        XCTAssertEqual(obj["max_score"] as? Double, 8)
        XCTAssertEqual(obj["execution_time"] as? Double, 1.5)
        let tests = obj["tests"] as! [[String: Any]]
        XCTAssertEqual(tests.map { $0["name"] as! String }, ["A.testPass", "A.testFail", "A.testLater", "A.testPublished", "SecretTests.testSecretGradient"])
        XCTAssertEqual(tests.map { $0["status"] as! String }, ["passed", "failed", "failed", "failed", "passed"])
        XCTAssertEqual(tests.map { $0["visibility"] as! String }, ["visible", "visible", "after_due_date", "after_published", "hidden"])
        XCTAssertEqual(tests.map { $0["max_score"] as! Double }, [2, 1, 1, 1, 3])
        XCTAssertEqual(tests[1]["output"] as? String,
                       "[failed] A.swift:3: XCTAssertEqual failed\n    got:      2\n    expected: 1\nHint: Divide by n.\n--- output ---\ndebug <b>")
    }

    func testStudentViewAndFeedbackPageNeverShowHiddenTests() {
        let before = Date(timeIntervalSince1970: 0), due = Date(timeIntervalSince1970: 100)
        let view = Self.sample().studentView(now: before, due: due, published: false)
        XCTAssertEqual(view.tests.map(\.id), ["A/testPass", "A/testFail"])
        XCTAssertEqual(view.score, 2)
        XCTAssertEqual(view.maxScore, 3)
        // Out of the points shown; what is held back is a number of points, never a test name.
        XCTAssertEqual(view.notes, ["4 more points are checked after the due date (the score above is out of the 3 points shown here).",
                                    "1 more point is shown when grades are published."])
        XCTAssertFalse(TerminalFormat.render(view).contains("Secret"))
        XCTAssertFalse(String(decoding: JUnitFormat.encode(view), as: UTF8.self).contains("Secret"))
        XCTAssertFalse(String(decoding: try! ExercismFormat.encode(view), as: UTF8.self).contains("Secret"))
        let html = FeedbackPage.render(view)
        XCTAssertFalse(html.contains("Secret"), "hidden test name leaked")
        XCTAssertFalse(html.contains("testLater") || html.contains("testPublished"))
        XCTAssertTrue(html.contains("debug &lt;b&gt;"))
        let later = Self.sample().studentView(now: Date(timeIntervalSince1970: 200), due: due, published: true)
        XCTAssertEqual(later.tests.map(\.id), ["A/testPass", "A/testFail", "A/testLater", "A/testPublished"])
        XCTAssertFalse(FeedbackPage.render(later).contains("Secret"))
    }

    func testAnswerGivingHintsWaitForTheDueDate() {
        let due = Date(timeIntervalSince1970: 100)
        var r = Self.sample()
        r.tests[1].hintAfterDueDate = "return xs.reduce(0, +) / n"
        let before = r.studentView(now: Date(timeIntervalSince1970: 0), due: due, published: false)
        XCTAssertEqual(before.tests[1].hint, "Divide by n.")
        XCTAssertNil(before.tests[1].hintAfterDueDate)
        XCTAssertFalse(FeedbackPage.render(before).contains("reduce"))
        XCTAssertFalse(String(data: try! GradescopeFormat.encode(r), encoding: .utf8)!.contains("reduce"), "Gradescope shows test output to students at once")
        let after = r.studentView(now: Date(timeIntervalSince1970: 200), due: due, published: false)
        XCTAssertEqual(after.tests[1].hint, "Divide by n.\nreturn xs.reduce(0, +) / n")
        XCTAssertTrue(TerminalFormat.render(r).contains("Hint after the due date: return xs.reduce(0, +) / n"), "the instructor's view")
    }

    func testExercismV3() throws {
        let obj = try JSONSerialization.jsonObject(with: ExercismFormat.encode(Self.sample())) as! [String: Any]
        XCTAssertEqual(obj["version"] as? Int, 3)
        XCTAssertEqual(obj["status"] as? String, "fail")
        let tests = obj["tests"] as! [[String: Any]]
        XCTAssertEqual(tests.map { $0["status"] as! String }, ["pass", "fail", "error", "error", "pass"])
        XCTAssertEqual(tests[0]["test_code"] as? String, "XCTAssertEqual(f(), 1)")
        var broken = Self.sample()
        broken.tests = broken.tests.map { var t = $0; t.status = .compileError; t.score = 0; return t }
        broken.diagnostics = [BuildDiagnostic(file: "Stats.swift", line: 7, column: 28, message: "boom", text: "Stats.swift:7:28: error: boom")]
        let err = try JSONSerialization.jsonObject(with: ExercismFormat.encode(broken)) as! [String: Any]
        XCTAssertEqual(err["status"] as? String, "error")
        XCTAssertEqual(err["message"] as? String, "Stats.swift:7:28: error: boom")
        XCTAssertEqual((err["tests"] as? [Any])?.count, 0)
    }

    func testJUnitIsWellFormedXML() throws {
        let data = JUnitFormat.encode(Self.sample())
        let doc = try XMLDocument(data: data)
        let cases = try doc.nodes(forXPath: "//testcase")
        XCTAssertEqual(cases.count, 5)
        XCTAssertEqual(try doc.nodes(forXPath: "//failure").count, 1)
        XCTAssertEqual(try doc.nodes(forXPath: "//error").count, 2)
    }

    func testTerminalTableShowsStatusPointsAndFailuresWithHints() {
        let text = TerminalFormat.render(Self.sample())
        XCTAssertTrue(text.contains("✗ A.testFail"))
        XCTAssertTrue(text.contains("Score: 5/8 (62%)   2 passed, 1 failed, 1 not implemented, 1 crashed"), text)
        XCTAssertTrue(text.contains("  A.testFail — failed\n    A.swift:3: XCTAssertEqual failed\n        got:      2\n        expected: 1\n    Hint: Divide by n.\n"), text)
    }

    func testAtomicWriteReplacesWholeFiles() throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("aw-\(UUID().uuidString)")
        let url = dir.appendingPathComponent("results.json")
        try atomicWrite(Data("{\"a\":1}".utf8), to: url)
        try atomicWrite(Data("{}".utf8), to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "{}")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["results.json"])
    }
}

final class GradebookTests: XCTestCase {
    func report(score: Double, at: Date?, graded: Date = Date()) -> GradeReport {
        var r = OutputTests.sample()
        r.lab = "1"
        XCTAssertEqual(r.score, score, "the sample report scores 5")
        r.submittedAt = at
        r.gradedAt = graded
        return r
    }

    func testOverridesSurviveRegradesAndLatePenaltiesApply() throws {
        let path = NSTemporaryDirectory() + "gb-\(UUID().uuidString).sqlite"
        let book = try Gradebook(path: path)
        var m = try LabManifest.parse("lab: 1\ndue: 2026-11-20T00:00:00Z\nlate: { per_day: 0.1, max: 0.5 }\ntests:\n  - { id: A/testPass, points: 8 }", path: "g")
        m.tests[0].points = 8
        try book.recordLab(m)
        let due = ISO8601DateFormatter().date(from: "2026-11-20T00:00:00Z")!
        try book.record(report(score: 5, at: due.addingTimeInterval(-60)), student: "alice")
        try book.record(report(score: 5, at: due.addingTimeInterval(86_400 + 5)), student: "bob")  // 2 started days late
        try book.override(student: "alice", lab: "1", test: "A/testFail", score: 1, reason: "regrade request")
        // Regrade alice: the override is still applied.
        try book.record(report(score: 5, at: due.addingTimeInterval(-60)), student: "alice")
        let rows = try book.rows(lab: "1")
        XCTAssertEqual(rows.map(\.student), ["alice", "bob"])
        XCTAssertEqual(rows[0].autoScore, 5)
        XCTAssertEqual(rows[0].adjustedScore, 6)
        XCTAssertEqual(rows[0].finalScore, 6)
        XCTAssertEqual(rows[1].latePenalty, 0.2, accuracy: 1e-12)
        XCTAssertEqual(rows[1].finalScore, 4, accuracy: 1e-12)
        try book.override(student: "bob", lab: "1", test: nil, score: 7.5, reason: "extension granted")
        XCTAssertEqual(try book.rows(lab: "1")[1].finalScore, 7.5)
        XCTAssertThrowsError(try book.override(student: "carol", lab: "1", test: nil, score: 1, reason: ""))
        XCTAssertThrowsError(try book.override(student: "bob", lab: "1", test: "A/testNope", score: 1, reason: ""))

        let csv = try book.exportCSV(lab: "1").split(separator: "\n")
        XCTAssertEqual(csv[0], "student,lab,submitted_at,auto_score,adjusted_score,late_penalty,final_score,max_score,overrides,A/testPass,A/testFail,A/testLater,A/testPublished,SecretTests/testSecretGradient")
        XCTAssertEqual(csv[1], "alice,1,2026-11-19T23:59:00Z,5,6,0,6,8,1,2,1,0,0,3")
        let canvas = try book.exportCanvasCSV(lab: "1", assignment: "Lab 1: Stats")
        XCTAssertEqual(canvas, "Student,ID,SIS User ID,SIS Login ID,Section,Lab 1: Stats\n    Points Possible,,,,,8\nalice,,,alice,,6\nbob,,,bob,,7.5\n")
    }

    func testShardGradebooksMergeIntoOne() throws {
        let dir = NSTemporaryDirectory() + "gbm-\(UUID().uuidString)"
        let a = try Gradebook(path: dir + "/a.sqlite"), b = try Gradebook(path: dir + "/b.sqlite")
        try a.record(report(score: 5, at: nil), student: "alice")
        try b.record(report(score: 5, at: nil), student: "bob")
        try b.override(student: "bob", lab: "1", test: nil, score: 1, reason: "x")
        let main = try Gradebook(path: dir + "/main.sqlite")
        XCTAssertEqual(try main.merge(from: dir + "/a.sqlite"), 1)
        XCTAssertEqual(try main.merge(from: dir + "/b.sqlite"), 1)
        XCTAssertEqual(try main.merge(from: dir + "/b.sqlite"), 0, "merging again changes nothing")
        let rows = try main.rows()
        XCTAssertEqual(rows.map(\.student), ["alice", "bob"])
        XCTAssertEqual(rows.map(\.finalScore), [5, 1])
    }

    func testShardsPartitionTheClass() throws {
        let shards = try (1...3).map { try Shard.parse("\($0)/3") }
        for k in 0..<10 { XCTAssertEqual(shards.filter { $0.contains(k) }.count, 1) }
        XCTAssertThrowsError(try Shard.parse("0/3"))
        XCTAssertThrowsError(try Shard.parse("4/3"))
    }
}
