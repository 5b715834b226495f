import Foundation
import LabProcess
import LabRunner

/// Per-grade scratch space. `private/` (0700) holds run configs; `sb-N/` are the tests' working directories,
/// owned by the unprivileged user when we drop privileges.
struct Sandbox: @unchecked Sendable {
    let root: URL
    let uid: uid_t?
    let gid: gid_t?

    init(dropPrivileges: Bool) throws {
        let base = URL(fileURLWithPath: ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp")
        root = base.appendingPathComponent("labrun-grade.\(getpid()).\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("private"), withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        chmod(root.path, 0o711)
        chmod(root.appendingPathComponent("private").path, 0o700)
        if dropPrivileges, let pw = getpwnam("nobody") {
            uid = pw.pointee.pw_uid
            gid = pw.pointee.pw_gid
        } else {
            uid = nil; gid = nil
        }
    }

    /// A fresh working directory for test `slot`.
    func workDir(_ slot: Int) throws -> URL {
        let d = root.appendingPathComponent("sb-\(slot)")
        try? FileManager.default.removeItem(at: d)
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if let uid, let gid { chown(d.path, uid, gid) }
        return d
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
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
    func run(_ t: DiscoveredTest, runner: URL, sandbox: Sandbox, slot: Int) throws -> TestResult {
        do {
            return try runOnce(t, runner: runner, sandbox: sandbox, slot: slot)
        } catch GradeError.harness {
            return try runOnce(t, runner: runner, sandbox: sandbox, slot: slot)
        }
    }

    private func runOnce(_ t: DiscoveredTest, runner: URL, sandbox: Sandbox, slot: Int) throws -> TestResult {
        let spec = lab.manifest.spec(t.id)!
        let timeout = spec.timeout ?? lab.manifest.testTimeout
        let secret = randomHex(32)
        // Budget: `timeout` seconds of CPU (fair on a loaded machine), 3× that + 5 s of wall time (for code that
        // blocks without computing: sleeps, deadlocks, waiting on children).
        let cpuSeconds = max(1, Int(timeout.rounded(.up)))
        let wallSeconds = timeout * 3 + 5
        var config: [String: Any] = ["secret": secret, "test": t.id, "cpuSeconds": cpuSeconds]
        if let uid = sandbox.uid, let gid = sandbox.gid { config["uid"] = uid; config["gid"] = gid }
        let configURL = sandbox.root.appendingPathComponent("private/run-\(slot)-\(randomHex(8)).json")
        _ = FileManager.default.createFile(atPath: configURL.path, contents: try JSONSerialization.data(withJSONObject: config),
                                       attributes: [.posixPermissions: 0o600])
        defer { try? FileManager.default.removeItem(at: configURL) }
        let work = try sandbox.workDir(slot)
        defer { try? FileManager.default.removeItem(at: work) }

        var child = ChildProcess(runner.path)
        child.stdinPath = configURL.path
        child.workingDirectory = work.path
        child.timeout = wallSeconds
        child.outputLimit = 256 << 10
        var env = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": work.path, "TMPDIR": work.path, "LANG": "C.UTF-8"]
        for k in ["LABRUN_DATA_DIR", "OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE"] { env[k] = ProcessInfo.processInfo.environment[k] }
        if env["OPENBLAS_CORETYPE"] == nil { env["OPENBLAS_CORETYPE"] = LabRunner.Toolchain.recommendedOpenBLASCoreType() }
        env["SWIFT_BACKTRACE"] = "enable=no"
        child.environment = env
        child.limits = ResourceLimits(memoryBytes: Int(lab.manifest.memoryBytes),
                                      processes: sandbox.uid != nil ? 256 : processBudget(),
                                      fileSizeBytes: options.fileSizeLimit)
        let cap = options.outputLimit
        final class Counter: @unchecked Sendable { var bytes = 0 }
        let seen = Counter()
        let r = try child.run(onOutput: { _, chunk in seen.bytes += chunk.count },
                              watchdog: { seen.bytes > cap ? "printed more than \(cap >> 10) KiB" : nil })

        // The channel: lines "<secret> <json>" on the child's original stdout. Anything else is ignored.
        var records: [ChannelRecord] = []
        for line in r.stdoutText.split(separator: "\n") where line.hasPrefix(secret + " ") {
            if let rec = try? JSONDecoder().decode(ChannelRecord.self, from: Data(line.dropFirst(secret.count + 1).utf8)) {
                records.append(rec)
            }
        }
        let expectedName = "\(t.className).\(t.name)"
        let mine = records.filter { $0.test == expectedName || $0.test == "-[\(t.className) \(t.name)]" }
        let finishes = mine.filter { $0.event == "finish" }
        let fails = mine.filter { $0.event == "fail" }
        let started = mine.contains { $0.event == "start" }
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
        case .exited(let code) where code >= 70 && code <= 72 && !started:
            throw GradeError.harness("the test runner for \(t.id) failed to start: \(stderr.suffix(500))")
        case .exited(let code):
            return make(.crashed, "The process exited with code \(code) before the test finished (does the code call exit()?)." + crashDetail(stderr) + (failureText.isEmpty ? "" : "\n" + failureText))
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
        .filter { !isXCTestChatter($0) && !$0.hasPrefix("Fatal error") && !$0.contains(": Fatal error:") && !$0.hasPrefix("Current stack trace")
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
