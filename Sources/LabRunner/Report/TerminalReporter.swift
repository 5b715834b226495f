// Prints a lab cell by cell while it runs: code, live output, displays (text form), a live progress line,
// and each cell's verdict. Colour only on a terminal (and not with NO_COLOR).

import Foundation
import LabDisplay

/// The terminal view of a run.
public final class TerminalReporter: LabRunObserver {
    let color: Bool
    let tty: Bool
    /// Print cell code and verdicts of passing cells (off for `labrun demo`, which shows output only).
    public var showCode = true
    var announced: Set<Int> = []
    var finished: Set<Int> = []
    var progressShown = false
    var atLineStart = true
    let out = FileHandle.standardOutput

    public init() {
        tty = isatty(1) != 0
        color = tty && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }

    func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
    func dim(_ s: String) -> String { paint(s, "2") }
    func write(_ s: String) {
        guard !s.isEmpty else { return }
        out.write(Data(s.utf8))
        atLineStart = s.hasSuffix("\n")
    }

    func clearProgress() {
        if progressShown { write("\r\u{1B}[K"); progressShown = false; atLineStart = true }
    }

    public func header(_ lab: Lab, path: String, solutions: Bool) {
        write(paint("Lab \(lab.frontMatter.slide) · \(lab.frontMatter.title)", "1") + dim("  \(path)\(solutions ? "  [solutions]" : "")") + "\n")
    }

    public func compiling(_ lab: Lab, cached: Bool) {}

    public func cellStarted(_ cell: Cell) {
        guard !announced.contains(cell.index) else { return }
        announced.insert(cell.index)
        clearProgress()
        if !atLineStart { write("\n") }
        guard !cell.options.hidden else { return }
        if showCode {
            let title = "── [\(cell.index + 1)] line \(cell.firstLine)\(cell.options.id.map { " · \($0)" } ?? "") "
            write(paint(title + String(repeating: "─", count: max(4, 60 - title.count)), "36") + "\n")
            for line in cell.shownCode.split(separator: "\n", omittingEmptySubsequences: false) {
                write(dim("│ ") + highlightTerminal(String(line)) + "\n")
            }
        }
    }

    func highlightTerminal(_ line: String) -> String {
        guard color else { return line }
        return SwiftHighlighter.tokens(line).map { tok in
            switch tok.kind {
            case .keyword: return paint(tok.text, "35")
            case .string: return paint(tok.text, "32")
            case .comment: return paint(tok.text, "2")
            case .number: return paint(tok.text, "33")
            case .plain: return tok.text
            }
        }.joined()
    }

    public func output(_ cell: Cell, stream: OutputKind, text: String) {
        cellStarted(cell)
        if cell.options.hidden { return }
        clearProgress()
        // The runtime's crash report (stack trace, backtrace) ends the cell's stderr here: the verdict line
        // below names the crash and its line.
        if inTrace[cell.index] == true && stream == .stderr { return }
        let shown = printed[cell.index, default: 0]
        guard shown < terminalCap else { return }
        printed[cell.index] = shown + text.utf8.count
        var t = text
        if shown + text.utf8.count > terminalCap {
            t = String(decoding: text.utf8.prefix(terminalCap - shown), as: UTF8.self) + "\n[… more output not shown here; the report keeps up to 1 MB per cell]\n"
        }
        if stream == .stderr {
            for marker in ["Current stack trace:", "\n*** Signal ", "*** Signal ", "*** Program crashed"] {
                if let r = t.range(of: marker) {
                    t = String(t[..<r.lowerBound])
                    inTrace[cell.index] = true
                }
            }
        }
        write(stream == .stderr ? paint(t, "31") : t)
    }

    /// Bytes of output printed per cell, and the limit.
    var printed: [Int: Int] = [:]
    let terminalCap = 64 << 10
    var inTrace: [Int: Bool] = [:]

    public func display(_ cell: Cell, output: DisplayOutput) {
        cellStarted(cell)
        if cell.options.hidden { return }
        clearProgress()
        if !atLineStart { write("\n") }
        write(paint(output.text, "34") + "\n")
    }

    /// Without a terminal (a log file, CI) a progress line is printed at most this often, so a long training loop
    /// still shows it is alive: 30 s, or `LABRUN_PROGRESS_SECONDS`.
    let plainProgressInterval = Double(ProcessInfo.processInfo.environment["LABRUN_PROGRESS_SECONDS"] ?? "") ?? 30
    var lastPlainProgress: Date?

    public func progress(_ cell: Cell, line: String) {
        guard !cell.options.hidden else { return }
        guard tty else {
            let now = Date()
            guard let last = lastPlainProgress else { lastPlainProgress = now; return }
            if now.timeIntervalSince(last) >= plainProgressInterval {
                lastPlainProgress = now
                if !atLineStart { write("\n") }
                write("⏳ " + line + "\n")
            }
            return
        }
        if !atLineStart && !progressShown { write("\n") }
        write("\r\u{1B}[K" + paint("⏳ " + line, "33"))
        progressShown = true
    }

    public func cellFinished(_ cell: Cell, result: CellResult) {
        guard !finished.contains(cell.index) else { return }
        finished.insert(cell.index)
        if [.passed, .failed, .expectedFailure].contains(result.status) { cellStarted(cell) }
        clearProgress()
        if !atLineStart { write("\n") }
        let time = result.seconds.map { String(format: "%.2f s", $0) } ?? ""
        switch result.status {
        case .passed:
            if cell.options.hidden { return }
            if !tty, let p = result.progress { write(p + "\n") }
            if !showCode { return }
            if result.droppedBytes > 0 { write(paint("[output capped: \(result.droppedBytes) more bytes not kept]", "33") + "\n") }
            write(paint("✓", "32") + dim(" \(time)") + "\n")
        case .expectedFailure:
            diagnostics(result)
            write(paint("✓ \(result.message ?? "failed as expected")", "32") + dim(" \(time)") + "\n")
        case .failed:
            if cell.options.hidden {
                write(paint("── [\(cell.index + 1)] line \(cell.firstLine) (hidden cell) ", "36") + "\n")
            }
            diagnostics(result)
            if result.droppedBytes > 0 { write(paint("[output capped: \(result.droppedBytes) more bytes not kept]", "33") + "\n") }
            write(paint("✗ \(result.message ?? "failed")", "31;1") + dim(" \(time)") + "\n")
        case .notRun:
            write(dim("· [\(cell.index + 1)] line \(cell.firstLine): not run") + "\n")
        case .skipped:
            break
        }
    }

    func diagnostics(_ result: CellResult) {
        for d in result.diagnostics where d.severity != .note || true {
            let c = d.severity == .error ? "31" : d.severity == .warning ? "33" : "2"
            write(paint(d.summary, c) + "\n")
        }
    }

    public func summary(_ result: LabRunResult) {
        clearProgress()
        if let e = result.error { write(paint("error: \(e)", "31;1") + "\n") }
        let ok = result.passed
        write(paint(ok ? "PASS" : "FAIL", ok ? "32;1" : "31;1") + " \(result.labPath): \(result.summary)"
            + dim(String(format: "  (compile %.2f s%@, run %.2f s)", result.facts.compileSeconds,
                         result.facts.compileCached ? " cached" : "", result.facts.runSeconds)) + "\n")
        if let r = result.reportPath { write(dim("report: \(r)") + "\n") }
    }
}
