import Foundation
import XCTest
@testable import LabGrader

/// Grades the fixture course's reference solutions, released stubs and generated hostile submissions
/// (Fixtures/make_submissions.sh) and checks every test's status and the scores.
final class GradeTests: XCTestCase {
    func testSolutionsScoreFullMarks() throws {
        let course = try Fixture.course()
        let grader = try Fixture.grader(course)
        let r = try grader.grade(Submission(name: "solutions", dir: course.solutionsDir("1")))
        XCTAssertEqual(r.tests.map(\.status), Array(repeating: .passed, count: 7), TerminalFormat.render(r))
        XCTAssertEqual(r.score, 10)
        XCTAssertEqual(r.maxScore, 10)
        XCTAssertTrue(r.buildOK)
    }

    func testSelfCheckSolutionsFullStubsZeroAllNotImplemented() throws {
        let course = try Fixture.course()
        let check = try SelfCheck.run(course: course, grader: try Fixture.grader(course))
        XCTAssertTrue(check.ok, check.text)
        XCTAssertTrue(check.text.contains("stubs: 0/10, all 7 tests 'not implemented'"), check.text)
    }

    /// kind → expected status of each test, in manifest order:
    /// meanSmall, meanEmpty, variance, count, mostCommon, hidden varianceShifted, hidden countPunctuation.
    static let expected: [String: (score: Double, statuses: [TestStatus])] = {
        let P = TestStatus.passed, F = TestStatus.failed, N = TestStatus.notImplemented, C = TestStatus.crashed,
            T = TestStatus.timedOut, E = TestStatus.compileError
        return [
            "correct": (10, [P, P, P, P, P, P, P]),
            "partial": (6, [P, P, F, P, P, F, P]),
            "compile_error": (4, [E, E, E, P, P, E, P]),
            "crash": (4, [C, C, C, P, P, C, P]),
            "hang": (6, [P, P, P, T, T, P, T]),
            "exit0": (4, [C, C, C, P, P, C, P]),
            "forge": (4, [F, F, F, P, P, F, P]),
            "forge_xctest": (4, [C, C, C, P, P, C, P]),
            "huge_output": (6, [P, P, P, C, C, P, C]),
            "fork_bomb": (9, [P, P, P, P, T, P, P]),
            "memory_hog": (9, [P, P, P, P, C, P, P]),
            "snoop": (getuid() == 0 ? 10 : 4, getuid() == 0 ? [P, P, P, P, P, P, P] : [F, F, F, P, P, F, P]),
            "tamper": (0, [N, N, N, N, N, N, N]),
            "missing_file": (6, [P, P, P, N, N, P, N]),
            "api_change": (3, [E, E, E, P, P, E, E]),
        ]
    }()

