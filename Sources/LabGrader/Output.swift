import Foundation
import LabDisplay

extension GradeReport {
    /// What a student may see at `now`: tests whose visibility does not allow it are removed (not blanked), the
    /// score is out of the points shown, and the held-back points are one note without any test name
    /// ("9 more points are checked after the due date"). Diagnostics never mention hidden files' contents.
    public func studentView(now: Date = Date(), due: Date?, published: Bool) -> GradeReport {
        var r = self
        let shown = tests.filter { $0.visibility.shownToStudent(now: now, due: due, published: published) }
        let heldBack = tests.filter { !$0.visibility.shownToStudent(now: now, due: due, published: published) }
        let answersShown = Visibility.afterDueDate.shownToStudent(now: now, due: due, published: published)
        r.tests = shown.map { t in
            var t = t
            if answersShown, let a = t.hintAfterDueDate { t.hint = t.hint.map { $0 + "\n" + a } ?? a }
            t.hintAfterDueDate = nil
            return t
        }
        (r.score, r.maxScore) = Scoring.total(shown)
        let later = heldBack.filter { $0.visibility != .afterPublished }.reduce(0) { $0 + $1.maxScore }
        let published = heldBack.filter { $0.visibility == .afterPublished }.reduce(0) { $0 + $1.maxScore }
        if later > 0 { r.notes.append("\(formatPoints(later)) more point\(later == 1 ? " is" : "s are") checked after the due date (the score above is out of the \(formatPoints(r.maxScore)) points shown here).") }
        if published > 0 { r.notes.append("\(formatPoints(published)) more point\(published == 1 ? " is" : "s are") shown when grades are published.") }
        return r
    }
}

/// Gradescope's `results.json` (autograder specification): every test with its `visibility`; Gradescope
/// enforces what students see. Top-level `score` is the total.
public enum GradescopeFormat {
    public static func encode(_ r: GradeReport) throws -> Data {
        var tests: [[String: Any]] = []
        for (i, t) in r.tests.enumerated() {
            var out = "[\(t.status.label)]"
            if !t.message.isEmpty { out += " " + t.message }
            if t.status != .passed, let h = t.hint { out += "\nHint: " + h }
            if !t.output.isEmpty { out += "\n--- output ---\n" + t.output }
            tests.append(["name": t.name, "number": String(i + 1), "score": t.score, "max_score": t.maxScore,
                          "status": t.status == .passed ? "passed" : "failed", "output": out,
                          "visibility": t.visibility.rawValue, "tags": [t.status.rawValue],
                          "extra_data": ["labrun_status": t.status.rawValue, "seconds": rounded(t.seconds)]])
        }
        var output = "\(r.title.map { "Lab \(r.lab): \($0)" } ?? "Lab \(r.lab)") — \(r.passed)/\(r.tests.count) tests passed."
        if !r.diagnostics.isEmpty { output += "\n\nCompile errors:\n" + r.diagnostics.map(\.text).joined(separator: "\n") }
        for n in r.notes { output += "\n" + n }
        let obj: [String: Any] = [
            "score": r.score, "max_score": r.maxScore, "execution_time": rounded(r.seconds), "output": output,
            "output_format": "text", "test_output_format": "text", "visibility": "visible", "stdout_visibility": "hidden",
            "tests": tests,
            "extra_data": ["schema": r.schema, "lab": r.lab, "submission": r.submission, "input_hash": r.inputHash,
                           "build_ok": r.buildOK],
        ]
        return try JSONSerialization.data(withJSONObject: obj, options: [.prettyPrinted, .sortedKeys])
    }

    /// A results file for when grading itself failed (never a silent 0: the output says why, exit status is non-zero).
    public static func harnessFailure(_ message: String) -> Data {
        let obj: [String: Any] = ["score": 0, "max_score": 0, "execution_time": 0, "tests": [] as [Any],
                                  "output": "The autograder could not grade this submission: \(message)",
                                  "extra_data": ["harness_error": message]]
        return (try? JSONSerialization.data(withJSONObject: obj, options: [.prettyPrinted, .sortedKeys])) ?? Data("{}".utf8)
    }
}

/// Exercism's test-runner interface, version 3. Pass a `studentView` report: Exercism shows every test it is given.
public enum ExercismFormat {
    public static func encode(_ r: GradeReport) throws -> Data {
        let allCompile = !r.tests.isEmpty && r.tests.allSatisfy { $0.status == .compileError }
        var obj: [String: Any] = ["version": 3]
        if allCompile || r.tests.isEmpty {
            obj["status"] = "error"
            obj["message"] = String((r.diagnostics.map(\.text).joined(separator: "\n").isEmpty ? (r.tests.first?.message ?? "nothing was graded")
                                                                                                 : r.diagnostics.map(\.text).joined(separator: "\n")).prefix(65_535))
            obj["tests"] = [] as [Any]
        } else {
            obj["status"] = r.tests.allSatisfy { $0.status == .passed } ? "pass" : "fail"
            obj["message"] = NSNull()
            obj["tests"] = r.tests.map { t -> [String: Any] in
                var d: [String: Any] = ["name": t.name, "test_code": t.testCode,
                                        "status": t.status == .passed ? "pass" : t.status == .failed ? "fail" : "error"]
                d["message"] = t.status == .passed ? NSNull() : "[\(t.status.label)] \(t.message)" + (t.hint.map { "\nHint: \($0)" } ?? "")
                if !t.output.isEmpty {
                    d["output"] = t.output.count > 500 ? String(t.output.prefix(450)) + "\nOutput was truncated. Please limit to 500 chars" : t.output
                }
                return d
            }
        }
        return try JSONSerialization.data(withJSONObject: obj, options: [.prettyPrinted, .sortedKeys])
    }
}

