import Foundation
import LabProcess

/// Wall-clock seconds of each phase of a grade (syntax check, splicing, each compile, each test process, report
/// writing), appended as JSON lines to a file for `Benchmarks/GradeBench` to read. Off unless a path is set
/// (`labrun grade --timings FILE` or `LABRUN_GRADE_TIMINGS=FILE`); recording costs a lock and a line per phase.
///
/// ```swift
/// let t = GradeTimings(path: "/tmp/t.jsonl")
/// let x = t.measure("compile-exercises", detail: "1a") { 40 + 2 }   // one line: {"phase":"compile-exercises",...}
/// ```
/// Each line: `{"submission", "phase", "detail", "start", "seconds", "cached"}`; `start` is seconds since the
/// recorder was made. (PyTorch has no equivalent; `torch.profiler` records ops, not a grader's phases.)
public final class GradeTimings: @unchecked Sendable {
    public struct Entry: Codable, Sendable {
        public var submission: String
        public var phase: String
        public var detail: String
        public var start: Double
        public var seconds: Double
        public var cached: Bool?
    }

    let path: String
    let origin = monotonicNow()
    let lock = NSLock()

    public init(path: String) { self.path = path }

    /// The recorder of this process: `LABRUN_GRADE_TIMINGS` if set (the CLI's `--timings` sets it too), else none.
    nonisolated(unsafe) public static var shared: GradeTimings? = ProcessInfo.processInfo.environment["LABRUN_GRADE_TIMINGS"]
        .flatMap { $0.isEmpty ? nil : GradeTimings(path: $0) }

    /// The submission the current thread grades (a batch grades several at once, one per worker thread).
    public static var currentSubmission: String {
        get { Thread.current.threadDictionary["labrun.grade.submission"] as? String ?? "" }
        set { Thread.current.threadDictionary["labrun.grade.submission"] = newValue }
    }

    /// Runs `body` and records how long it took.
    @discardableResult
    public func measure<T>(_ phase: String, detail: String = "", submission: String? = nil, _ body: () throws -> T) rethrows -> T {
        let t0 = monotonicNow()
        defer { record(phase, detail: detail, submission: submission, start: t0, seconds: monotonicNow() - t0) }
        return try body()
    }

    /// `measure` on the shared recorder, or just `body` when there is none.
    @discardableResult
    public static func measure<T>(_ phase: String, detail: String = "", submission: String? = nil, _ body: () throws -> T) rethrows -> T {
        guard let t = shared else { return try body() }
        return try t.measure(phase, detail: detail, submission: submission, body)
    }

    /// Seconds on a monotonic clock (for `record`'s `start`).
    public static func now() -> Double { monotonicNow() }

    public func record(_ phase: String, detail: String = "", submission: String? = nil, start: Double, seconds: Double, cached: Bool? = nil) {
        let e = Entry(submission: submission ?? Self.currentSubmission, phase: phase, detail: detail,
                      start: start - origin, seconds: seconds, cached: cached)
        guard var line = try? JSONEncoder().encode(e) else { return }
        line.append(10)
        lock.lock(); defer { lock.unlock() }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        close(fd)
    }
}

/// Times `body` into the shared recorder when there is one.
@discardableResult
func timed<T>(_ phase: String, _ detail: String = "", _ body: () throws -> T) rethrows -> T {
    guard let t = GradeTimings.shared else { return try body() }
    return try t.measure(phase, detail: detail, body)
}
