import Foundation
import XCTest
import Glibc
@testable import LabProcess

/// `labrun grade` against the containment attacks of Fixtures/make_submissions.sh (daemon, tmpfiles, peek, bomb,
/// sleeper, stack_overflow) on the fixture course. What is asserted is what an attack does to others and to the
/// machine (the honest classmate's score, processes left, files left, a killed grader's leftovers), not the
/// attacker's own score, which compile-time checks may settle earlier. Needs root, namespaces and cgroups.
final class GradeContainmentEndToEndTests: XCTestCase {
    var course = ""
    var env: [String: String] = [:]
    let tag = "e2e\(getpid())"
    /// The graders this test started (`labrun` processes, children of this one): their test processes live in the
    /// cgroups `labrun/<grader pid>.<n>`, which a test identity cannot leave.
    var graders: Set<pid_t> = []

    override func setUpWithError() throws {
        let s = ContainmentSupport.current
        let why = !s.root ? "not root" : !s.namespaces ? "no namespaces" : s.cgroups == nil ? "no cgroups" : nil
        if let why { print("GradeContainmentEndToEndTests skipped: \(why) (\(s.notEnforced.joined(separator: "; ")))") }
        try XCTSkipIf(why != nil, "containment needs root, namespaces and cgroups: \(why ?? "")")
        course = NSTemporaryDirectory() + "labrun-contain-e2e-\(UUID().uuidString.prefix(8))"
        try FileManager.default.copyItem(atPath: FixtureCourseTestCase.fixtures + "/course", toPath: course)
        chmod(course + "/Solutions", 0o700)
        chmod(course + "/Tests/Graded/1/hidden", 0o700)
        env = ["LABRUN_GRADE_CACHE": course + "/.cache"]
    }

    override func tearDownWithError() throws {
        guard !course.isEmpty else { return }
        XCTAssertEqual(testIdentityProcesses(of: graders), [], "processes of test identities survived their graders \(graders.sorted())")
        try? FileManager.default.removeItem(atPath: course)
    }

    func labrun(_ args: [String], timeout: Double = 600) throws -> Labrun.Output {
        try Labrun.run(args, root: course, env: env, timeout: timeout, watchdog: { [self] in
            graders.formUnion(childrenOf(getpid()))
            return nil
        })
    }

    func make(_ kinds: [String]) throws {
        var c = ChildProcess("/bin/bash", [FixtureCourseTestCase.fixtures + "/make_submissions.sh", course + "/subs"] + kinds)
        var e = environmentDictionary()
        e["PEEK_DIR"] = course + "/subs/correct"
        e["LEFT_TAG"] = tag
        c.environment = e
        XCTAssertEqual(try c.run().termination, .exited(0))
        // Everyone may read the classmates' folders on disk: only the mount namespace stands in the way.
        _ = try ChildProcess("/bin/chmod", ["-R", "a+rX", course + "/subs"]).run()
        chmod(course, 0o755)
    }

