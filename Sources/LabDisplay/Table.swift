#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Table: headers + rows, shown as an HTML table in the report and aligned columns in the terminal.

/// A table of strings (numbers are formatted by the caller or with `Table(headers:numbers:)`).
///
/// ```swift
/// display(Table(headers: ["token", "id"], rows: [["hello", "31373"], ["world", "995"]]))
/// ```
/// pandas equivalent: `display(pd.DataFrame(rows, columns=headers))`.
public struct Table: Displayable {
    public var headers: [String]
    public var rows: [[String]]
    public var caption: String?

    public init(headers: [String], rows: [[String]], caption: String? = nil) {
        self.headers = headers
        self.rows = rows
        self.caption = caption
    }

    /// Rows of any values, formatted with `String(describing:)` (floating point with 4 significant digits).
    public init(headers: [String], rows: [[Any]], caption: String? = nil) {
        self.init(headers: headers, rows: rows.map { $0.map(formatCell) }, caption: caption)
    }

    public var html: String {
        var s = "<div class=\"lab-table-wrap\"><table class=\"lab-table\">"
        if let caption { s += "<caption>\(escapeHTML(caption))</caption>" }
        if !headers.isEmpty {
            s += "<thead><tr>" + headers.map { "<th>\(escapeHTML($0))</th>" }.joined() + "</tr></thead>"
        }
        s += "<tbody>"
        for row in rows {
            s += "<tr>" + row.map { "<td\(looksNumeric($0) ? " class=\"num\"" : "")>\(escapeHTML($0))</td>" }.joined() + "</tr>"
        }
        return s + "</tbody></table></div>"
    }

    public var text: String {
        let columns = max(headers.count, rows.map(\.count).max() ?? 0)
        var widths = Array(repeating: 0, count: columns)
        for row in [headers] + rows {
            for (j, cell) in row.enumerated() { widths[j] = max(widths[j], cell.count) }
        }
        // A column whose cells are all numbers is right-aligned, header included.
        let numeric = (0..<columns).map { j in
            rows.allSatisfy { j >= $0.count || $0[j].isEmpty || looksNumeric($0[j]) } && !rows.isEmpty
        }
        func line(_ row: [String]) -> String {
            var s = (0..<columns).map { j in
                let cell = j < row.count ? row[j] : ""
                let pad = String(repeating: " ", count: widths[j] - cell.count)
                return numeric[j] ? pad + cell : cell + pad
            }.joined(separator: "  ")
            while s.hasSuffix(" ") { s.removeLast() }
            return s
        }
        var out: [String] = []
        if let caption { out.append(caption) }
        if !headers.isEmpty {
            out.append(line(headers))
            out.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        }
        out += rows.map(line)
        return out.joined(separator: "\n")
    }
}

func looksNumeric(_ s: String) -> Bool {
    !s.isEmpty && Double(s.replacingAll(",", "").replacingAll("%", "")) != nil
}

func formatCell(_ v: Any) -> String {
    switch v {
    case let d as Double: return formatNumber(d)
    case let f as Float: return formatNumber(Double(f))
    default: return String(describing: v)
    }
}

/// Short number formatting for tables and axis ticks: 4 significant digits, exponent form for very large/small.
public func formatNumber(_ x: Double, significant: Int = 4) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == 0 { return "0" }
    if x == x.rounded(), abs(x) < 1e7 { return String(Int(x)) }
    let mag = abs(x)
    if mag >= 1e6 || mag < 1e-3 {
        var e = Int((log10(mag)).rounded(.down))
        var m = x / pow10(e)
        m = (m * pow10(significant - 1)).rounded() / pow10(significant - 1)
        if abs(m) >= 10 { m /= 10; e += 1 }
        return "\(trimZeros(fixed(m, significant - 1)))e\(e)"
    }
    let e = Int(log10(mag).rounded(.down))
    return trimZeros(fixed(x, max(0, significant - 1 - e)))
}

func pow10(_ e: Int) -> Double {
    var r = 1.0
    if e >= 0 { for _ in 0..<e { r *= 10 } } else { for _ in 0..<(-e) { r /= 10 } }
    return r
}

/// `x` with exactly `digits` decimals (no Foundation).
func fixed(_ x: Double, _ digits: Int) -> String {
    let scale = pow10(digits)
    let r = (abs(x) * scale).rounded()
    let whole = (r / scale).rounded(.down)
    var frac = String(Int(r - whole * scale))
    while frac.count < digits { frac = "0" + frac }
    let sign = x < 0 && r != 0 ? "-" : ""
    return digits == 0 ? sign + String(Int(whole)) : "\(sign)\(Int(whole)).\(frac)"
}

func trimZeros(_ s: String) -> String {
    guard s.contains(".") else { return s }
    var t = s
    while t.hasSuffix("0") { t.removeLast() }
    if t.hasSuffix(".") { t.removeLast() }
    return t
}

