// One self-contained HTML file per lab run: prose (cmark), highlighted cells with Markdown line numbers,
// outputs, inline SVG plots, errors, per-cell times and run facts. No scripts or styles from outside.

import Foundation
import LabDisplay

/// Renders a lab and its run result as a standalone HTML page (the site issue reuses `cellHTML`/`render`).
public struct HTMLReport {
    public var lab: Lab
    public var result: LabRunResult
    /// Output longer than this many lines is folded into a `<details>` element.
    public var foldLines = 40
    /// The link of a Markdown line (the course site links every cell to its source line); nil: no links.
    public var sourceLink: (@Sendable (Int) -> String)?

    public init(lab: Lab, result: LabRunResult) {
        self.lab = lab
        self.result = result
    }

    /// The whole page: `<!doctype html>`, the embedded stylesheet, `body()`.
    public func render() -> String {
        let fm = lab.frontMatter
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="generator" content="labrun">
            <title>\(escapeHTML("Lab \(fm.slide) · \(fm.title)"))</title>
            <style>
            \(ReportCSS.css)</style>
            </head>
            <body>
            <main class="lab">
            \(body())</main>
            <script>addEventListener("beforeprint", () => document.querySelectorAll("details").forEach(d => d.open = true));</script>
            </body>
            </html>

            """
    }

    /// The report's content (header, prose and cells, run facts) without the page around it, for embedding in
    /// another page styled by `ReportCSS.css` (site/theme/report.css).
    public func body() -> String {
        let fm = lab.frontMatter
        var body = ""
        body += "<header class=\"lab-header\"><p class=\"slide\">Slide \(fm.slide)</p>"
        body += "<h1>\(escapeHTML(fm.title))</h1>"
        body += "<p><span class=\"status \(result.passed ? "pass" : "fail")\">\(result.passed ? "PASS" : "FAIL")</span> "
        body += "\(escapeHTML(result.summary))</p></header>\n"
        if let e = result.error { body += "<div class=\"lab-error\"><strong>Error:</strong> \(escapeHTML(e))</div>\n" }
        for block in lab.blocks {
            switch block {
            case .prose(let html): body += "<div class=\"prose\">\(html)</div>\n"
            case .cell(let i): body += cellHTML(lab.cells[i], result.cells.indices.contains(i) ? result.cells[i] : nil)
            }
        }
        body += factsHTML()
        return body
    }

    /// One cell: header (line, id, status, time), code with Markdown line numbers, diagnostics, outputs.
    public func cellHTML(_ cell: Cell, _ r: CellResult?) -> String {
        let status = r?.status ?? .notRun
        if cell.options.hidden && status != .failed { return "" }
        var s = "<section class=\"cell \(status.rawValue)\" id=\"\(cell.options.id.map { "cell-\(escapeHTML($0))" } ?? "cell-\(cell.index + 1)")\">\n"
        let where_ = "[\(cell.index + 1)] line \(cell.firstLine)"
        if let link = sourceLink {
            s += "<div class=\"cell-head\"><a class=\"where\" href=\"\(escapeHTML(link(cell.firstLine)))\">\(where_)</a>"
        } else {
            s += "<div class=\"cell-head\"><span class=\"where\">\(where_)</span>"
        }
        if let id = cell.options.id { s += "<span>\(escapeHTML(id))</span>" }
        var tags: [String] = []
        if cell.options.shouldFail { tags.append("should-fail") }
        if cell.options.demo { tags.append("demo") }
        if cell.options.parameters { tags.append("parameters") }
        if cell.options.hidden { tags.append("hidden") }
        if cell.options.noRun { tags.append("no-run") }
        if !tags.isEmpty { s += "<span>\(tags.joined(separator: " · "))</span>" }
        s += "<span class=\"badge \(status.rawValue)\">\(statusLabel(status))</span>"
        s += "<span class=\"time\">\(r?.seconds.map(formatTime) ?? "")</span></div>\n"
        var errorLines = Set((r?.diagnostics ?? []).filter { $0.severity == .error }.map(\.line))
        if let l = r?.crashLine { errorLines.insert(l) }
        s += codeHTML(cell, errorLines: errorLines)
        for d in r?.diagnostics ?? [] { s += diagnosticHTML(d, cell: cell) }
        guard let r else { return s + "</section>\n" }
        var outs = ""
        if !r.stdout.isEmpty { outs += streamHTML(r.stdout, kind: "stdout") }
        for d in r.displays { outs += "<div class=\"out display\">\(d.html)</div>\n" }
        if let p = r.progress { outs += "<div class=\"out progress\">\(escapeHTML(p))</div>\n" }
        if !r.stderr.isEmpty { outs += streamHTML(r.stderr, kind: "stderr") }
        if r.droppedBytes > 0 {
            outs += "<div class=\"out\"><p class=\"note\">Output capped: \(r.droppedBytes) more bytes were not kept.</p></div>\n"
        }
        if !outs.isEmpty { s += "<div class=\"outputs\">\n\(outs)</div>\n" }
        if let m = r.message, status == .failed || status == .expectedFailure {
            s += "<div class=\"message \(status.rawValue)\">\(status == .failed ? "✗" : "✓") \(escapeHTML(m))</div>\n"
        }
        return s + "</section>\n"
    }

    func statusLabel(_ s: CellStatus) -> String {
        switch s {
        case .passed: return "passed"
        case .failed: return "failed"
        case .expectedFailure: return "failed as expected"
        case .notRun: return "not run"
        case .skipped: return "not run (no-run)"
        }
    }

    /// Highlighted code, one `<span class="line">` per shown line with its Markdown line number.
    func codeHTML(_ cell: Cell, errorLines: Set<Int>) -> String {
        let all = cell.lines
        var shownLineNumbers: [Int] = []
        for (k, line) in all.enumerated() {
            let t = line.drop { $0 == " " || $0 == "\t" }
            if !(t.hasPrefix("//# ") || t == "//#") { shownLineNumbers.append(cell.firstLine + k) }
        }
        let html = highlightedLines(cell.shownCode)
        var s = "<pre class=\"code\"><code>"
        for (k, h) in html.enumerated() {
            let ln = k < shownLineNumbers.count ? shownLineNumbers[k] : cell.firstLine + k
            s += "<span class=\"line\(errorLines.contains(ln) ? " err" : "")\"><span class=\"ln\" data-ln=\"\(ln)\"></span>\(h)</span>"
        }
        return s + "</code></pre>\n"
    }

    /// Highlighted HTML per line (token spans are closed and reopened at line breaks).
    func highlightedLines(_ code: String) -> [String] {
        var lines = [""]
        for tok in SwiftHighlighter.tokens(code) {
            let pieces = tok.text.split(separator: "\n", omittingEmptySubsequences: false)
            for (k, piece) in pieces.enumerated() {
                if k > 0 { lines.append("") }
                guard !piece.isEmpty else { continue }
                let e = escapeHTML(String(piece))
                lines[lines.count - 1] += tok.kind == .plain ? e : "<span class=\"tok-\(tok.kind.rawValue)\">\(e)</span>"
            }
        }
        return lines
    }

    /// `Labs/x.md:14:5: error: ...` with the Markdown line and a caret.
    func diagnosticHTML(_ d: Diagnostic, cell: Cell) -> String {
        var s = "<div class=\"diag \(d.severity.rawValue)\">\(escapeHTML(d.summary))"
        let k = d.line - cell.firstLine
        if k >= 0, k < cell.lines.count {
            let line = String(cell.lines[k])
            let caret = String(repeating: " ", count: max(0, d.column - 1)) + "^"
            s += "<pre>\(escapeHTML(line))\n\(caret)</pre>"
        }
        return s + "</div>\n"
    }

    func streamHTML(_ text: String, kind: String) -> String {
        let lineCount = text.reduce(0) { $0 + ($1 == "\n" ? 1 : 0) }
        let pre = "<pre\(lineCount > foldLines ? " class=\"long\"" : "")>\(escapeHTML(text))</pre>"
        if lineCount > foldLines {
            return "<div class=\"out \(kind)\"><details><summary>\(kind) · \(lineCount) lines</summary>\(pre)</details></div>\n"
        }
        return "<div class=\"out \(kind)\">\(pre)</div>\n"
    }

    func factsHTML() -> String {
        let f = result.facts
        let date = ISO8601DateFormatter.string(from: f.date, timeZone: TimeZone(identifier: "UTC")!,
                                               formatOptions: [.withInternetDateTime])
        let rows: [(String, String)] = [
            ("Lab file", result.labPath),
            ("Run", date),
            ("Code", f.exercises == "solutions" ? "reference solutions (Solutions/)"
                : f.exercises == "student" ? "student exercises (Labs/<lab>/Exercises)" : "no exercises"),
            ("Toolchain", f.toolchain),
            ("Library", f.library),
            ("Compile", "\(formatTime(f.compileSeconds))\(f.compileCached ? " (cached build)" : "")"),
            ("Run time", formatTime(f.runSeconds)),
            ("Host", f.host),
        ]
        return "<footer class=\"facts\"><dl>" + rows.map { "<dt>\($0.0)</dt><dd>\(escapeHTML($0.1))</dd>" }.joined()
            + "</dl></footer>\n"
    }
}

/// `0.12 s`, `12.3 s`, `2:05`.
func formatTime(_ s: Double) -> String {
    s < 10 ? String(format: "%.2f s", s) : s < 60 ? String(format: "%.1f s", s) : formatDuration(s)
}
