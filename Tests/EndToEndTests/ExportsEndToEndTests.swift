import Foundation
import XCTest
@testable import LabProcess

/// Instructor exports on the grader's fixture course (lab 1, 10 points, due 2026-11-20T23:59Z, 10% a day late, at
/// most 50%): the Gradescope autograder package run as Gradescope runs it, the Canvas export with a roster, and
/// hand-in times from an LMS export.
final class ExportsEndToEndTests: FixtureCourseTestCase {
    override class var scratchPrefix: String { "labrun-exports-e2e-" }

    /// The package's run_autograder, run with AUTOGRADER pointing at a folder laid out as Gradescope's
    /// /autograder (source/, submission/), writes results/results.json with the submission's score.
    func testGradescopePackageRunsLikeGradescope() throws {
        let pkg = NSTemporaryDirectory() + "labrun-gradescope-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: pkg) }
        let made = try labrun(["gradescope-package", "--lab", "1", "--course", course, "--out", pkg])
        XCTAssertEqual(made.code, 0, made.stdout + made.stderr)
        for f in ["setup.sh", "run_autograder"] {
            XCTAssertTrue(FileManager.default.isExecutableFile(atPath: pkg + "/" + f), "\(f) must be executable")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: pkg + "/source/Solutions/1/Stats.swift"), "the autograder needs the solutions")
        XCTAssertTrue(FileManager.default.fileExists(atPath: pkg + "/source/Tests/Graded/1/hidden/HiddenTests.swift"))
        let setup = try String(contentsOfFile: pkg + "/setup.sh", encoding: .utf8)
        XCTAssertTrue(setup.contains("swift build -c release --product labrun"), setup)

        // Gradescope's layout: /autograder/source (the package's source/), /autograder/submission (the upload).
        let ag = pkg + "/autograder"
        try FileManager.default.createDirectory(atPath: ag, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: ag + "/source", withDestinationPath: pkg + "/source")
        try makeSubmissions(pkg + "/subs", ["partial"])
        try FileManager.default.moveItem(atPath: pkg + "/subs/partial", toPath: ag + "/submission")
        var c = ChildProcess("/bin/bash", [pkg + "/run_autograder"])
        var e = environmentDictionary()
        e["AUTOGRADER"] = ag
        e["LABRUN"] = Labrun.binary
        e["LABRUN_GRADE_CACHE"] = course + "/.cache"
        c.environment = e
        c.timeout = 300
        let r = try c.run()
        XCTAssertEqual(r.termination, .exited(0), r.stdoutText + r.stderrText)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: ag + "/results/results.json"))) as! [String: Any]
        XCTAssertEqual(json["score"] as? Double, 6, "the fixture's 'partial' submission scores 6/10: \(json)")
        XCTAssertEqual((json["tests"] as? [[String: Any]])?.count, 7)
    }

    /// Canvas export with a roster: LMS ids from the roster, an empty score for a student with no submission, and
    /// a warning for a graded folder the roster does not know. Hand-in times from an LMS export set the late
    /// penalty; submissions with only file times are named in a warning.
    func testCanvasRosterAndHandInTimes() throws {
        try makeSubmissions(course + "/subs", ["correct", "partial", "compile_error"])
        // The LMS says: correct on time, partial a day and a bit late (2 started days: -20%).
        try "login,submitted_at\ncorrect,2026-11-20T12:00:00Z\npartial,2026-11-22T08:00:00Z\n"
            .write(toFile: course + "/times.csv", atomically: true, encoding: .utf8)
        let out = try labrun(["grade", "--submissions", course + "/subs", "--course", course, "--out", course + "/graded",
                              "--hand-in-times", course + "/times.csv"])
        XCTAssertEqual(out.code, 0, out.stdout + out.stderr)
        XCTAssertTrue(out.stdout.contains("warning: 1 submission has no hand-in time"), out.stdout)
        XCTAssertTrue(out.stdout.contains("(compile_error)"), out.stdout)

        let book = course + "/graded/gradebook.sqlite"
        try "student_id,login,folder,name,section\n1001,alice,correct,Alice A,S1\n1002,bob,partial,Bob B,S1\n1003,carol,carol,Carol C,S2\n"
            .write(toFile: course + "/roster.csv", atomically: true, encoding: .utf8)
        let canvas = try labrun(["gradebook", "export", "--gradebook", book, "--lab", "1", "--canvas", "--roster", course + "/roster.csv"])
        XCTAssertEqual(canvas.code, 0, canvas.stderr)
        let lines = canvas.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines, [
            "Student,ID,SIS User ID,SIS Login ID,Section,Lab 1",
            "    Points Possible,,,,,10",
            "Alice A,,1001,alice,S1,10",        // on time: 10
            "Bob B,,1002,bob,S1,4.8",           // 6 × (1 − 0.2)
            "Carol C,,1003,carol,S2,",          // no submission
        ])
        XCTAssertTrue(canvas.stderr.contains("warning: submission folder 'compile_error' (lab 1) is not in the roster"), canvas.stderr)

        let bad = try labrun(["gradebook", "export", "--gradebook", book, "--lab", "1", "--roster", course + "/roster.csv"])
        XCTAssertEqual(bad.code, 2)
        XCTAssertTrue(bad.stderr.contains("--roster goes with --canvas"), bad.stderr)
    }
}
