import Foundation
import XCTest
import Glibc
@testable import LabProcess

/// The containment layer against hostile children (Fixtures/hostile/hostile.c, built with cc): each attack runs
/// through `ChildProcess.containment` exactly as a graded test does, and each test asserts that no process of the
/// test identity is left alive and no file appeared outside the sandbox. Needs root, namespaces and cgroups:
/// elsewhere the tests skip and say why.
final class ContainmentTests: XCTestCase {
    static var hostile = ""
    var scratch = ""
    var sandbox = ""
    let uid: uid_t = 61900

    override class func setUp() {
        let dir = NSTemporaryDirectory() + "labrun-hostile-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let src = ((#filePath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("Fixtures/hostile/hostile.c")
        let r = try? ChildProcess("/usr/bin/cc", ["-O", "-o", dir + "/hostile", src]).run()
        if r?.succeeded == true {
            chmod(dir, 0o755)
            hostile = dir + "/hostile"
        }
    }

    override func setUpWithError() throws {
        let s = ContainmentSupport.current
        let why = !s.root ? "not root" : !s.namespaces ? "no namespaces" : s.cgroups == nil ? "no cgroups" : nil
        if let why { print("ContainmentTests skipped: \(why) (\(s.notEnforced.joined(separator: "; ")))") }
        try XCTSkipIf(why != nil, "containment needs root, namespaces and cgroups: \(why ?? "")")
        try XCTSkipIf(Self.hostile.isEmpty, "cc could not build Fixtures/hostile/hostile.c")
        scratch = NSTemporaryDirectory() + "labrun-contain-\(UUID().uuidString.prefix(8))"
        sandbox = scratch + "/sb"
        try FileManager.default.createDirectory(atPath: sandbox, withIntermediateDirectories: true)
        chmod(scratch, 0o711)
        chown(sandbox, uid, uid)
        chmod(sandbox, 0o700)
        XCTAssertEqual(processes(of: uid), [], "leftovers of an earlier run")
    }

    override func tearDownWithError() throws {
        guard !scratch.isEmpty else { return }
        XCTAssertEqual(processes(of: uid), [], "processes of the test identity survived")
        XCTAssertEqual(processes(of: uid + 1), [])
        try? FileManager.default.removeItem(atPath: scratch)
    }

    func child(_ args: [String], uid: uid_t? = nil, sandbox: String? = nil, _ edit: (inout Containment) -> Void = { _ in }) -> ChildProcess {
        var c = ChildProcess(Self.hostile, args)
        var box = Containment()
        box.uid = uid ?? self.uid
        box.gid = uid ?? self.uid
        box.writable = [sandbox ?? self.sandbox]
        box.visible = [(Self.hostile as NSString).deletingLastPathComponent]
        box.memoryBytes = 512 << 20
        box.maxProcesses = 64
        edit(&box)
        c.containment = box
        c.workingDirectory = sandbox ?? self.sandbox
        c.environment = ["PATH": "/usr/bin:/bin"]
        c.timeout = 20
        return c
    }

    func testIdentityNamespacesAndNoNetwork() throws {
        let r = try child(["whoami"]).run()
        XCTAssertEqual(r.termination, .exited(0), r.stderrText)
        // pid 2: the target under the namespace's init; only the loopback interface (down) exists.
        XCTAssertEqual(r.stdoutText, "uid 61900 gid 61900 groups 0 pid 2 interfaces 1\n")
    }

    func testSetsidDaemonDiesWithItsTest() throws {
        let marker = sandbox + "/daemon.log"
        let r = try child(["daemon", marker]).run()
        XCTAssertEqual(r.stdoutText, "daemon started\n")
        let size = fileSize(marker)
        usleep(400_000)
        XCTAssertEqual(fileSize(marker), size, "the daemon kept writing after its test ended")
        XCTAssertLessThan(size, 20)
    }

    func testForkBombStopsAtThePidCapAndIsKilledAsATree() throws {
        var c = child(["forkbomb"]) { $0.maxProcesses = 40 }
        c.timeout = 2
        let r = try c.run()
        XCTAssertTrue(r.timedOut)
        // 40 tasks in the group: the init, the bomb and 38 children.
        XCTAssertEqual(r.stdoutText, "forked 38 then Resource temporarily unavailable\n")
    }

    func testTreeMemoryLimitCoversAllChildren() throws {
        // Three children of 1 GiB each against 2 GiB for the whole tree: two may fit (the kernel reclaims the
        // binaries' page cache to make room), three never do at once: the OOM killer ends at least one child and
        // the tree's peak stays within the limit.
        var c = child(["memory", "3", "1024"]) { $0.memoryBytes = 2 << 30 }
        c.timeout = 30
        let r = try c.run()
        let killed = r.stdoutText.split(separator: "\n").last.flatMap { Int($0.split(separator: " ")[0]) } ?? 0
        // The OOM killer may pick the reporting parent itself (then nothing is printed): the cgroup's report below
        // still has to say the limit was hit.
        if !r.stdoutText.isEmpty { XCTAssertGreaterThanOrEqual(killed, 1, "no child was killed: \(r.stdoutText)") }
        XCTAssertTrue(r.memoryLimitHit, "the cgroup's OOM killer did not report: \(r.stdoutText) \(r.termination) peak \(r.peakMemoryBytes ?? -1)")
        XCTAssertLessThanOrEqual(r.peakMemoryBytes ?? .max, 2 << 30)
    }

