// Compiler diagnostics made to point at the lab: an unclosed bracket reported at the end of the generated program
// moves to the bracket's line in its cell; within a cell, syntax errors come before what follows from them.

/// `diags` with each error located outside the lab's cells (in the generated program, or on the line after a
/// cell) that has a note inside one (`note: to match this opening '{'`) moved to that note's line: the cell that
/// opened the bracket.
///
/// ```swift
/// // main.swift:17:1: error: expected '}' at end of brace statement
/// // Labs/30/lab.md:12:16: note: to match this opening '{'
/// relocateToLab(diags, inCell: { file, _ in file == "Labs/30/lab.md" })[0].summary
/// // "Labs/30/lab.md:12:16: error: expected '}' at end of brace statement: the '{' here is never closed in its cell"
/// ```
func relocateToLab(_ diags: [Diagnostic], inCell: (String, Int) -> Bool) -> [Diagnostic] {
    var out = diags
    for i in out.indices where out[i].severity == .error && !inCell(out[i].file, out[i].line) {
        var j = i + 1
        while j < out.count, out[j].severity == .note {
            if inCell(out[j].file, out[j].line) {
                let note = out[j]
                let bracket = note.message.range(of: #"'[\{\(\[]'"#, options: .regularExpression).map { String(note.message[$0]) }
                out[i].file = note.file
                out[i].line = note.line
                out[i].column = note.column
                if let bracket { out[i].message += ": the \(bracket) here is never closed in its cell (each cell must close what it opens)" }
                out[i].excerpt = note.excerpt
                break
            }
            j += 1
        }
    }
    return out
}

/// A cell's diagnostics with syntax errors ("expected ')' ...") first, each followed by its notes: the first error
/// shown is the one to fix, not a "circular reference" that follows from it.
func syntaxErrorsFirst(_ diags: [Diagnostic]) -> [Diagnostic] {
    var groups: [[Diagnostic]] = []
    for d in diags {
        if d.severity == .note, !groups.isEmpty { groups[groups.count - 1].append(d) } else { groups.append([d]) }
    }
    func rank(_ g: [Diagnostic]) -> Int {
        guard g[0].severity == .error else { return 2 }
        return g[0].message.hasPrefix("expected ") || g[0].message.hasPrefix("unterminated") ? 0 : 1
    }
    return groups.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.flatMap(\.element)
}