/// JUnit XML for CI dashboards: `failure` for failed assertions, `error` for the other non-passing statuses.
public enum JUnitFormat {
    public static func encode(_ r: GradeReport) -> Data {
        let failures = r.tests.filter { $0.status == .failed }.count
        let errors = r.tests.filter { $0.status != .failed && $0.status != .passed }.count
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        x += "<testsuites name=\"\(esc("lab \(r.lab)"))\" tests=\"\(r.tests.count)\" failures=\"\(failures)\" errors=\"\(errors)\" time=\"\(rounded(r.seconds))\">\n"
        x += "  <testsuite name=\"\(esc(r.submission))\" tests=\"\(r.tests.count)\" failures=\"\(failures)\" errors=\"\(errors)\" time=\"\(rounded(r.seconds))\">\n"
        x += "    <properties><property name=\"score\" value=\"\(r.score)\"/><property name=\"max_score\" value=\"\(r.maxScore)\"/></properties>\n"
        for t in r.tests {
            let parts = t.id.split(separator: "/")
            x += "    <testcase classname=\"\(esc(String(parts[0])))\" name=\"\(esc(String(parts[1])))\" time=\"\(rounded(t.seconds))\">"
            switch t.status {
            case .passed: break
            case .failed: x += "\n      <failure type=\"failed\" message=\"\(esc(firstLine(t.message)))\">\(esc(t.message))</failure>\n    "
            default: x += "\n      <error type=\"\(t.status.rawValue)\" message=\"\(esc(firstLine(t.message)))\">\(esc(t.message))</error>\n    "
            }
            if !t.output.isEmpty { x += "<system-out>\(esc(t.output))</system-out>" }
            x += "</testcase>\n"
        }
        x += "  </testsuite>\n</testsuites>\n"
        return Data(x.utf8)
    }
}

/// Plain-text report for the terminal: a table of tests, the total, then each failure with its message and hint.
public enum TerminalFormat {
    public static func render(_ r: GradeReport) -> String {
        var s = "Lab \(r.lab)\(r.title.map { ": \($0)" } ?? "") — \(r.submission)\n"
        let nameW = max(24, (r.tests.map(\.name.count).max() ?? 0) + 2)
        s += "  " + pad("TEST", nameW + 2) + pad("STATUS", 17) + pad("POINTS", 9) + "TIME\n"
        for t in r.tests {
            let mark = t.status == .passed ? "✓" : "✗"
            s += "  \(mark) " + pad(t.name, nameW) + pad(t.status.label, 17)
                + pad("\(formatPoints(t.score))/\(formatPoints(t.maxScore))", 9) + String(format: "%.2fs", t.seconds)
                + (t.visibility == .visible ? "" : "  (\(t.visibility.rawValue))") + "\n"
        }
        let pct = r.maxScore > 0 ? r.score / r.maxScore * 100 : 0
        var counts: [String] = []
        for st in TestStatus.allCases {
            let n = r.tests.filter { $0.status == st }.count
            if n > 0 { counts.append("\(n) \(st.label)") }
        }
        s += "\n  Score: \(formatPoints(r.score))/\(formatPoints(r.maxScore)) (\(String(format: "%.0f", pct))%)   "
            + counts.joined(separator: ", ") + String(format: "   [%.1f s]", r.seconds) + "\n"
        for n in r.notes { s += "  Note: \(n)\n" }
        if !r.diagnostics.isEmpty {
            s += "\nCompile errors:\n" + r.diagnostics.map { indent($0.text, 2) }.joined(separator: "\n") + "\n"
        }
        let bad = r.tests.filter { $0.status != .passed }
        if !bad.isEmpty {
            s += "\nFailures:\n"
            for t in bad {
                s += "  \(t.name) — \(t.status.label)\n" + indent(t.message, 4) + "\n"
                if let h = t.hint { s += "    Hint: \(h)\n" }
                if let h = t.hintAfterDueDate { s += "    Hint after the due date: \(h)\n" }
                if !t.output.isEmpty { s += "    Output:\n" + indent(String(t.output.prefix(600)), 6) + "\n" }
            }
        }
        return s
    }

    static func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count) }
}

func indent(_ s: String, _ n: Int) -> String {
    let p = String(repeating: " ", count: n)
    return s.split(separator: "\n", omittingEmptySubsequences: false).map { p + $0 }.joined(separator: "\n")
}

func firstLine(_ s: String) -> String { String(s.split(separator: "\n").first ?? "") }

func rounded(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

/// XML/HTML escaping (text and attribute values): LabDisplay's `escapeHTML`, after dropping the control characters
/// XML 1.0 forbids (JUnit files must parse).
func esc(_ s: String) -> String {
    var kept = String.UnicodeScalarView()
    for u in s.unicodeScalars where !(u.value < 0x20 && u != "\n" && u != "\t" && u != "\r") { kept.append(u) }
    return escapeHTML(String(kept))
}
