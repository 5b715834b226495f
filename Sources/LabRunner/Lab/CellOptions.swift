// Cell options from a fence's info string: ```swift hidden timeout=30 id=train

/// Options of one ```swift cell, written after `swift` in the fence info string (rustdoc/Quarto style), separated
/// by spaces or commas.
public struct CellOptions: Equatable, Sendable, Codable {
    /// Runs, but neither the code nor the output is shown in the report (unless the cell fails).
    public var hidden = false
    /// Shown, not compiled or run.
    public var noRun = false
    /// An error (compile error, crash, thrown error) is expected here and does not fail the lab. The cell runs
    /// in a forked copy of the program, so its declarations are not visible to later cells.
    public var shouldFail = false
    /// Per-cell timeout in seconds.
    public var timeout: Double?
    /// Part of the slide's CLI demo (`labrun demo <slide>`).
    public var demo = false
    /// Declares parameters (`let name = value` lines) that `--set name=value` overrides.
    public var parameters = false
    public var id: String?

    public init() {}

    public static let known = ["hidden", "no-run", "should-fail", "timeout=SECONDS", "demo", "parameters", "id=NAME"]

    /// Parses the info string after the language word. Throws `LabError` naming `file:line` for an unknown option.
    public static func parse(_ words: [Substring], file: String, line: Int) throws -> CellOptions {
        var o = CellOptions()
        for word in words {
            let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
            let key = parts[0], value = parts.count > 1 ? parts[1] : nil
            func flag() throws -> Bool {
                guard value == nil else { throw LabError(file, line: line, "cell option '\(key)' takes no value") }
                return true
            }
            switch key {
            case "hidden": o.hidden = try flag()
            case "no-run", "no_run": o.noRun = try flag()
            case "should-fail", "should_fail": o.shouldFail = try flag()
            case "demo": o.demo = try flag()
            case "parameters": o.parameters = try flag()
            case "timeout":
                guard let v = value, let t = Double(v), t > 0 else {
                    throw LabError(file, line: line, "cell option 'timeout' needs a number of seconds, e.g. timeout=60")
                }
                o.timeout = t
            case "id":
                guard let v = value, !v.isEmpty, v.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                    throw LabError(file, line: line, "cell option 'id' needs a name of letters, digits, - or _, e.g. id=train")
                }
                o.id = v
            default:
                throw LabError(file, line: line,
                               "unknown cell option '\(word)' (known: \(known.joined(separator: ", ")))")
            }
        }
        if o.noRun && (o.shouldFail || o.hidden || o.parameters) {
            throw LabError(file, line: line, "cell option 'no-run' cannot be combined with 'should-fail', 'hidden' or 'parameters'")
        }
        return o
    }
}