    func testKillMinusOneDoesNotReachASiblingTest() throws {
        let other = scratch + "/sb2"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        chown(other, uid + 1, uid + 1)
        final class Box: @unchecked Sendable { var r: ChildResult? }
        let sibling = Box()
        let c = child(["sleeper", "2"], uid: uid + 1, sandbox: other)
        let t = Thread { sibling.r = try? c.run() }
        t.start()
        usleep(300_000)
        let attack = try child(["killall"]).run()
        // Inside its PID namespace nothing else is visible: kill(-1) finds no process (ESRCH).
        XCTAssertEqual(attack.stdoutText, "kill(-1) = -1\n")
        while sibling.r == nil { usleep(50_000) }
        XCTAssertEqual(sibling.r?.termination, .exited(0))
        XCTAssertEqual(sibling.r?.stdoutText, "alive\n")
    }

    func testFilesInTmpAndShmVanishWithTheTest() throws {
        let tag = "labrun-attack-\(UUID().uuidString.prefix(8))"
        let r = try child(["tmpfiles", tag]).run()
        XCTAssertEqual(r.stdoutText, "wrote /tmp/\(tag)\nwrote /var/tmp/\(tag)\nwrote /dev/shm/\(tag)\n")
        for d in ["/tmp", "/var/tmp", "/dev/shm"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: "\(d)/\(tag)"), "\(d)/\(tag) left behind")
        }
    }

    func testHiddenFoldersAreInvisibleEvenWhenWorldReadable() throws {
        // A classmate's submission and the course folder, readable by everyone on purpose.
        let classmate = scratch + "/submissions/bob", course = "/var/tmp/labrun-course-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: classmate, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: course + "/Solutions", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: course) }
        try "answer".write(toFile: classmate + "/Stats.swift", atomically: true, encoding: .utf8)
        try "answer".write(toFile: course + "/Solutions/Stats.swift", atomically: true, encoding: .utf8)
        for p in [scratch + "/submissions", classmate, course, course + "/Solutions"] { chmod(p, 0o755) }
        let box: (inout Containment) -> Void = { $0.hidden = [self.scratch + "/submissions", course]; $0.privateDirectories = ["/dev/shm"] }
        let peek = try child(["read", classmate + "/Stats.swift"], box).run()
        XCTAssertEqual(peek.stdoutText, "cannot read: No such file or directory\n")
        let sol = try child(["read", course + "/Solutions/Stats.swift"], box).run()
        XCTAssertEqual(sol.stdoutText, "cannot read: No such file or directory\n")
        // Without the hiding the same identity can read both (the attack is real).
        let open = try child(["read", course + "/Solutions/Stats.swift"]) { $0.privateDirectories = [] }.run()
        XCTAssertEqual(open.stdoutText, "read it\n")
    }

    func testCompileBombIsKilledAsATreeAtItsBudget() throws {
        let swiftc = try resolveExecutable(ProcessInfo.processInfo.environment["SWIFTC"] ?? "swiftc")
        let bomb = scratch + "/bomb-\(UUID().uuidString.prefix(6)).swift"
        try compileBomb.write(toFile: bomb, atomically: true, encoding: .utf8)
        chmod(scratch, 0o755); chmod(bomb, 0o644)
        var c = ChildProcess(swiftc, ["-typecheck", bomb])
        var box = Containment()
        box.memoryBytes = 4 << 30
        box.maxProcesses = 256
        box.privateDirectories = ["/tmp/labrun-none"]
        c.containment = box
        c.timeout = 4
        let t0 = monotonicNow()
        let r = try c.run()
        XCTAssertTrue(r.timedOut, "the bomb ended (\(r.termination)) in \(r.duration) s: \(r.stderrText.prefix(300))")
        XCTAssertLessThan(monotonicNow() - t0, 8)
        XCTAssertEqual(processes(mentioning: (bomb as NSString).lastPathComponent), [], "swift-frontend outlived its budget")
    }

    // MARK: helpers

    func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }
}

/// Type-checks for minutes: a 20 000-element array literal mixing Int and Double literals and negations (measured:
/// `swiftc -typecheck` still running after 60 s on this machine, Swift 6.3.1).
let compileBomb = "let x = [" + (0..<20_000).map { i in (i % 2 == 1 ? "\(i)" : "\(i).5") + (i % 3 == 0 ? " * -1" : "") }.joined(separator: ", ") + "]\n"

/// Live pids whose real uid is `uid`.
func processes(of uid: uid_t) -> [pid_t] {
    var out: [pid_t] = []
    for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
        guard let pid = pid_t(name), let status = try? String(contentsOfFile: "/proc/\(name)/status", encoding: .utf8) else { continue }
        if let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Uid:") }),
           line.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first == "\(uid)"[...] { out.append(pid) }
    }
    return out
}

/// Live pids whose command line contains `text`.
func processes(mentioning text: String) -> [pid_t] {
    var out: [pid_t] = []
    for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
        guard let pid = pid_t(name), pid != getpid(), let d = FileManager.default.contents(atPath: "/proc/\(name)/cmdline") else { continue }
        if String(decoding: d.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).contains(text) { out.append(pid) }
    }
    return out
}