    func testEveryKindOfSubmissionGetsAnHonestStatusPerTest() throws {
        let course = try Fixture.course()
        let subs = course.root.appendingPathComponent("submissions")
        try runScript(subs.path, env: ["SNOOP_COURSE": course.root.path])
        let grader = try Fixture.grader(course, jobs: 1)
        var batch = Batch(grader: grader, submissionsDir: subs, outDir: course.root.appendingPathComponent("graded"),
                          gradebook: course.root.appendingPathComponent("graded/gradebook.sqlite"))
        batch.jobs = 2
        let summary = try batch.run(progress: nil)
        XCTAssertEqual(summary.harnessErrors, 0, summary.errors.joined(separator: "\n"))
        XCTAssertEqual(Set(summary.graded.map(\.submission)), Set(Self.expected.keys))
        for r in summary.graded {
            guard let e = Self.expected[r.submission] else { continue }
            XCTAssertEqual(r.tests.map(\.status), e.statuses, "\(r.submission):\n" + TerminalFormat.render(r))
            XCTAssertEqual(r.score, e.score, r.submission)
        }
        let by = Dictionary(uniqueKeysWithValues: summary.graded.map { ($0.submission, $0) })
        // Messages a student can act on.
        XCTAssertEqual(by["partial"]!.test("StatsTests/testVariance")!.message,
                       "StatsTests.swift:15: XCTAssertEqual failed\n    got:      1.6666666666666667\n    expected: 1.25 (± 1e-12)")
        XCTAssertTrue(by["crash"]!.test("StatsTests/testMeanSmall")!.message.contains("Fatal error: Index out of range"))
        XCTAssertTrue(by["crash"]!.test("StatsTests/testMeanSmall")!.message.hasPrefix("Crashed with signal SIGILL"))
        XCTAssertTrue(by["exit0"]!.test("StatsTests/testMeanSmall")!.message.hasPrefix("The process exited with code 0 before the test finished"))
        // 2 s of CPU, or 3 × 2 + 5 s of wall time when the machine is too busy to give the loop 5 s of CPU first.
        for (kind, id) in [("hang", "CounterTests/testCount"), ("fork_bomb", "CounterTests/testMostCommon")] {
            let m = by[kind]!.test(id)!.message
            XCTAssertTrue(m == "Used more than 2 s of CPU time and was stopped. Look for an infinite loop or a much slower algorithm than needed."
                          || m.hasPrefix("Did not finish within 11 s of wall time"), m)
        }
        XCTAssertTrue(by["huge_output"]!.test("CounterTests/testCount")!.message.hasPrefix("Killed: printed more than 1024 KiB"))
        XCTAssertEqual(by["tamper"]!.test("CounterTests/testCount")!.message,
                       "not implemented: WordCounter.count — replace its todo(\"WordCounter.count\") with your code.")
        let compile = by["compile_error"]!
        XCTAssertFalse(compile.buildOK)
        XCTAssertEqual(compile.diagnostics.first?.file, "Stats.swift")
        XCTAssertEqual(compile.diagnostics.first?.line, 7)
        XCTAssertTrue(compile.test("StatsTests/testMeanSmall")!.message.hasPrefix("Needs Stats.swift, which does not compile"))
        // A hidden test's compile error does not quote its source.
        let hiddenCompile = by["api_change"]!.test("HiddenTests/testVarianceShifted")!.message
        XCTAssertFalse(hiddenCompile.contains("1e6 + 1"), hiddenCompile)
        XCTAssertTrue(by["api_change"]!.test("StatsTests/testVariance")!.message.contains("variance"))
        // Forged records on stdout and on every fd never count; the forger's output is shown as output, nothing more.
        XCTAssertTrue(by["forge"]!.test("StatsTests/testMeanSmall")!.message.contains("got:      -1.0"))
        // No test process outlives grading (the fork bomb's sleepers were killed with their process group).
        XCTAssertEqual(try processesRunning(containing: "/bin/sleep 1000"), 0)
    }

    func testFilesThatDoNotCompileAreStubbedSoOtherTestsStillRun() throws {
        let course = try Fixture.course()
        let sub = try Fixture.submission(course, "broken-counter") { files in
            files["Counter.swift"] = files["Counter.swift"]!.replacingOccurrences(of: "return counts", with: "return count")
        }
        let r = try Fixture.grader(course).grade(sub)
        XCTAssertEqual(r.tests.map(\.status), [.passed, .passed, .passed, .compileError, .compileError, .passed, .compileError])
        XCTAssertEqual(r.score, 6)
        XCTAssertEqual(r.notes, ["Counter.swift did not compile: graded with that file as stubs; tests that need it count as compile errors."])
    }

