import XCTest
import Glibc
@testable import LabProcess

/// LabProcess against real children: /bin/sh, sleep, head, prlimit.
final class ChildProcessTests: XCTestCase {
    func testExitZeroCapturesBothStreams() throws {
        let r = try ChildProcess("/bin/sh", ["-c", "echo out; echo err >&2; exit 0"]).run()
        XCTAssertEqual(r.termination, .exited(0))
        XCTAssertTrue(r.succeeded)
        XCTAssertEqual(r.stdoutText, "out\n")
        XCTAssertEqual(r.stderrText, "err\n")
    }

    func testExitCodeAndEnvironmentAndDirectory() throws {
        var c = ChildProcess("sh", ["-c", "pwd; echo $FOO; exit 7"])
        c.environment = ["FOO": "bar", "PATH": "/usr/bin:/bin"]
        c.workingDirectory = "/tmp"
        let r = try c.run()
        XCTAssertEqual(r.termination, .exited(7))
        XCTAssertEqual(r.termination.shellCode, 7)
        XCTAssertEqual(r.stdoutText, "/tmp\nbar\n")
    }

    func testCrashSignalIsDecoded() throws {
        let r = try ChildProcess("/bin/sh", ["-c", "kill -ILL $$"]).run()
        XCTAssertEqual(r.termination, .signaled(SIGILL))
        XCTAssertEqual(r.termination.shellCode, 132)
        XCTAssertTrue(r.termination.description.contains("SIGILL"), r.termination.description)
        XCTAssertFalse(r.succeeded)
    }

    func testTimeoutKillsGrandchildren() throws {
        var c = ChildProcess("/bin/sh", ["-c", "sleep 30 & echo $!; wait"])
        c.timeout = 0.5
        let t0 = monotonicNow()
        let r = try c.run()
        let elapsed = monotonicNow() - t0
        XCTAssertTrue(r.timedOut)
        XCTAssertEqual(r.termination, .signaled(SIGKILL))
        XCTAssertLessThan(elapsed, 5, "the grandchild kept the pipe open")
        let grandchild = pid_t(r.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines))!
        var alive = true
        for _ in 0..<50 where alive {  // reaped by init shortly after the kill
            alive = isAlive(grandchild)
            if alive { usleep(20_000) }
        }
        XCTAssertFalse(alive, "grandchild \(grandchild) survived the timeout")
    }

    func testBackgroundGrandchildDoesNotHangAfterExit() throws {
        let t0 = monotonicNow()
        let r = try ChildProcess("/bin/sh", ["-c", "sleep 30 & echo started"]).run()
        XCTAssertEqual(r.termination, .exited(0))
        XCTAssertEqual(r.stdoutText, "started\n")
        XCTAssertLessThan(monotonicNow() - t0, 5)
    }

    func testOutputCapDrainsAndSaysTruncated() throws {
        var c = ChildProcess("/bin/sh", ["-c", "head -c 5000000 /dev/zero; echo done >&2"])
        c.outputLimit = 1000
        var seen = 0
        let r = try c.run(onOutput: { stream, chunk in if stream == .stdout { seen += chunk.count } })
        XCTAssertEqual(r.termination, .exited(0))
        XCTAssertEqual(r.stdout.count, 1000)
        XCTAssertTrue(r.stdoutTruncated)
        XCTAssertFalse(r.stderrTruncated)
        XCTAssertEqual(r.stderrText, "done\n")
        XCTAssertEqual(seen, 5_000_000, "the callback sees every byte")
    }

    func testWatchdogKillsWithReason() throws {
        var calls = 0
        let r = try ChildProcess("/bin/sleep", ["30"]).run(watchdog: {
            calls += 1
            return calls > 3 ? "enough" : nil
        })
        XCTAssertEqual(r.killReason, "enough")
        XCTAssertEqual(r.termination, .signaled(SIGKILL))
    }

    func testMemoryLimitMakesAllocationFail() throws {
        // 64 MB of address space is too little for sort(1)'s buffers; without the limit the same command succeeds.
        var c = ChildProcess("/bin/sh", ["-c", "head -c 200000000 /dev/zero | sort > /dev/null"])
        c.limits = ResourceLimits(memoryBytes: 64 << 20)
        let limited = try c.run()
        XCTAssertNotEqual(limited.termination, .exited(0), limited.stderrText)
        c.limits = .none
        let free = try c.run()
        XCTAssertEqual(free.termination, .exited(0), free.stderrText)
    }

    func testCPULimitSendsSIGXCPUOrKill() throws {
        var c = ChildProcess("/bin/sh", ["-c", "while :; do :; done"])
        c.limits = ResourceLimits(cpuSeconds: 1)
        c.timeout = 10
        let r = try c.run()
        XCTAssertFalse(r.timedOut)
        XCTAssertTrue([.signaled(SIGXCPU), .signaled(SIGKILL)].contains(r.termination), "\(r.termination)")
    }

    func testFileSizeLimit() throws {
        let path = NSTemporaryDirectory() + "labprocess-fsize-\(getpid())"
        defer { unlink(path) }
        var c = ChildProcess("/bin/sh", ["-c", "head -c 100000 /dev/zero > \(path)"])
        c.limits = ResourceLimits(fileSizeBytes: 4096)
        let r = try c.run()
        XCTAssertNotEqual(r.termination, .exited(0))
    }

    func testMissingExecutableThrows() {
        XCTAssertThrowsError(try ChildProcess("definitely-not-a-command-xyz").run()) { error in
            XCTAssertTrue("\(error)".contains("command not found"), "\(error)")
        }
    }

    private func isAlive(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        // A zombie still answers kill(0); treat it as dead.
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return !stat.contains(") Z ")
    }
}
