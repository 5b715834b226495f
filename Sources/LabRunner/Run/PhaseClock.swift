// Where a `labrun run` spends its time, phase by phase: printed to stderr when env `LABRUN_PHASES` is set
// (Benchmarks/RunnerBench uses it for the warm-run breakdown). Off, a mark costs one branch.

import Foundation
import LabProcess

/// Wall time and CPU time (user + system, of this process and the children it waited for) per named phase of one
/// run, in the order the phases ended. CPU time hardly grows when other jobs share the cores; wall time does.
///
/// ```swift
/// PhaseClock.shared.mark("parse")      // the time since the previous mark goes to "parse"
/// PhaseClock.shared.printIfEnabled()   // "phase parse 0.0021 s cpu 0.0018 s" lines on stderr
/// ```
public final class PhaseClock: @unchecked Sendable {
    /// The process's clock: enabled by env `LABRUN_PHASES` (any non-empty value).
    public static let shared = PhaseClock(enabled: !(ProcessInfo.processInfo.environment["LABRUN_PHASES"] ?? "").isEmpty)

    public let enabled: Bool
    let lock = NSLock()
    var last: Double
    var lastCPU: Double
    public private(set) var phases: [(name: String, seconds: Double, cpu: Double)] = []

    public init(enabled: Bool) {
        self.enabled = enabled
        self.last = monotonicNow()
        self.lastCPU = PhaseClock.cpuSeconds()
    }

    /// User + system seconds of this process and its reaped children.
    static func cpuSeconds() -> Double {
        var total = 0.0
        for who in [RUSAGE_SELF.rawValue, RUSAGE_CHILDREN.rawValue] {
            var u = rusage()
            getrusage(__rusage_who_t(who), &u)
            total += Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) * 1e-6
                + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) * 1e-6
        }
        return total
    }

    /// Starts timing from now (the first mark of `main`).
    public func start() {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        last = monotonicNow()
        lastCPU = PhaseClock.cpuSeconds()
    }

    /// Ends the current phase as `name` (a name seen before adds up).
    public func mark(_ name: String) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        let now = monotonicNow(), cpu = PhaseClock.cpuSeconds()
        if let i = phases.firstIndex(where: { $0.name == name }) {
            phases[i].seconds += now - last
            phases[i].cpu += cpu - lastCPU
        } else {
            phases.append((name, now - last, cpu - lastCPU))
        }
        last = now
        lastCPU = cpu
    }

    /// Prints `phase <name> <seconds> s cpu <seconds> s` per phase to stderr, if enabled.
    public func printIfEnabled() {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        var s = ""
        for p in phases { s += "phase \(p.name) \(String(format: "%.4f", p.seconds)) s cpu \(String(format: "%.4f", p.cpu)) s\n" }
        FileHandle.standardError.write(Data(s.utf8))
    }
}