    func testHostileClassmatesChangeNothingForTheHonestOne() throws {
        try make(["correct", "daemon", "tmpfiles", "peek", "stack_overflow", "ctor"])
        let out = try labrun(["grade", "--submissions", course + "/subs", "--course", course, "--jobs", "2", "--out", course + "/graded"])
        XCTAssertEqual(out.code, 0, out.stderr)
        let csv = try labrun(["gradebook", "export", "--gradebook", course + "/graded/gradebook.sqlite", "--lab", "1"]).stdout
        let scores = Dictionary(uniqueKeysWithValues: csv.split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",", omittingEmptySubsequences: false) }.map { (String($0[0]), String($0[3])) })
        // The same score as graded alone (in the batch, the daemon's `kill -9 -1` ran next to it).
        let alone = try labrun(["grade", course + "/subs/correct", "--course", course])
        XCTAssertTrue(alone.stdout.contains("Score: 10/10"), alone.stdout)
        XCTAssertEqual(scores["correct"], "10", csv)
        // The classmate's folder was invisible, and load-time code did not run as root: neither `peek` nor `ctor`
        // returned its -999 (a failed assertion would show `-999.0`; the code itself may be quoted in a compile error:
        // whether they then score 10 or are rejected at compile time is the submission checks' business, not this layer's).
        for kind in ["peek", "ctor"] {
            let r = try String(contentsOfFile: course + "/graded/\(kind)/report.json", encoding: .utf8)
            XCTAssertFalse(r.contains("-999.0"), "\(kind): \(r)")
        }
        for d in ["/tmp", "/var/tmp", "/dev/shm"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: "\(d)/labrun-left-\(tag)"), "\(d)/labrun-left-\(tag) left behind")
        }
        let report = try String(contentsOfFile: course + "/graded/stack_overflow/report.json", encoding: .utf8)
        XCTAssertTrue(report.contains("Stack overflow: the calls nested too deeply"), report)
        XCTAssertFalse(report.contains("The memory limit is"), report)
    }

    func testTypeCheckerBombTakesTooLongToCompileAndNothingElse() throws {
        try make(["bomb"])
        let t0 = monotonicNow()
        let out = try labrun(["grade", course + "/subs/bomb", "--course", course, "--compile-timeout", "8"])
        XCTAssertEqual(out.code, 0, out.stderr)
        XCTAssertLessThan(monotonicNow() - t0, 120)
        // Exercise 1 (mean, variance) holds the bomb: its tests are compile errors; exercise 2 is graded on its own.
        XCTAssertTrue(out.stdout.contains("Score: 4/10"), out.stdout)
        XCTAssertTrue(out.stdout.contains("took too long to compile (more than 8 s; the compiler was stopped)"), out.stdout)
        XCTAssertEqual(processes(mentioning: "bomb/Exercises"), [])
        XCTAssertEqual(processes(mentioning: "swift-frontend").filter { isDescendantOfCourse($0) }, [])
    }

    func testKilledGraderLeavesNothingAliveAndTheNextRunCleansUp() throws {
        try make(["sleeper", "correct"])
        var c = ChildProcess(Labrun.binary, ["grade", course + "/subs/sleeper", "--course", course])
        var e = environmentDictionary()
        e["LABRUN_GRADE_CACHE"] = course + "/.cache"
        c.environment = e
        c.workingDirectory = course
        c.timeout = 600
        final class Box: @unchecked Sendable { var grader: pid_t = 0 }
        let box = Box()
        // Kill the grader (SIGKILL: no handler runs) once a test of the sleeper is running.
        let r = try c.run(watchdog: {
            if box.grader == 0, let g = childrenOf(getpid()).first { box.grader = g; self.graders.insert(g) }
            return !self.testIdentityProcesses(of: [box.grader]).isEmpty ? "a test is running" : nil
        })
        XCTAssertEqual(r.killReason, "a test is running")
        var left = testIdentityProcesses(of: [box.grader])
        for _ in 0..<100 where !left.isEmpty { usleep(20_000); left = testIdentityProcesses(of: [box.grader]) }
        XCTAssertEqual(left, [], "test processes outlived their grader")
        let stale = listCgroups().filter { $0.hasPrefix("\(box.grader).") }
        let sandboxes = ((try? FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())) ?? []).filter { $0.hasPrefix("labrun-grade.\(box.grader).") }
        XCTAssertFalse(stale.isEmpty && sandboxes.isEmpty, "the killed grader left nothing to clean (pid \(box.grader))")
        // The next run removes what the killed one left.
        let next = try labrun(["grade", course + "/subs/correct", "--course", course])
        XCTAssertTrue(next.stdout.contains("Score: 10/10"), next.stdout + next.stderr)
        XCTAssertEqual(listCgroups().filter { $0.hasPrefix("\(box.grader).") }, [])
        XCTAssertEqual(((try? FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())) ?? []).filter { $0.hasPrefix("labrun-grade.\(box.grader).") }, [])
    }

    // MARK: helpers

    /// Live processes whose uid is a test identity (61000-61999) and whose cgroup is one of `graders`' (v1: in any
    /// hierarchy, `N:pids:/labrun/<grader>.<n>`; v2: `0::/labrun/<grader>.<n>`): another grader's tests running on
    /// the machine at the same time are not counted.
    func testIdentityProcesses(of graders: Set<pid_t>) -> [pid_t] {
        let prefixes = graders.map { "/labrun/\($0)." }
        var out: [pid_t] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(name), let status = try? String(contentsOfFile: "/proc/\(name)/status", encoding: .utf8),
                  let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Uid:") }),
                  let uid = Int(line.split(whereSeparator: { $0 == "\t" || $0 == " " })[1]),
                  (61000..<62000).contains(uid),
                  let cgroups = try? String(contentsOfFile: "/proc/\(name)/cgroup", encoding: .utf8) else { continue }
            let paths = cgroups.split(separator: "\n").compactMap { $0.split(separator: ":", maxSplits: 2).last }
            if paths.contains(where: { p in prefixes.contains { p.hasPrefix($0) } }) { out.append(pid) }
        }
        return out
    }

    func isDescendantOfCourse(_ pid: pid_t) -> Bool {
        let cmd = (FileManager.default.contents(atPath: "/proc/\(pid)/cmdline").map { String(decoding: $0, as: UTF8.self) }) ?? ""
        return cmd.contains(course)
    }
}

func childrenOf(_ pid: pid_t) -> [pid_t] {
    let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
    return text.split(separator: " ").compactMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
}

func listCgroups() -> [String] {
    var out: [String] = []
    for c in ["pids/labrun", "labrun"] {
        out += ((try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup/" + c)) ?? []).filter { $0.first?.isNumber == true }
    }
    return out
}
