import Foundation
import LabProcess
import LabRunner

/// Per-grade scratch space: `sb-N/` are the tests' working directories, each owned by the test identity that
/// runs in it. What a test may see is decided here too: `hidden` folders (the course, the submissions, the build
/// cache, this scratch space) are covered in the test's mount namespace, `visible` ones (the test runner, the
/// compiled exercises, LabKit, the data directory) are shown again read-only.
struct Sandbox: @unchecked Sendable {
    static let prefix = "labrun-grade."
    let root: URL
    let dropPrivileges: Bool
    var hidden: [String] = []
    var visible: [String] = []

    init(dropPrivileges: Bool) throws {
        let base = URL(fileURLWithPath: ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp")
        root = base.appendingPathComponent("\(Self.prefix)\(getpid()).\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o711])
        chmod(root.path, 0o711)
        self.dropPrivileges = dropPrivileges && getuid() == 0
    }

    /// A fresh working directory for test `slot`, owned by `owner` when privileges are dropped.
    func workDir(_ slot: Int, owner: uid_t?) throws -> URL {
        let d = root.appendingPathComponent("sb-\(slot)")
        try? FileManager.default.removeItem(at: d)
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if let owner { chown(d.path, owner, owner) }
        return d
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    /// Scratch spaces of graders that are gone (killed before they could clean up). Returns the paths removed.
    @discardableResult
    static func removeStale() -> [String] {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        var removed: [String] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [] where name.hasPrefix(prefix) {
            guard let owner = pid_t(name.dropFirst(prefix.count).split(separator: ".").first ?? ""), owner != getpid(),
                  kill(owner, 0) != 0, errno == ESRCH else { continue }
            if (try? FileManager.default.removeItem(atPath: base + "/" + name)) != nil { removed.append(base + "/" + name) }
        }
        return removed
    }
}

/// Identities for tests run as root: uid = gid = 61000 + slot, a slot per test running at this moment on this
/// machine (across graders: a slot is an flock on `/run/labrun-ids/N`, released when the test ends or its grader
/// dies). No passwd entry is needed. Distinct identities mean one test cannot signal or trace another.
enum TestIdentity {
    static let base: uid_t = 61000
    static let slots = 1000

    struct Lease { let uid: uid_t; let fd: Int32 }

    static var lockDir: String {
        access("/run", W_OK) == 0 ? "/run/labrun-ids" : (ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp") + "/labrun-ids-\(getuid())"
    }

    static func acquire() throws -> Lease {
        let dir = lockDir
        mkdir(dir, 0o700)
        for slot in 0..<slots {
            let fd = open("\(dir)/\(slot)", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { continue }
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { return Lease(uid: base + uid_t(slot), fd: fd) }
            close(fd)
        }
        throw GradeError.harness("no free test identity (uids \(base)-\(base + uid_t(slots) - 1) all in use)")
    }

    static func release(_ l: Lease) { close(l.fd) }
}

/// One record from the harness channel.
struct ChannelRecord: Decodable {
    var event: String
    var test: String?
    var message: String?
    var file: String?
    var line: Int?
    var succeeded: Bool?
    var skipped: Bool?
    var failures: Int?
    var seconds: Double?
}

extension Grader {
    /// Runs one test in its own process and decides its status from positive evidence. A runner that could not
    /// start (it never read its run config: seen once under heavy load) is tried once more before the grade fails.
    /// `exercise`: in a fused exercises module, the number of the exercise whose regions run the student's code.
    func run(_ t: DiscoveredTest, runner: URL, sandbox: Sandbox, slot: Int, exercise: Int = -1) throws -> TestResult {
        do {
            return try runOnce(t, runner: runner, sandbox: sandbox, slot: slot, exercise: exercise)
        } catch GradeError.harness {
            return try runOnce(t, runner: runner, sandbox: sandbox, slot: slot, exercise: exercise)
        }
    }

    private func runOnce(_ t: DiscoveredTest, runner: URL, sandbox: Sandbox, slot: Int, exercise: Int) throws -> TestResult {
        let spec = lab.manifest.spec(t.id)!
        let timeout = spec.timeout ?? lab.manifest.testTimeout
        // Budget: `timeout` seconds of CPU (fair on a loaded machine), 3× that + 5 s of wall time (for code that
        // blocks without computing: sleeps, deadlocks, waiting on children).
        let cpuSeconds = max(1, Int(timeout.rounded(.up)))
        let wallSeconds = timeout * 3 + 5
        let identity = sandbox.dropPrivileges ? try TestIdentity.acquire() : nil
        defer { identity.map(TestIdentity.release) }
        let work = try sandbox.workDir(slot, owner: identity?.uid)
        defer { try? FileManager.default.removeItem(at: work) }

        var child = ChildProcess(runner.path)
        // The run config goes through a pipe; it holds nothing the test could use to forge a result.
        child.stdinData = Array(try JSONSerialization.data(withJSONObject: ["test": t.id, "cpuSeconds": cpuSeconds, "exercise": exercise] as [String: Any]))
        child.channel = true
        child.workingDirectory = work.path
        child.timeout = wallSeconds
        child.outputLimit = 256 << 10
        var env = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": work.path, "TMPDIR": work.path, "LANG": "C.UTF-8"]
        for k in ["LABRUN_DATA_DIR", "OPENBLAS_CORETYPE"] { env[k] = ProcessInfo.processInfo.environment[k] }
        env["OPENBLAS_NUM_THREADS"] = "1"   // no BLAS thread pool: the harness checks it is alone at the end
        if env["OPENBLAS_CORETYPE"] == nil { env["OPENBLAS_CORETYPE"] = LabRunner.Toolchain.recommendedOpenBLASCoreType() }
        env["SWIFT_BACKTRACE"] = "enable=no"
        child.environment = env
        child.limits = ResourceLimits(memoryBytes: Int(lab.manifest.memoryBytes),
                                      processes: identity != nil ? 256 : processBudget(),
                                      fileSizeBytes: options.fileSizeLimit)
        var box = Containment()
        box.uid = identity?.uid
        box.gid = identity?.uid
        box.hidden = sandbox.hidden + [sandbox.root.path]
        box.visible = sandbox.visible
        box.writable = [work.path]
        box.memoryBytes = Int(lab.manifest.memoryBytes)
        box.maxProcesses = 256
        child.containment = box

        let cap = options.outputLimit
        final class Counter: @unchecked Sendable { var bytes = 0; var tokenRequests = 0 }
        let seen = Counter()
        let token = randomHex(32)
        let r = try child.run(onOutput: { _, chunk in seen.bytes += chunk.count },
                              onChannelLine: { line in
                                  guard line == "token?" else { return nil }
                                  seen.tokenRequests += 1
                                  return seen.tokenRequests == 1 ? "token \(token)\n" : "refused\n"
                              },
                              watchdog: { seen.bytes > cap ? "printed more than \(cap >> 10) KiB" : nil })

        // Records count only when signed with the one-time token, asked for exactly once (by the harness, after
        // the test, alone). Unsigned `u` records only explain a test that crashed.
        func decode(_ line: Substring) -> ChannelRecord? { try? JSONDecoder().decode(ChannelRecord.self, from: Data(line.utf8)) }
        let signed = seen.tokenRequests == 1 ? r.channelLines.filter { $0.hasPrefix(token + " ") }.compactMap { decode($0.dropFirst(token.count + 1)) } : []
        let info = r.channelLines.filter { $0.hasPrefix("u ") }.compactMap { decode($0.dropFirst(2)) }
        let records = signed.isEmpty ? [] : signed
        let expectedName = "\(t.className).\(t.name)"
        func ofThisTest(_ rs: [ChannelRecord]) -> [ChannelRecord] { rs.filter { $0.test == expectedName || $0.test == "-[\(t.className) \(t.name)]" } }
        let mine = ofThisTest(records)
        let finishes = mine.filter { $0.event == "finish" }
        let fails = (mine.isEmpty ? ofThisTest(info) : mine).filter { $0.event == "fail" }
        let started = ofThisTest(info).contains { $0.event == "start" } || mine.contains { $0.event == "start" }
        let output = studentOutput(r.stderrText, truncated: r.stderrTruncated || r.killReason != nil)
        let seconds = finishes.first?.seconds ?? r.duration
        let hidden = lab.sources[t.file].hidden

        func make(_ s: TestStatus, _ message: String) -> TestResult {
            result(t, s, message: message, output: output, seconds: s == .passed ? seconds : r.duration)
        }
        let failureText = fails.map { f -> String in
            let file = (f.file ?? "").replacingOccurrences(of: #"^t\d+_"#, with: "", options: .regularExpression)
            let loc = hidden || file.isEmpty ? "" : "\(file):\(f.line ?? 0): "
            return loc + explainAssertion(f.message ?? "failed")
        }.joined(separator: "\n")

        if r.timedOut {
            return make(.timedOut, "Did not finish within \(formatPoints(wallSeconds)) s of wall time; the test and everything it started were killed. Look for code that waits forever (a deadlock, a sleep, a child process).")
        }
        if r.termination == .signaled(SIGXCPU) {
            return make(.timedOut, "Used more than \(cpuSeconds) s of CPU time and was stopped. Look for an infinite loop or a much slower algorithm than needed.")
        }
        if let reason = r.killReason {
            return make(.crashed, "Killed: \(reason) (output limit). Remove debugging prints from loops.")
        }
        if seen.tokenRequests > 1 {
            return make(.failed, "Something in the test process asked for the grader's one-time pass token (only the harness does, once, after the test): the result cannot be trusted and counts as failed.")
        }
        if r.memoryLimitHit {
            return make(.crashed, "Ran out of memory: the test and the processes it started used more than \(lab.manifest.memoryBytes >> 20) MiB together, and the kernel stopped it. Look for a much larger tensor or array than needed, or data kept in a loop.")
        }
        if finishes.count == 1, started, let f = finishes.first {
            if f.succeeded == true, f.failures == 0, f.skipped != true, fails.isEmpty, r.termination == .exited(0) {
                return make(.passed, "")
            }
            if f.skipped == true { return make(.failed, "The test skipped itself (XCTSkip); graded tests must run.") }
            if f.succeeded == false || !fails.isEmpty { return make(.failed, failureText.isEmpty ? "failed" : failureText) }
            return make(.crashed, "The test finished, but then the process ended with \(r.termination) instead of exiting cleanly.")
        }
        // No finish record: the process died (or exited) inside the test.
        let stderr = r.stderrText
        if let name = notImplementedName(stderr) {
            return make(.notImplemented, "not implemented: \(name) — replace its todo(\"\(name)\") with your code.")
        }
        switch r.termination {
        case .exited(73), .exited(74):
            return make(.failed, "The test finished, but the harness could not seal its result: " + (stderr.components(separatedBy: "labrun harness: ").last.map { String($0.prefix(300)) } ?? "") + " Code under test must not leave threads, processes or signal handlers behind.")
        case .exited(let code) where code >= 70 && code <= 72 && !started:
            throw GradeError.harness("the test runner for \(t.id) failed to start: \(stderr.suffix(500))")
        case .exited(let code):
            return make(.crashed, "The process exited with code \(code) before the test finished (does the code call exit()?)." + crashDetail(stderr) + (failureText.isEmpty ? "" : "\n" + failureText))
        case .signaled(let s) where (s == SIGSEGV || s == SIGBUS) && stderr.contains(HarnessSource.stackOverflowMarker):
            return make(.crashed, "Stack overflow: the calls nested too deeply (\(r.termination)). Look for a recursion that never reaches its base case."
                + (failureText.isEmpty ? "" : "\n" + failureText))
        case .signaled:
            var m = "Crashed with \(r.termination)." + crashDetail(stderr)
            if case .signaled(let s) = r.termination, s == SIGKILL || s == SIGSEGV || stderr.contains("allocat") {
                m += "\n(The memory limit is \(lab.manifest.memoryBytes >> 20) MiB.)"
            }
            return make(.crashed, m + (failureText.isEmpty ? "" : "\n" + failureText))
        }
    }

    /// The crash's own words: `Fatal error: ...` lines, else the last lines of stderr.
    func crashDetail(_ stderr: String) -> String {
        let lines = stderr.split(separator: "\n").map(String.init).filter { !isXCTestChatter($0) && !$0.hasPrefix("Current stack trace") && !$0.hasPrefix("💣")
            && $0.range(of: #"^\s*\d+\s+\S+\s+0x[0-9a-f]+ "#, options: .regularExpression) == nil }
        let fatal = lines.filter { $0.contains("Fatal error") || $0.contains("error:") }
        let pick = fatal.isEmpty ? Array(lines.suffix(3)) : Array(fatal.prefix(3))
        guard !pick.isEmpty else { return "" }
        return "\n" + pick.map { String(stripPaths($0).prefix(500)) }.joined(separator: "\n")
    }

    /// How many more processes/threads the (shared, non-root) user may start: current count + 512.
    func processBudget() -> Int {
        let uid = getuid()
        var count = 0
        for pid in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where pid.first?.isNumber == true {
            var st = stat()
            if stat("/proc/\(pid)", &st) == 0, st.st_uid == uid {
                count += ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task"))?.count) ?? 1
            }
        }
        return count + 512
    }
}

/// What the student's code printed: XCTest's own progress lines removed, capped at 2000 characters.
func studentOutput(_ stderr: String, truncated: Bool) -> String {
    let lines = stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        .filter { !isXCTestChatter($0) && !$0.hasPrefix(HarnessSource.stackOverflowMarker) && !$0.hasPrefix("Fatal error") && !$0.contains(": Fatal error:") && !$0.hasPrefix("Current stack trace")
                  && $0.range(of: #"^\s*\d+\s+\S+\s+0x[0-9a-f]+ "#, options: .regularExpression) == nil }
    var text = stripPaths(lines.joined(separator: "\n")).trimmingCharacters(in: .whitespacesAndNewlines)
    if text.count > 2000 || truncated { text = String(text.prefix(2000)) + "\n… (output truncated)" }
    return text
}

func isXCTestChatter(_ line: String) -> Bool {
    line.hasPrefix("Test Suite '") || line.hasPrefix("Test Case '") || line.hasPrefix("\t Executed ")
        || line.range(of: #"^\S+\.swift:\d+: error: \S+ : "#, options: .regularExpression) != nil
}

/// `/tmp/x/y/src/Foo.swift:3` → `Foo.swift:3`.
func stripPaths(_ s: String) -> String {
    s.replacingOccurrences(of: #"(/[^\s:/]+)+/([^\s:/]+\.swift)"#, with: "$2", options: .regularExpression)
}

/// XCTest's `XCTAssertEqual failed: ("3") is not equal to ("4") - msg` with a got/expected block.
/// Convention for graded tests: `XCTAssertEqual(studentValue, expectedValue)`.
func explainAssertion(_ message: String) -> String {
    let re = try! NSRegularExpression(pattern: #"^(XCTAssert\w+) failed: \("(.*?)"\) is not equal to \("(.*?)"\)(?: \+/- \("(.*?)"\))?(?: - (.*))?$"#,
                                      options: [.dotMatchesLineSeparators])
    let ns = message as NSString
    guard let m = re.firstMatch(in: message, range: NSRange(location: 0, length: ns.length)) else { return message }
    func g(_ i: Int) -> String? { m.range(at: i).location == NSNotFound ? nil : ns.substring(with: m.range(at: i)) }
    var out = g(5).flatMap { $0.isEmpty ? nil : $0 } ?? "\(g(1)!) failed"
    out += "\n    got:      \(g(2)!)\n    expected: \(g(3)!)"
    if let acc = g(4) { out += " (± \(acc))" }
    return out
}

func randomHex(_ bytes: Int) -> String {
    var g = SystemRandomNumberGenerator()
    return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &g)) }.joined()
}
