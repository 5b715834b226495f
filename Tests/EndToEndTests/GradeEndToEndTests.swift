import Foundation
import XCTest

/// `labrun grade`, `labrun release` and `labrun gradebook` on the grader's fixture course
/// (Tests/LabGraderTests/Fixtures: lab 1, 7 graded tests worth 10 points, 2 of them hidden).
final class GradeEndToEndTests: FixtureCourseTestCase {
    override class var scratchPrefix: String { "labrun-grade-e2e-" }

    func testSelfCheckAndReleaseSync() throws {
        let ok = try labrun(["grade", "--self-check", "--course", course])
        XCTAssertEqual(ok.code, 0, ok.stdout + ok.stderr)
        XCTAssertTrue(ok.stdout.contains("✓ solutions: 10/10, all 7 tests passed"), ok.stdout)
        XCTAssertTrue(ok.stdout.contains("✓ stubs: 0/10, all 7 tests 'not implemented'"), ok.stdout)

        try "// edited by hand\n".write(toFile: course + "/Labs/1/Exercises/Stats.swift", atomically: true, encoding: .utf8)
        let drift = try labrun(["release", "--check", "--course", course])
        XCTAssertEqual(drift.code, 1)
        XCTAssertTrue(drift.stderr.contains("Labs/1/Exercises/Stats.swift:1: differs from the stub generated from Solutions/1/Stats.swift"), drift.stderr)
        XCTAssertEqual(try labrun(["release", "--course", course, "--force"]).code, 0)
        XCTAssertEqual(try labrun(["release", "--check", "--course", course]).code, 0)
    }

    /// `labrun release` never replaces a stub someone edited: it says which file and exits 1, leaving it as it is;
    /// with --force it keeps a copy and says where. A stub release wrote itself is regenerated when the solution changes.
    func testReleaseRefusesToOverwriteEditedStubs() throws {
        let stats = course + "/Labs/1/Exercises/Stats.swift"
        let work = "// my unfinished work\n"
        try work.write(toFile: stats, atomically: true, encoding: .utf8)
        let refused = try labrun(["release", "--course", course])
        XCTAssertEqual(refused.code, 1, refused.stdout + refused.stderr)
        XCTAssertTrue(refused.stderr.contains("not overwriting \(course)/Labs/1/Exercises/Stats.swift"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("--force"), refused.stderr)
        XCTAssertEqual(try String(contentsOfFile: stats, encoding: .utf8), work, "release overwrote an edited stub")

        // The solution of the other file changes: its unedited stub (recorded in .release.json) is regenerated.
        let counterSolution = course + "/Solutions/1/Counter.swift"
        try (String(contentsOfFile: counterSolution, encoding: .utf8) + "\n// a new comment\n")
            .write(toFile: counterSolution, atomically: true, encoding: .utf8)
        let again = try labrun(["release", "--course", course])
        XCTAssertEqual(again.code, 1, "Stats.swift is still edited: " + again.stdout + again.stderr)
        XCTAssertTrue(again.stdout.contains("wrote Counter.swift"), again.stdout)
        XCTAssertTrue(try String(contentsOfFile: course + "/Labs/1/Exercises/Counter.swift", encoding: .utf8).hasSuffix("// a new comment\n"))

        let forced = try labrun(["release", "--course", course, "--force"])
        XCTAssertEqual(forced.code, 0, forced.stdout + forced.stderr)
        let m = try XCTUnwrap(forced.stdout.range(of: #"kept a copy at \S+/Stats\.swift"#, options: .regularExpression), forced.stdout)
        let backup = String(forced.stdout[m].dropFirst("kept a copy at ".count))
        XCTAssertTrue(backup.hasPrefix(course + "/.labrun/release-backups/1-"), backup)
        XCTAssertEqual(try String(contentsOfFile: backup, encoding: .utf8), work, "the backup must hold the edited file")
        XCTAssertEqual(try labrun(["release", "--check", "--course", course]).code, 0)
    }

    func testOneSubmissionResultsAreValidEvenWhenAFileDoesNotCompile() throws {
        try makeSubmissions(course + "/subs", ["compile_error"])
        let out = try labrun(["grade", course + "/subs/compile_error", "--course", course, "--results", course + "/results.json",
                              "--html", course + "/feedback.html"])
        XCTAssertEqual(out.code, 0, out.stderr)
        XCTAssertTrue(out.stdout.contains("Score: 4/10 (40%)"), out.stdout)
        XCTAssertTrue(out.stdout.contains("Stats.swift:8:28: error: cannot convert return expression of type 'Int' to return type 'Double'"), out.stdout)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: course + "/results.json"))) as! [String: Any]
        XCTAssertEqual(json["score"] as? Double, 4)
        XCTAssertEqual((json["tests"] as? [[String: Any]])?.count, 7)
        let html = try String(contentsOfFile: course + "/feedback.html", encoding: .utf8)
        XCTAssertFalse(html.contains("HiddenTests"))
        XCTAssertTrue(html.contains("CounterTests.testCount"))

        let junit = try labrun(["grade", course + "/subs/compile_error", "--course", course, "--results", course + "/r.xml", "--format", "junit"])
        XCTAssertEqual(junit.code, 0)
        let xml = try String(contentsOfFile: course + "/r.xml", encoding: .utf8)
        XCTAssertTrue(xml.contains("<error type=\"compile_error\""))
        XCTAssertFalse(xml.contains("HiddenTests"), "JUnit is a student view: \(xml)")
    }

