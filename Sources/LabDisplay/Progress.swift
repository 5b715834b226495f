// progress(...): a live progress line for long cells (training loops).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reports progress of a long loop: labrun shows it as one live line (step, loss, tokens/s, ETA) and keeps the
/// last value in the report; outside labrun it redraws a line on a terminal, or prints every 10% otherwise.
///
/// ```swift
/// for step in 0..<steps {
///     let loss = trainStep()
///     progress(step: step + 1, total: steps, loss: loss, tokensPerSecond: tps)
/// }
/// ```
/// Python equivalent: `tqdm(range(steps)).set_postfix(loss=loss)`.
public func progress(step: Int, total: Int, loss: Double? = nil, tokensPerSecond: Double? = nil) {
    ProgressState.shared.report(step: step, total: total, loss: loss, tokensPerSecond: tokensPerSecond)
}

public func progress<F: BinaryFloatingPoint>(step: Int, total: Int, loss: F, tokensPerSecond: Double? = nil) {
    ProgressState.shared.report(step: step, total: total, loss: Double(loss), tokensPerSecond: tokensPerSecond)
}

/// One progress report, as sent to labrun.
public struct ProgressReport: Equatable, Sendable {
    public var step: Int
    public var total: Int
    public var loss: Double?
    public var tokensPerSecond: Double?
    /// Estimated seconds left, from the time since the first report of this loop.
    public var eta: Double?

    /// `step 120/500  loss 2.3141  41.2k tok/s  ETA 0:42`
    public var line: String {
        var s = "step \(step)/\(total)"
        if let loss { s += "  loss \(fixed(loss, 4))" }
        if let t = tokensPerSecond { s += "  \(t >= 1000 ? fixed(t / 1000, 1) + "k" : fixed(t, 0)) tok/s" }
        if let eta { s += "  ETA \(formatDuration(eta))" }
        return s
    }

    /// The channel payload: `step total loss tps eta` with `-` for absent values.
    public var payload: String {
        func o(_ d: Double?) -> String { d.map { "\($0)" } ?? "-" }
        return "\(step) \(total) \(o(loss)) \(o(tokensPerSecond)) \(o(eta))"
    }

    public init(step: Int, total: Int, loss: Double?, tokensPerSecond: Double?, eta: Double?) {
        self.step = step
        self.total = total
        self.loss = loss
        self.tokensPerSecond = tokensPerSecond
        self.eta = eta
    }

    public init?(payload: String) {
        let f = payload.split(separator: " ").map(String.init)
        guard f.count == 5, let step = Int(f[0]), let total = Int(f[1]) else { return nil }
        self.init(step: step, total: total, loss: Double(f[2]), tokensPerSecond: Double(f[3]), eta: Double(f[4]))
    }
}

/// `m:ss` or `h:mm:ss`.
public func formatDuration(_ seconds: Double) -> String {
    let s = max(0, Int(seconds.rounded()))
    let two = { (v: Int) in v < 10 ? "0\(v)" : "\(v)" }
    return s >= 3600 ? "\(s / 3600):\(two(s / 60 % 60)):\(two(s % 60))" : "\(s / 60):\(two(s % 60))"
}

final class ProgressState: @unchecked Sendable {
    static let shared = ProgressState()
    var start = 0.0
    var startStep = 0
    var lastSent = 0.0
    var lastDecile = -1

    func report(step: Int, total: Int, loss: Double?, tokensPerSecond: Double?) {
        let now = monotonicSeconds()
        if step <= startStep || start == 0 || step < 2 { start = now; startStep = step; lastDecile = -1 }
        var eta: Double? = nil
        if step > startStep, total > step { eta = (now - start) / Double(step - startStep) * Double(total - step) }
        if total <= step { eta = 0 }
        let r = ProgressReport(step: step, total: total, loss: loss, tokensPerSecond: tokensPerSecond, eta: eta)
        let last = step >= total
        // At most ~10 records per second, plus the final one.
        guard last || now - lastSent >= 0.1 else { return }
        lastSent = now
        if let channel = LabChannel.shared {
            channel.write(kind: "progress", parts: [r.payload])
        } else if isatty(1) != 0 {
            print("\r\u{1B}[K" + r.line, terminator: last ? "\n" : "")
            fflush(stdout)
        } else {
            let decile = total > 0 ? step * 10 / total : 0
            if decile != lastDecile { lastDecile = decile; print(r.line) }
        }
    }
}
