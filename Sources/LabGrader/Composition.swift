import Foundation

/// The code a student wrote for each exercise region, cut out of their files at the `// BEGIN EXERCISE` /
/// `// END EXERCISE` markers. Nothing outside the markers is ever compiled: the graded module is the course's stub
/// text with region bodies spliced in (see `Composition`), so its public interface is the course's.
///
/// ```swift
/// let cut = StudentRegions.parse(text, file: "SelfAttention.swift", expected: ["SelfAttention.forward"])
/// cut.bodies["SelfAttention.forward"]?.firstLine   // line of the first body line in the student's file
/// ```
/// (nbgrader's equivalent: only `### BEGIN SOLUTION` cells are taken from a submission, `OverwriteCells`.)
struct StudentRegions: Sendable {
    struct Body: Sendable, Equatable {
        var lines: [String]
        /// 1-based line in the student's file of `lines[0]` (the line after the BEGIN marker).
        var firstLine: Int
    }
    var bodies: [String: Body] = [:]
    /// Regions of `expected` whose markers are missing or broken, with the reason (student-facing).
    var problems: [String: String] = [:]

    /// Cuts `text` at its markers. `expected` are the regions this file has in the course (in order).
    static func parse(_ text: String, file: String, expected: [(region: String, exercise: String?)]) -> StudentRegions {
        var out = StudentRegions()
        let lines = text.components(separatedBy: "\n")
        // A reference file (`// BEGIN SOLUTION` markers, as in Solutions/): its regions, named as release names them.
        if !lines.contains(where: { Release.parseBeginMarker($0) != nil }),
           lines.contains(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("// BEGIN SOLUTION") }),
           let regions = try? Release.stub(text, path: file).regions {
            for r in regions {
                out.bodies[r.name] = Body(lines: r.body.components(separatedBy: "\n"), firstLine: r.beginLine + 1)
            }
            for (region, exercise) in expected where out.bodies[region] == nil {
                out.problems[region] = "\(file): no `// BEGIN SOLUTION` region for \(exercise.map { "exercise \($0)" } ?? region) (\(region))"
            }
            return out
        }
        var i = 0
        while i < lines.count {
            if let m = Release.parseBeginMarker(lines[i]) {
                var j = i + 1
                var nested = false
                while j < lines.count, !Release.isEndMarker(lines[j]) {
                    if Release.parseBeginMarker(lines[j]) != nil { nested = true; break }
                    j += 1
                }
                if nested || j == lines.count {
                    out.problems[m.region] = "\(file):\(i + 1): `\(lines[i].trimmingCharacters(in: .whitespaces))` has no `// END EXERCISE` line after it"
                        + (nested ? " before the next BEGIN EXERCISE (line \(j + 1))" : "")
                    i = nested ? j : j
                    continue
                }
                if out.bodies[m.region] != nil {
                    out.problems[m.region] = "\(file):\(i + 1): the markers of \(m.region) appear twice"
                } else {
                    out.bodies[m.region] = Body(lines: Array(lines[(i + 1)..<j]), firstLine: i + 2)
                }
                i = j + 1
                continue
            }
            i += 1
        }
        for (region, exercise) in expected where out.bodies[region] == nil && out.problems[region] == nil {
            out.problems[region] = "\(file): the line `\(Release.beginMarker(region: region, exercise: exercise))` is missing. "
                + "The grader takes only the code between the BEGIN EXERCISE and END EXERCISE lines of each exercise, so "
                + "\(exercise.map { "exercise \($0)" } ?? region) counts as not written: put the markers back (see the released stub) with your code between them."
        }
        for r in out.problems.keys { out.bodies[r] = nil }
        return out
    }
}

/// One graded module: per exercise file, the course's stub with each region's body taken from the student or from
/// the reference solution. Keeps where every line came from, to put compiler errors at the student's own lines.
struct Composition: Sendable {
    /// File name → composed text.
    var files: [String: String] = [:]
    /// File name → composed line (1-based) → line in the student's file, for lines the student wrote.
    var studentLines: [String: [Int: Int]] = [:]

    /// Where a region's body comes from: the student, the reference solution, or the stub itself (`todo`); or,
    /// `fused`, both the student's (nil: the stub's) and the reference's, chosen when the region runs: the student's
    /// when the test process grades exercise number `exercise` (see `Composition.selectSource`).
    enum Source { case student(StudentRegions.Body), reference(String), keep, fused(student: StudentRegions.Body?, reference: String, exercise: Int) }

    /// The file every graded exercises module has beside the course's files: which exercise's regions run the
    /// student's code in this process (set by the test harness from its run config, before any test runs; -1:
    /// none). Submissions cannot name it (names starting with `_` are denied).
    static let selectFileName = "_LabrunGraderSelect.swift"
    static let selectSource = """
        // Generated by `labrun grade`: in a fused module, the exercise whose regions run the student's code.
        nonisolated(unsafe) var __labrunStudentExercise: Int = -1
        @inline(never) func __labrunStudent(_ exercise: Int) -> Bool { __labrunStudentExercise == exercise }

        """