    func testATestFileBrokenByTheCourseIsBlamedOnTheCourseNotTheStudent() throws {
        // The instructor's CounterTests.swift calls a method no version of the exercise has: it fails against the
        // student's code and against the released stubs alike, so the message and a note say the course is at fault.
        let course = try Fixture.course()
        let file = course.root.appendingPathComponent("Tests/Graded/1/CounterTests.swift")
        let text = try String(contentsOf: file, encoding: .utf8)
        try text.replacingOccurrences(of: "WordCounter().count(", with: "WordCounter().countWords(")
            .write(to: file, atomically: true, encoding: .utf8)
        let r = try Fixture.grader(course).grade(Submission(name: "solutions", dir: course.solutionsDir("1")))
        XCTAssertEqual(r.tests.map(\.status), [.passed, .passed, .passed, .compileError, .compileError, .passed, .passed],
                       TerminalFormat.render(r))
        let m = r.test("CounterTests/testCount")!.message
        XCTAssertTrue(m.hasPrefix("This test does not compile against the course's own stubs either"), m)
        XCTAssertTrue(m.contains("countWords"), m)
        XCTAssertEqual(r.notes.filter { $0.hasPrefix("Course error:") },
                       ["Course error: the graded test file CounterTests.swift does not compile against the course's own stubs; its 2 tests could not run. Tell your instructor."])

        // A student's renamed method is still the student's doing (the api_change kind in the batch test covers the
        // hidden file); here the visible one.
        try text.write(to: file, atomically: true, encoding: .utf8)
        let sub = try Fixture.submission(course, "renamed") { files in
            files["Counter.swift"] = files["Counter.swift"]!.replacingOccurrences(of: "func count(_ text", with: "func count(in text")
                .replacingOccurrences(of: "count(text)", with: "count(in: text)")
        }
        let s = try Fixture.grader(course).grade(sub)
        XCTAssertTrue(s.test("CounterTests/testCount")!.message.hasPrefix("The test does not compile against your code"),
                      TerminalFormat.render(s))
        XCTAssertTrue(s.notes.allSatisfy { !$0.hasPrefix("Course error:") }, "\(s.notes)")
    }

    func testWarmGradeReusesTheBuildAndGivesTheSameResult() throws {
        let course = try Fixture.course()
        let grader = try Fixture.grader(course)
        let sub = try Fixture.submission(course, "again")
        let a = try grader.grade(sub)
        let b = try grader.grade(sub)
        XCTAssertEqual(a.tests.map(\.status), b.tests.map(\.status))
        XCTAssertEqual(a.inputHash, b.inputHash)
        let entries = try FileManager.default.contentsOfDirectory(atPath: course.root.appendingPathComponent(".cache").path).filter { !$0.hasPrefix(".") }
        XCTAssertEqual(entries.count, 2, "one Exercises build and one test runner, reused: \(entries)")
    }

    func runScript(_ out: String, kinds: [String] = [], env: [String: String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [Fixture.source.deletingLastPathComponent().appendingPathComponent("make_submissions.sh").path, out] + kinds
        p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
    }

    func processesRunning(containing needle: String) throws -> Int {
        var n = 0
        for pid in try FileManager.default.contentsOfDirectory(atPath: "/proc") where pid.first?.isNumber == true {
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { continue }
            let cmd = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            if cmd.contains(needle) { n += 1 }
        }
        return n
    }

    func testASubmissionBudgetStopsAHangingSubmissionEarly() throws {
        let course = try Fixture.course()
        let yml = course.labDir("1").appendingPathComponent("grading.yml")
        try (String(contentsOf: yml, encoding: .utf8) + "submission_timeout: 1.5\n").write(to: yml, atomically: true, encoding: .utf8)
        try runScript(course.root.appendingPathComponent("submissions").path, kinds: ["hang"], env: [:])
        let r = try Fixture.grader(course, jobs: 1).grade(Submission(name: "hang", dir: course.root.appendingPathComponent("submissions/hang")))
        // The Stats tests run first and pass; testCount hangs (2 s of CPU); what is left is not run, and not passed.
        XCTAssertEqual(r.tests.map(\.status), [.passed, .passed, .passed, .timedOut, .timedOut, .timedOut, .timedOut], TerminalFormat.render(r))
        XCTAssertEqual(r.test("CounterTests/testMostCommon")!.message,
                       "Not run: this submission used up its 1.5 s budget for all tests (earlier tests hung or were very slow).")
    }
}