    func testBatchGradebookOverridesAndShards() throws {
        try makeSubmissions(course + "/subs", ["correct", "partial", "crash", "forge", "exit0"])
        // "correct" handed in on time; the others' hand-in time is their files' mtime (now): days after the
        // fixture's due date (2026-11-20T23:59Z), so the late policy (10%/day, at most 50%) halves them.
        try #"{"submitted_at": "2026-11-20T12:00:00Z"}"#.write(toFile: course + "/subs/correct/submission.json", atomically: true, encoding: .utf8)
        let out = try labrun(["grade", "--submissions", course + "/subs", "--course", course, "--jobs", "2", "--out", course + "/graded"])
        XCTAssertEqual(out.code, 0, out.stderr)
        XCTAssertTrue(out.stdout.contains("Graded 5 submissions (0 skipped as unchanged)"), out.stdout)
        let book = course + "/graded/gradebook.sqlite"
        let csv = try labrun(["gradebook", "export", "--gradebook", book, "--lab", "1"])
        let scores = csv.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
            .map { "\($0[0])=\($0[3])→\($0[6])" }
        XCTAssertEqual(scores, ["correct=10→10", "crash=4→2", "exit0=4→2", "forge=4→2", "partial=6→3"])

        let o = try labrun(["gradebook", "override", "--gradebook", book, "--student", "partial", "--lab", "1",
                            "--test", "StatsTests/testVariance", "--score", "2", "--reason", "accepted n-1 with justification"])
        XCTAssertEqual(o.code, 0, o.stderr)
        let again = try labrun(["grade", "--submissions", course + "/subs", "--course", course, "--out", course + "/graded", "--force"])
        XCTAssertTrue(again.stdout.contains("Graded 5 submissions"), again.stdout)
        let canvas = try labrun(["gradebook", "export", "--gradebook", book, "--lab", "1", "--canvas"])
        XCTAssertTrue(canvas.stdout.contains("partial,,,partial,,4\n"), "override (6 + 2) survives the regrade, then -50%: \(canvas.stdout)")
        XCTAssertTrue(canvas.stdout.contains("correct,,,correct,,10\n"), canvas.stdout)
        let resumed = try labrun(["grade", "--submissions", course + "/subs", "--course", course, "--out", course + "/graded"])
        XCTAssertTrue(resumed.stdout.contains("Graded 0 submissions (5 skipped as unchanged)"), resumed.stdout)

        // Two shards, as two cluster jobs would run them, merged.
        for i in 1...2 {
            let s = try labrun(["grade", "--submissions", course + "/subs", "--course", course, "--out", course + "/sharded", "--shard", "\(i)/2"])
            XCTAssertEqual(s.code, 0, s.stderr)
        }
        let m = try labrun(["gradebook", "merge", "--into", course + "/merged.sqlite",
                            course + "/sharded/gradebook.shard-1-of-2.sqlite", course + "/sharded/gradebook.shard-2-of-2.sqlite"])
        XCTAssertTrue(m.stdout.contains("Merged 5 submissions from 2 gradebooks"), m.stdout)
        let merged = try labrun(["gradebook", "export", "--gradebook", course + "/merged.sqlite"])
        XCTAssertEqual(merged.stdout.split(separator: "\n").count, 6)
    }

    /// The language-level attacks of issue 11 (make_submissions.sh), graded by the real binary: each scores only
    /// what its honest part earns.
    func testLanguageLevelAttacksEarnOnlyTheirHonestPart() throws {
        let expected = ["elf_ctor": 0.0, "cdecl_write": 0, "cdecl_in_region": 4, "memory_scan": 4, "class_lookup": 4,
                        "xctassert_noop": 4, "always_equal": 7, "no_markers": 0, "forge_xctest": 4]
        try makeSubmissions(course + "/subs", Array(expected.keys))
        let out = try labrun(["grade", "--submissions", course + "/subs", "--course", course, "--jobs", "2", "--out", course + "/graded"])
        XCTAssertEqual(out.code, 0, out.stdout + out.stderr)
        for (kind, score) in expected {
            let data = try XCTUnwrap(FileManager.default.contents(atPath: course + "/graded/\(kind)/report.json"), kind)
            let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            XCTAssertEqual(json["score"] as? Double, score, "\(kind): \(String(decoding: data, as: UTF8.self).prefix(3000))")
        }
        // The forged ELF constructor never ran: nothing it prints is in any test's output.
        let elf = try String(contentsOfFile: course + "/graded/elf_ctor/report.json", encoding: .utf8)
        XCTAssertFalse(elf.contains("succeeded\\\":true"), elf)
    }

