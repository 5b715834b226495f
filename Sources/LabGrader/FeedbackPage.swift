import Foundation

/// The HTML feedback page of one submission. Render a `studentView` report: the page shows exactly the
/// tests it is given, and never test code of hidden sources.
public enum FeedbackPage {
    public static func render(_ r: GradeReport) -> String {
        let pct = r.maxScore > 0 ? Int((r.score / r.maxScore * 100).rounded()) : 0
        var h = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Lab \(esc(r.lab)) feedback — \(esc(r.submission))</title>
        <style>
        body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
        table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #ddd}
        .passed{color:#176b2c}.failed,.crashed,.timed_out,.compile_error{color:#a3261a}.not_implemented{color:#8a6100}
        pre{background:#f6f6f6;padding:.6rem;overflow-x:auto;white-space:pre-wrap}
        details{margin:.8rem 0;border:1px solid #ddd;border-radius:4px;padding:.4rem .7rem}summary{cursor:pointer;font-weight:600}
        .note{background:#fff8e0;padding:.5rem .7rem;border-radius:4px}
        </style></head><body>
        <h1>Lab \(esc(r.lab))\(r.title.map { ": " + esc($0) } ?? "")</h1>
        <p>Submission <b>\(esc(r.submission))</b> · score <b>\(formatPoints(r.score)) / \(formatPoints(r.maxScore))</b> (\(pct)%) · \(r.passed) of \(r.tests.count) tests passed</p>

        """
        for n in r.notes { h += "<p class=\"note\">\(esc(n))</p>\n" }
        if !r.diagnostics.isEmpty {
            h += "<h2>Compile errors</h2>\n<pre>\(esc(r.diagnostics.map(\.text).joined(separator: "\n")))</pre>\n"
        }
        h += "<table><thead><tr><th>Test</th><th>Status</th><th>Points</th><th>Time</th></tr></thead><tbody>\n"
        for t in r.tests {
            h += "<tr><td>\(esc(t.name))</td><td class=\"\(t.status.rawValue)\">\(esc(t.status.label))</td>"
                + "<td>\(formatPoints(t.score)) / \(formatPoints(t.maxScore))</td><td>\(String(format: "%.2f s", t.seconds))</td></tr>\n"
        }
        h += "</tbody></table>\n"
        for t in r.tests where t.status != .passed {
            h += "<details open><summary class=\"\(t.status.rawValue)\">\(esc(t.name)) — \(esc(t.status.label))</summary>\n"
            h += "<pre>\(esc(t.message))</pre>\n"
            if let hint = t.hint { h += "<p><b>Hint:</b> \(esc(hint))</p>\n" }
            if !t.output.isEmpty { h += "<p>Your code printed:</p><pre>\(esc(t.output))</pre>\n" }
            if !t.testCode.isEmpty && !t.sourceHidden { h += "<p>Test code:</p><pre>\(esc(t.testCode))</pre>\n" }
            h += "</details>\n"
        }
        h += "<p><small>Graded \(ISO8601DateFormatter().string(from: r.gradedAt)) by labrun grade.</small></p>\n</body></html>\n"
        return h
    }
}
