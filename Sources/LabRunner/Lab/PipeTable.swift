// GitHub-style pipe tables in prose. libcmark (CommonMark) has no tables and renders them as a paragraph of
// `|` text; a top-level paragraph whose lines form a pipe table is rendered as a <table> instead, with each
// cell's inline Markdown rendered by cmark. (cmark-gfm's table extension would do this natively.)

import Ccmark
import Foundation

enum PipeTable {
    /// The table HTML if `lines` (a paragraph's source lines) are a header row, a delimiter row and body rows.
    static func html(_ lines: [Substring]) -> String? {
        let rows = lines.map { $0.trimmingCharacters(in: .whitespaces) }
        guard rows.count >= 2, rows.allSatisfy({ $0.hasPrefix("|") || $0.contains("|") }) else { return nil }
        let header = cells(rows[0])
        let delimiter = cells(rows[1])
        guard header.count == delimiter.count, !header.isEmpty,
              delimiter.allSatisfy({ d in
                  let t = d.trimmingCharacters(in: .whitespaces)
                  return t.count >= 1 && t.contains("-") && t.allSatisfy { $0 == "-" || $0 == ":" }
              }) else { return nil }
        let align = delimiter.map { d -> String in
            let t = d.trimmingCharacters(in: .whitespaces)
            switch (t.hasPrefix(":"), t.hasSuffix(":")) {
            case (true, true): return " style=\"text-align:center\""
            case (false, true): return " style=\"text-align:right\""
            default: return ""
            }
        }
        var s = "<div class=\"lab-table-wrap\"><table>\n<thead><tr>"
        for (j, c) in header.enumerated() { s += "<th\(align[j])>\(inline(c))</th>" }
        s += "</tr></thead>\n<tbody>\n"
        for row in rows.dropFirst(2) {
            let cs = cells(row)
            s += "<tr>"
            for j in 0..<header.count { s += "<td\(align[j])>\(j < cs.count ? inline(cs[j]) : "")</td>" }
            s += "</tr>\n"
        }
        return s + "</tbody></table></div>\n"
    }

    /// Cells of a row: split on `|` outside backticks and not escaped as `\|`; outer pipes dropped.
    static func cells(_ row: String) -> [String] {
        var out: [String] = []
        var cur = ""
        var inCode = false
        var prev: Character = " "
        for ch in row {
            if ch == "`" { inCode.toggle() }
            if ch == "|" && !inCode && prev != "\\" {
                out.append(cur)
                cur = ""
            } else {
                cur.append(ch)
            }
            prev = ch
        }
        out.append(cur)
        if row.hasPrefix("|") { out.removeFirst() }
        if row.hasSuffix("|") && !row.hasSuffix("\\|") { out.removeLast() }
        return out.map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\\|", with: "|") }
    }

    /// A cell's inline Markdown rendered by cmark (without the paragraph around it).
    static func inline(_ text: String) -> String {
        guard !text.isEmpty, let c = text.withCString({ cmark_markdown_to_html($0, strlen($0), CMARK_OPT_SMART | CMARK_OPT_UNSAFE) }) else { return "" }
        defer { free(c) }
        var s = String(cString: c).trimmingCharacters(in: .whitespacesAndNewlines)
        if s.hasPrefix("<p>") && s.hasSuffix("</p>") { s = String(s.dropFirst(3).dropLast(4)) }
        return s
    }
}
