// Heatmap: a matrix of values as coloured cells (self-contained SVG), e.g. one attention head's weights.

/// A grid of values from `lo` (white) to `hi` (dark blue), with row and column labels; each cell's value is in its
/// tooltip. Non-finite values (a masked score, −∞) are drawn grey.
///
/// ```swift
/// // rows: queries, columns: keys; each row of causal attention weights sums to 1
/// display(Heatmap(title: "layer 0, head 0", values: weights, rowLabels: chars, columnLabels: chars,
///                 xLabel: "key (attended to)", yLabel: "query"))
/// ```
/// matplotlib equivalent: `plt.imshow(weights, cmap="Blues"); plt.xticks(range(T), chars)`.
public struct Heatmap: Displayable {
    public var title: String
    public var values: [[Double]]
    public var rowLabels: [String]
    public var columnLabels: [String]
    public var xLabel: String
    public var yLabel: String
    /// The value drawn white and the one drawn darkest (default: the finite minimum and maximum).
    public var lo: Double
    public var hi: Double

    public init(title: String = "", values: [[Double]], rowLabels: [String] = [], columnLabels: [String] = [],
                xLabel: String = "", yLabel: String = "", lo: Double? = nil, hi: Double? = nil) {
        let finite = values.flatMap { $0 }.filter(\.isFinite)
        self.title = title
        self.values = values
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.lo = lo ?? finite.min() ?? 0
        self.hi = hi ?? finite.max() ?? 1
    }

    /// The fraction 0...1 of the colour scale for `v` (nil: not finite).
    func shade(_ v: Double) -> Double? {
        guard v.isFinite else { return nil }
        return hi > lo ? min(max((v - lo) / (hi - lo), 0), 1) : 0
    }

    public var html: String { "<figure class=\"lab-plot\">\(svg)</figure>" }

    public var svg: String {
        let rows = values.count, cols = values.map(\.count).max() ?? 0
        let cell = Double(max(12, min(36, 480 / max(rows, cols, 1))))
        let left = 40.0 + (yLabel.isEmpty ? 0 : 18), top = 28.0 + (title.isEmpty ? 0 : 18)
        let width = left + cell * Double(cols) + 70, height = top + cell * Double(rows) + 36 + (xLabel.isEmpty ? 0 : 18)
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\""
            + " viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\">"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>"
        if !title.isEmpty {
            out += "<text x=\"\(f1(width / 2))\" y=\"18\" font-size=\"14\" text-anchor=\"middle\">\(escapeHTML(title))</text>"
        }
        for (i, row) in values.enumerated() {
            for (j, v) in row.enumerated() {
                let x = left + cell * Double(j), y = top + cell * Double(i)
                let fill = shade(v).map(Self.color) ?? "#d0d0d0"
                out += "<rect x=\"\(f1(x))\" y=\"\(f1(y))\" width=\"\(f1(cell))\" height=\"\(f1(cell))\" fill=\"\(fill)\""
                    + " stroke=\"#ffffff\" stroke-width=\"0.5\"><title>\(escapeHTML(label(rowLabels, i))) → "
                    + "\(escapeHTML(label(columnLabels, j))): \(v.isFinite ? formatNumber(v) : "\(v)")</title></rect>"
            }
            out += "<text x=\"\(f1(left - 4))\" y=\"\(f1(top + cell * (Double(i) + 0.5) + 4))\" font-size=\"11\""
                + " text-anchor=\"end\">\(escapeHTML(label(rowLabels, i)))</text>"
        }
        for j in 0..<cols {
            out += "<text x=\"\(f1(left + cell * (Double(j) + 0.5)))\" y=\"\(f1(top + cell * Double(rows) + 14))\""
                + " font-size=\"11\" text-anchor=\"middle\">\(escapeHTML(label(columnLabels, j)))</text>"
        }
        if !xLabel.isEmpty {
            out += "<text x=\"\(f1(left + cell * Double(cols) / 2))\" y=\"\(f1(height - 8))\" font-size=\"12\""
                + " text-anchor=\"middle\">\(escapeHTML(xLabel))</text>"
        }
        if !yLabel.isEmpty {
            let cy = top + cell * Double(rows) / 2
            out += "<text x=\"14\" y=\"\(f1(cy))\" font-size=\"12\" text-anchor=\"middle\""
                + " transform=\"rotate(-90 14 \(f1(cy)))\">\(escapeHTML(yLabel))</text>"
        }
        // The colour scale: lo at the bottom, hi at the top.
        let sx = left + cell * Double(cols) + 16, sh = cell * Double(rows)
        for k in 0..<10 {
            out += "<rect x=\"\(f1(sx))\" y=\"\(f1(top + sh * Double(9 - k) / 10))\" width=\"12\" height=\"\(f1(sh / 10))\""
                + " fill=\"\(Self.color(Double(k) / 9))\"/>"
        }
        out += "<text x=\"\(f1(sx + 16))\" y=\"\(f1(top + 10))\" font-size=\"10\">\(formatNumber(hi))</text>"
        out += "<text x=\"\(f1(sx + 16))\" y=\"\(f1(top + sh))\" font-size=\"10\">\(formatNumber(lo))</text>"
        return out + "</svg>"
    }

    /// One character per cell, from ' ' (lo) to '@' (hi); '·' for a non-finite value.
    public var text: String {
        let ramp = Array(" .:-=+*#%@")
        let w = rowLabels.map(\.count).max() ?? 0
        var lines = ["[heatmap\(title.isEmpty ? "" : " \"\(title)\"") \(values.count)×\(values.map(\.count).max() ?? 0),"
                     + " ' ' = \(formatNumber(lo)) … '@' = \(formatNumber(hi))]"]
        if !columnLabels.isEmpty {
            lines.append(String(repeating: " ", count: w + 2) + columnLabels.map { String($0.prefix(1)) }.joined())
        }
        for (i, row) in values.enumerated() {
            let l = label(rowLabels, i)
            let cells = row.map { v in shade(v).map { String(ramp[Int(($0 * Double(ramp.count - 1)).rounded())]) } ?? "·" }
            lines.append(String(repeating: " ", count: w - l.count) + l + " |" + cells.joined() + "|")
        }
        return lines.joined(separator: "\n")
    }

    func label(_ labels: [String], _ i: Int) -> String { i < labels.count ? labels[i] : "\(i)" }

    /// White (0) to dark blue (1).
    static func color(_ u: Double) -> String {
        let (r, g, b) = (255 - u * (255 - 8), 255 - u * (255 - 48), 255 - u * (255 - 107))
        func hex(_ c: Double) -> String {
            let s = String(Int(c.rounded()), radix: 16)
            return s.count == 1 ? "0" + s : s
        }
        return "#" + hex(r) + hex(g) + hex(b)
    }
}
