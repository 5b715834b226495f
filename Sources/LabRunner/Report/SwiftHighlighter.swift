// A small Swift syntax highlighter: keywords, strings, comments, numbers (no external package exists for Swift).

/// Splits Swift source into coloured tokens.
public enum SwiftHighlighter {
    public enum Kind: String { case plain, keyword, string, comment, number }

    public struct Token: Equatable {
        public var kind: Kind
        public var text: String
    }

    static let keywords: Set<String> = [
        "actor", "any", "as", "associatedtype", "async", "await", "break", "case", "catch", "class", "continue",
        "default", "defer", "deinit", "do", "else", "enum", "extension", "fallthrough", "false", "fileprivate",
        "final", "for", "func", "guard", "if", "import", "in", "init", "inout", "internal", "is", "lazy", "let",
        "mutating", "nil", "nonisolated", "open", "operator", "override", "package", "private", "protocol", "public",
        "repeat", "rethrows", "return", "self", "Self", "some", "static", "struct", "subscript", "super", "switch",
        "throw", "throws", "true", "try", "typealias", "var", "weak", "where", "while",
    ]

    /// Tokens of `code` (multi-line comments and strings may span lines).
    public static func tokens(_ code: String) -> [Token] {
        let s = Array(code.unicodeScalars)
        var out: [Token] = []
        var i = 0
        func add(_ kind: Kind, _ from: Int, _ to: Int) {
            let text = String(String.UnicodeScalarView(s[from..<to]))
            if kind == .plain, let last = out.last, last.kind == .plain {
                out[out.count - 1].text += text
            } else {
                out.append(Token(kind: kind, text: text))
            }
        }
        func isIdent(_ c: Unicode.Scalar) -> Bool { c.properties.isAlphabetic || c == "_" || ("0"..."9").contains(c) }
        while i < s.count {
            let c = s[i]
            let next: Unicode.Scalar? = i + 1 < s.count ? s[i + 1] : nil
            if c == "/" && next == "/" {
                var j = i
                while j < s.count && s[j] != "\n" { j += 1 }
                add(.comment, i, j); i = j
            } else if c == "/" && next == "*" {
                var j = i + 2
                var depth = 1
                while j < s.count && depth > 0 {
                    if s[j] == "/" && j + 1 < s.count && s[j + 1] == "*" { depth += 1; j += 2 }
                    else if s[j] == "*" && j + 1 < s.count && s[j + 1] == "/" { depth -= 1; j += 2 }
                    else { j += 1 }
                }
                add(.comment, i, min(j, s.count)); i = min(j, s.count)
            } else if c == "\"" {
                let triple = i + 2 < s.count && s[i + 1] == "\"" && s[i + 2] == "\""
                var j = i + (triple ? 3 : 1)
                while j < s.count {
                    if s[j] == "\\" { j += 2; continue }
                    if triple {
                        if s[j] == "\"" && j + 2 < s.count && s[j + 1] == "\"" && s[j + 2] == "\"" { j += 3; break }
                    } else {
                        if s[j] == "\"" { j += 1; break }
                        if s[j] == "\n" { break }
                    }
                    j += 1
                }
                add(.string, i, min(j, s.count)); i = min(j, s.count)
            } else if ("0"..."9").contains(c) && (i == 0 || !isIdent(s[i - 1])) {
                var j = i
                while j < s.count && (isIdent(s[j]) || (s[j] == "." && j + 1 < s.count && ("0"..."9").contains(s[j + 1]))) { j += 1 }
                add(.number, i, j); i = j
            } else if isIdent(c) || c == "#" || c == "@" {
                var j = i + 1
                while j < s.count && isIdent(s[j]) { j += 1 }
                let word = String(String.UnicodeScalarView(s[i..<j]))
                add(keywords.contains(word) || c == "#" || c == "@" ? .keyword : .plain, i, j); i = j
            } else {
                add(.plain, i, i + 1); i += 1
            }
        }
        return out
    }

    /// HTML with `<span class="tok-keyword">` etc. (text escaped).
    public static func html(_ code: String) -> String {
        tokens(code).map { t in
            t.kind == .plain ? escapeHTML(t.text) : "<span class=\"tok-\(t.kind.rawValue)\">\(escapeHTML(t.text))</span>"
        }.joined()
    }
}

import LabDisplay