    /// A student's own copy (the hand-out: no Solutions/, no hidden tests): the terminal shows the score out of the
    /// points they can see, what is checked later as a number of points, no hidden test's name and no instructor
    /// warning.
    func testStudentViewOfAHandOut() throws {
        let handout = course + "-handout"
        defer { try? FileManager.default.removeItem(atPath: handout) }
        XCTAssertEqual(try labrun(["release", "--course", course, "--out", handout]).code, 0)
        try makeSubmissions(course + "/subs", ["correct"])
        for f in ["Stats.swift", "Counter.swift"] {
            try? FileManager.default.removeItem(atPath: handout + "/Labs/1/Exercises/" + f)
            try FileManager.default.copyItem(atPath: course + "/subs/correct/Exercises/" + f, toPath: handout + "/Labs/1/Exercises/" + f)
        }
        let out = try labrun(["grade", "--course", handout, "--lab", "1", "--results", handout + "/r.xml", "--format", "junit"])
        XCTAssertEqual(out.code, 0, out.stdout + out.stderr)
        XCTAssertTrue(out.stdout.contains("Score: 6/6 (100%)"), out.stdout)
        XCTAssertTrue(out.stdout.contains("1 more point is shown when grades are published."), out.stdout)
        XCTAssertTrue(out.stdout.contains("3 more points are checked after the due date"), out.stdout)
        for text in [out.stdout, out.stderr, try String(contentsOfFile: handout + "/r.xml", encoding: .utf8)] {
            XCTAssertFalse(text.contains("HiddenTests") || text.contains("testVarianceShifted") || text.contains("testMostCommon"), text)
            XCTAssertFalse(text.contains("chmod"), text)
        }
    }

    /// One Latin-1 byte in a comment: the file and the byte offset are named (it was "Counter.swift is missing").
    func testInvalidUTF8IsNamedWithItsByteOffset() throws {
        try makeSubmissions(course + "/subs", ["correct"])
        let file = course + "/subs/correct/Exercises/Counter.swift"
        var data = try Data(contentsOf: URL(fileURLWithPath: file))
        data.insert(contentsOf: Array("// na".utf8) + [0xEF] + Array("ve\n".utf8), at: 0)   // "naïve" in Latin-1
        try data.write(to: URL(fileURLWithPath: file))
        let out = try labrun(["grade", course + "/subs/correct", "--course", course])
        XCTAssertEqual(out.code, 0, out.stderr)
        XCTAssertTrue(out.stdout.contains("Counter.swift is not valid UTF-8 text (the first bad byte is at offset 5, 0xEF): save it as UTF-8"), out.stdout)
        XCTAssertFalse(out.stdout.contains("is missing"), out.stdout)
    }

    func testBadInputIsOneLine() throws {
        let out = try labrun(["grade", "--course", course, "--lab", "99"])
        XCTAssertEqual(out.code, 2)
        XCTAssertEqual(out.stderr, "error: no lab '99': \(course)/Tests/Graded/99/grading.yml does not exist (labs here: 1)\n")
        let shard = try labrun(["grade", "--course", course, "--submissions", course, "--shard", "3/2"])
        XCTAssertEqual(shard.code, 2)
        XCTAssertTrue(shard.stderr.hasPrefix("error: --shard 3/2: expected i/n"), shard.stderr)
    }

    /// The course in this repository: every lab in Tests/Graded passes the self-check (solutions 100%, the
    /// generated stubs 0, all "not implemented"). Whether Labs/<lab>/Exercises is in sync with release is not
    /// checked here (a student's edits must not fail `swift test`): `.ci/run` runs `labrun release --check`.
    func testRepositoryCourseSelfCheck() throws {
        let repo = ((#filePath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("../..")
        let graded = repo + "/Tests/Graded"
        let labs = ((try? FileManager.default.contentsOfDirectory(atPath: graded)) ?? [])
            .filter { FileManager.default.fileExists(atPath: "\(graded)/\($0)/grading.yml") }.sorted()
        try XCTSkipIf(labs.isEmpty, "no graded labs in Tests/Graded yet")
        for lab in labs {
            let out = try Labrun.run(["grade", "--self-check", "--course", repo, "--lab", lab], root: repo, env: env, timeout: 1800)
            XCTAssertEqual(out.code, 0, "lab \(lab):\n" + out.stdout + out.stderr)
        }
    }
}
