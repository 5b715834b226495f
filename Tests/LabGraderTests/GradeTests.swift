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
    /// meanSmall, meanEmpty, variance (exercise 1), count (2a), mostCommon (2b), hidden varianceShifted (1),
    /// hidden countPunctuation (2a). Each exercise is graded with the reference code of the others, so a broken
    /// count costs only count's tests; region code that uses what a submission may not is a compile error.
    static let expected: [String: (score: Double, statuses: [TestStatus])] = {
        let P = TestStatus.passed, F = TestStatus.failed, N = TestStatus.notImplemented, C = TestStatus.crashed,
            T = TestStatus.timedOut, E = TestStatus.compileError
        let statsRejected: [TestStatus] = [E, E, E, P, P, E, P]
        return [
            "correct": (10, [P, P, P, P, P, P, P]),
            "partial": (6, [P, P, F, P, P, F, P]),
            "compile_error": (4, statsRejected),
            "crash": (4, [C, C, C, P, P, C, P]),
            "stack_overflow": (4, [C, C, C, P, P, C, P]),
            "hang": (7, [P, P, P, T, P, P, T]),
            "exit0": (4, statsRejected),
            "forge": (4, statsRejected),
            "forge_xctest": (4, statsRejected),
            "huge_output": (7, [P, P, P, C, P, P, C]),
            "fork_bomb": (9, [P, P, P, P, E, P, P]),
            "memory_hog": (9, [P, P, P, P, E, P, P]),
            "snoop": (4, statsRejected),
            "tamper": (0, [N, N, N, N, N, N, N]),
            "missing_file": (6, [P, P, P, N, N, P, N]),
            "api_change": (4, statsRejected),
            // The language-level attacks of issue 11: outside the markers they are never compiled (the stubs
            // score 0, a wrong answer keeps its failures); inside, the allowlist rejects them.
            "elf_ctor": (0, [N, N, N, N, N, N, N]),
            "cdecl_write": (0, [N, N, N, N, N, N, N]),
            "cdecl_in_region": (4, statsRejected),
            "memory_scan": (4, statsRejected),
            "class_lookup": (4, statsRejected),
            "xctassert_noop": (4, [F, F, F, P, P, F, P]),
            "always_equal": (7, [P, P, P, F, P, P, F]),
            "no_markers": (0, [N, N, N, N, N, N, N]),
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
        XCTAssertTrue(by["stack_overflow"]!.test("StatsTests/testMeanSmall")!.message.hasPrefix("Stack overflow: the calls nested too deeply (signal SIGSEGV"),
                      by["stack_overflow"]!.test("StatsTests/testMeanSmall")!.message)
        func message(_ kind: String, _ id: String) -> String { by[kind]!.test(id)!.message }
        XCTAssertTrue(message("exit0", "StatsTests/testMeanSmall").contains("Stats.swift:8:5: error: `exit` is not allowed in a submission"), message("exit0", "StatsTests/testMeanSmall"))
        // 2 s of CPU, or 3 × 2 + 5 s of wall time when the machine is too busy to give the loop 5 s of CPU first.
        let hang = message("hang", "CounterTests/testCount")
        XCTAssertTrue(hang == "Used more than 2 s of CPU time and was stopped. Look for an infinite loop or a much slower algorithm than needed."
                      || hang.hasPrefix("Did not finish within 11 s of wall time"), hang)
        XCTAssertTrue(message("huge_output", "CounterTests/testCount").hasPrefix("Killed: printed more than 1024 KiB"))
        XCTAssertEqual(message("tamper", "CounterTests/testCount"),
                       "not implemented: WordCounter.count — replace its todo(\"WordCounter.count\") with your code.")
        let compile = by["compile_error"]!
        XCTAssertFalse(compile.buildOK)
        XCTAssertEqual(compile.diagnostics.first?.file, "Stats.swift")
        XCTAssertEqual(compile.diagnostics.first?.line, 8, "the student's own line: \(compile.diagnostics)")
        XCTAssertTrue(message("compile_error", "StatsTests/testMeanSmall").hasPrefix("Stats.swift:8:"), message("compile_error", "StatsTests/testMeanSmall"))
        XCTAssertTrue(compile.notes.contains { $0.hasPrefix("exercise 1 (Statistics) did not compile") }, "\(compile.notes)")
        // A signature changed outside the markers is the course's again; a brace that escapes the function is refused.
        XCTAssertTrue(message("api_change", "StatsTests/testVariance").contains("closes the function"), message("api_change", "StatsTests/testVariance"))
        XCTAssertTrue(message("forge", "StatsTests/testMeanSmall").contains("`write` is not allowed in a submission"))
        XCTAssertTrue(message("snoop", "StatsTests/testMeanSmall").contains("`fopen` is not allowed in a submission"))
        XCTAssertTrue(message("fork_bomb", "CounterTests/testMostCommon").contains("`posix_spawn` is not allowed in a submission"))
        XCTAssertTrue(message("memory_scan", "StatsTests/testMeanSmall").contains("`UnsafeMutableRawPointer` is not allowed in a submission"))
        XCTAssertTrue(message("class_lookup", "StatsTests/testMeanSmall").contains("`NSClassFromString` is not allowed in a submission"))
        XCTAssertTrue(message("cdecl_in_region", "StatsTests/testMeanSmall").contains("the attribute `@_cdecl` is not allowed in a submission"))
        XCTAssertTrue(message("xctassert_noop", "StatsTests/testMeanSmall").contains("got:      -1.0"))
        XCTAssertTrue(message("no_markers", "StatsTests/testMeanSmall").contains("`// BEGIN EXERCISE 1: mean` is missing"), message("no_markers", "StatsTests/testMeanSmall"))
        // Forged records on stdout and on every fd never count; the forger's output is shown as output, nothing more.
        // No test process outlives grading (the fork bomb's sleepers were killed with their process group).
        XCTAssertEqual(try processesRunning(containing: "/bin/sleep 1000"), 0)
    }

    func testAnExerciseThatDoesNotCompileCostsOnlyItsOwnTests() throws {
        // count does not compile; mostCommon (which calls count) is graded with the reference count and passes.
        let course = try Fixture.course()
        let sub = try Fixture.submission(course, "broken-counter") { files in
            files["Counter.swift"] = files["Counter.swift"]!.replacingOccurrences(of: "return counts", with: "return count")
        }
        let r = try Fixture.grader(course).grade(sub)
        XCTAssertEqual(r.tests.map(\.status), [.passed, .passed, .passed, .compileError, .passed, .passed, .compileError], TerminalFormat.render(r))
        XCTAssertEqual(r.score, 7)
        XCTAssertEqual(r.notes, ["exercise 2a (WordCounter.count) did not compile: its tests count as compile errors; every other exercise was graded with the course's reference code in place of it."])
        XCTAssertEqual(r.diagnostics.first?.file, "Counter.swift")
        XCTAssertEqual(r.diagnostics.first?.line, 14, "the line in the student's file: \(r.diagnostics)")
    }

    func testAStubbedExerciseCostsOnlyItsOwnTests() throws {
        // mostCommon written, count still todo(): mostCommon's test runs with the reference count and passes.
        let course = try Fixture.course()
        let sub = try Fixture.submission(course, "no-count") { files in
            files["Counter.swift"] = replaceSolution(files["Counter.swift"]!, in: "count", with: "        todo(\"WordCounter.count\")")
        }
        let r = try Fixture.grader(course).grade(sub)
        XCTAssertEqual(r.tests.map(\.status), [.passed, .passed, .passed, .notImplemented, .passed, .passed, .notImplemented], TerminalFormat.render(r))
        XCTAssertEqual(r.score, 7)
    }

    func testOnlyTheRegionsAreTakenFromASubmission() throws {
        // Everything outside the markers is the course's: an extra import, a changed signature and a shadowing
        // declaration are not compiled; the region bodies are.
        let course = try Fixture.course()
        let sub = try Fixture.submission(course, "outside") { files in
            files["Stats.swift"] = "import Glibc\npublic func todo(_ s: String) -> Never { exit(0) }\n"
                + files["Stats.swift"]!.replacingOccurrences(of: "public func variance(_ xs: [Double])", with: "public func variance(of xs: [Double])")
        }
        let r = try Fixture.grader(course).grade(sub)
        XCTAssertEqual(r.score, 10, TerminalFormat.render(r))
        XCTAssertTrue(r.buildOK)
    }

    func testInvalidUTF8NamesTheFileAndTheByteOffset() throws {
        let course = try Fixture.course()
        let sub = try Fixture.submission(course, "latin1")
        let url = sub.dir.appendingPathComponent("Exercises/Counter.swift")
        var data = try Data(contentsOf: url)
        data.insert(contentsOf: Array("// caf".utf8) + [0xE9] + [10], at: 0)   // Latin-1 é
        try data.write(to: url)
        let r = try Fixture.grader(course).grade(sub)
        XCTAssertTrue(r.notes.contains { $0.hasPrefix("Counter.swift is not valid UTF-8 text (the first bad byte is at offset 6, 0xE9)") }, "\(r.notes)")
        XCTAssertFalse(r.notes.contains { $0.contains("missing") }, "\(r.notes)")
        XCTAssertTrue(r.test("CounterTests/testCount")!.message.contains("offset 6"), r.test("CounterTests/testCount")!.message)
        XCTAssertEqual(r.score, 6)
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
        // The renamed signature is outside the markers (the course's wins); the call inside mostCommon is the student's.
        XCTAssertEqual(s.status("CounterTests/testCount"), .passed, TerminalFormat.render(s))
        XCTAssertEqual(s.status("CounterTests/testMostCommon"), .compileError, TerminalFormat.render(s))
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
        // The course's stubs (the baseline of the library check), one module (the three exercises' compositions are
        // the same: the submission is the reference) and its runner, reused.
        XCTAssertEqual(entries.count, 3, "\(entries)")
    }

    func testExercisesCompiledAsOneModuleKeepEachExerciseOnItsOwnCode() throws {
        // Every region differs from the reference (a comment of the student's), so the three exercises have three
        // distinct compositions; they are compiled as one module whose regions hold both versions. The wrong mean
        // still fails only exercise 1's tests (variance uses the student's mean there), and mostCommon is graded
        // with the reference count, as in a composition of its own.
        let course = try Fixture.course()
        let sub = try Fixture.submission(course, "own-words") { files in
            for (name, text) in files { files[name] = text.replacingOccurrences(of: "// BEGIN SOLUTION", with: "// BEGIN SOLUTION\n        // my own words") }
            files["Stats.swift"] = replaceSolution(files["Stats.swift"]!, in: "mean", with: "    // the sum, not the mean\n    return xs.reduce(0, +)")
        }
        let grader = try Fixture.grader(course)
        let r = try grader.grade(sub)
        XCTAssertEqual(r.tests.map(\.status), [.failed, .passed, .failed, .passed, .passed, .failed, .passed], TerminalFormat.render(r))
        XCTAssertEqual(r.score, 1 + 2 + 1 + 1)
        XCTAssertTrue(r.buildOK)
        let entries = try FileManager.default.contentsOfDirectory(atPath: course.root.appendingPathComponent(".cache").path).filter { !$0.hasPrefix(".") }
        // The stubs, the lab's runner and one module for the three exercises (not one per exercise).
        XCTAssertEqual(entries.count, 3, "\(entries)")
        let module = try XCTUnwrap(entries.first { $0.hasPrefix("ex-") && FileManager.default.fileExists(atPath: course.root.appendingPathComponent(".cache/\($0)/src/Stats.swift").path)
            && ((try? String(contentsOfFile: course.root.appendingPathComponent(".cache/\($0)/src/Stats.swift").path, encoding: .utf8))?.contains("__labrunStudent(") ?? false) })
        let stats = try String(contentsOfFile: course.root.appendingPathComponent(".cache/\(module)/src/Stats.swift").path, encoding: .utf8)
        XCTAssertTrue(stats.contains("the sum, not the mean"), "the student's mean is in the module")
        XCTAssertTrue(stats.contains("return xs.reduce(0, +) / Double(xs.count)"), "beside the reference mean")

        // The same submission graded again: the same statuses from the cached module.
        XCTAssertEqual(try grader.grade(sub).tests.map(\.status), r.tests.map(\.status))
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