    /// The regions of `stub` that end their block and have no declaration before them in it (only statements
    /// such as `precondition(...)` between the block's `{` and the BEGIN marker; `}` right after the END marker,
    /// blank and comment lines aside): wrapping such a region's two versions in `if … { student } else
    /// { reference }` keeps the meaning of each (the same names in scope, the same `defer` order, nothing after
    /// them). With a `let`, `var`, `guard`, `func`, ... before it, a name the student redeclares would be an error
    /// in place but a shadowing inside the `if`, so such a region is not one.
    static func wholeBlockRegions(_ stub: String) -> Set<String> {
        let lines = stub.components(separatedBy: "\n")
        let code = blankCommentsAndStrings(stub).components(separatedBy: "\n")
        func isCode(_ i: Int) -> Bool { !code[i].trimmingCharacters(in: .whitespaces).isEmpty }
        let declaring = try! NSRegularExpression(pattern: #"\b(let|var|func|guard|defer|struct|class|enum|actor|protocol|typealias|extension|subscript|init|deinit|case|import|inout|some|any)\b|[$#@]|\bif\b|\bwhile\b|\bfor\b|\bswitch\b|\bdo\b|\bcatch\b"#)
        var out = Set<String>()
        for (i, l) in lines.enumerated() {
            guard let m = Release.parseBeginMarker(l) else { continue }
            // Nothing but `}` after the region in its block.
            guard let end = lines[(i + 1)...].firstIndex(where: Release.isEndMarker),
                  let after = code[(end + 1)...].first(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }),
                  after.trimmingCharacters(in: .whitespaces).hasPrefix("}") else { continue }
            // Back to the `{` that opens the block; what lies between must declare nothing.
            var depth = 0, opened: (line: Int, column: String.Index)?
            scan: for j in stride(from: i - 1, through: 0, by: -1) where isCode(j) {
                let chars = Array(code[j].indices.reversed())
                for c in chars {
                    if code[j][c] == "}" { depth += 1 }
                    if code[j][c] == "{" {
                        if depth == 0 { opened = (j, c); break scan }
                        depth -= 1
                    }
                }
            }
            guard let open = opened else { continue }
            let rest = String(code[open.line][code[open.line].index(after: open.column)...])
            let between = ([rest] + code[(open.line + 1)..<i]).joined(separator: "\n")
            let ns = between as NSString
            if between.contains("{") || between.contains("}") || between.contains(";")
                || declaring.firstMatch(in: between, range: NSRange(location: 0, length: ns.length)) != nil { continue }
            out.insert(m.region)
        }
        return out
    }

    /// Splices bodies into `stub` (a stub generated by `Release.stub`, markers included).
    static func splice(stub: String, file: String, body: (String) -> Source, into c: inout Composition) {
        var out: [String] = []
        var map: [Int: Int] = [:]
        let lines = stub.components(separatedBy: "\n")
        var i = 0
        while i < lines.count {
            out.append(lines[i])
            if let m = Release.parseBeginMarker(lines[i]) {
                var j = i + 1
                while j < lines.count, !Release.isEndMarker(lines[j]) { j += 1 }
                switch body(m.region) {
                case .keep:
                    out += lines[(i + 1)..<j]
                case .student(let b):
                    for (k, l) in b.lines.enumerated() { out.append(l); map[out.count] = b.firstLine + k }
                case .reference(let text):
                    out += text.components(separatedBy: "\n")
                case .fused(let student, let reference, let exercise):
                    out.append("if __labrunStudent(\(exercise)) {")
                    if let b = student {
                        for (k, l) in b.lines.enumerated() { out.append(l); map[out.count] = b.firstLine + k }
                    } else {
                        out += lines[(i + 1)..<j]
                    }
                    out.append("} else {")
                    out += reference.components(separatedBy: "\n")
                    out.append("}")
                }
                i = j
                continue
            }
            i += 1
        }
        c.files[file] = out.joined(separator: "\n")
        c.studentLines[file] = map
    }

    /// A diagnostic of this composition at the student's line, or nil if it is not in student code.
    func studentDiagnostic(_ d: BuildDiagnostic) -> BuildDiagnostic? {
        guard let line = studentLines[d.file]?[d.line] else { return nil }
        var r = d
        r.line = line
        r.text = d.text.replacingOccurrences(of: "\(d.file):\(d.line):\(d.column):", with: "\(d.file):\(line):\(d.column):")
        return r
    }
}

/// Where invalid UTF-8 starts in `data` (byte offset), or nil if it is valid.
func invalidUTF8Offset(_ data: Data) -> Int? {
    var it = data.makeIterator()
    var decoder = UTF8()
    var offset = 0
    var consumed = 0
    // Track bytes consumed per scalar by re-encoding lengths.
    while true {
        switch decoder.decode(&it) {
        case .scalarValue(let s):
            consumed = UTF8.width(s)
            offset += consumed
        case .emptyInput:
            return nil
        case .error:
            return offset
        }
    }
}
