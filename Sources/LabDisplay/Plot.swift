// LinePlot and BarChart: self-contained SVG (inline attributes only, no CSS or fonts to fetch).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A line plot of one or more named series, with optional log scales.
///
/// ```swift
/// display(LinePlot(title: "loss", xLabel: "step", yLabel: "loss",
///                  series: [.init(name: "train", y: trainLoss), .init(name: "val", x: evalSteps, y: valLoss)]))
/// display(LinePlot(title: "scaling", xLabel: "parameters", yLabel: "loss",
///                  series: [.init(name: "fit", x: params, y: losses)], xLog: true, yLog: true))
/// ```
/// matplotlib equivalent: `plt.plot(x, y, label=name); plt.xscale("log")`.
public struct LinePlot: Displayable {
    /// One named line. Points with non-finite values (or ≤ 0 on a log axis) are skipped.
    public struct Series {
        public var name: String
        public var x: [Double]
        public var y: [Double]

        public init(name: String, x: [Double], y: [Double]) {
            self.name = name
            self.x = x
            self.y = y
        }

        /// `y` against its index 0, 1, 2, ...
        public init<Y: Sequence>(name: String, y: Y) where Y.Element: BinaryFloatingPoint {
            let ys = y.map { Double($0) }
            self.name = name
            self.x = ys.indices.map(Double.init)
            self.y = ys
        }

        public init<X: Sequence, Y: Sequence>(name: String, x: X, y: Y)
        where X.Element: BinaryFloatingPoint, Y.Element: BinaryFloatingPoint {
            self.name = name
            self.x = x.map { Double($0) }
            self.y = y.map { Double($0) }
        }

        public init<X: Sequence, Y: Sequence>(name: String, x: X, y: Y)
        where X.Element: BinaryInteger, Y.Element: BinaryFloatingPoint {
            self.name = name
            self.x = x.map { Double($0) }
            self.y = y.map { Double($0) }
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var xLog: Bool
    public var yLog: Bool
    public var width: Int
    public var height: Int

    public init(title: String = "", xLabel: String = "", yLabel: String = "", series: [Series],
                xLog: Bool = false, yLog: Bool = false, width: Int = 640, height: Int = 360) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.xLog = xLog
        self.yLog = yLog
        self.width = width
        self.height = height
    }

    /// A single curve against its index: `LinePlot(y: losses, title: "loss")`.
    public init<Y: Sequence>(y: Y, name: String = "y", title: String = "", xLabel: String = "step",
                             yLabel: String = "", yLog: Bool = false) where Y.Element: BinaryFloatingPoint {
        self.init(title: title, xLabel: xLabel, yLabel: yLabel, series: [Series(name: name, y: y)], yLog: yLog)
    }

    public var html: String { "<figure class=\"lab-plot\">\(svg)</figure>" }

    public var svg: String {
        let frame = PlotFrame(width: width, height: height, title: title, xLabel: xLabel, yLabel: yLabel)
        let clean = series.map { s -> [(Double, Double)] in
            zip(s.x, s.y).filter { x, y in
                x.isFinite && y.isFinite && (!xLog || x > 0) && (!yLog || y > 0)
            }.map { (xLog ? log10($0.0) : $0.0, yLog ? log10($0.1) : $0.1) }
        }
        let all = clean.flatMap { $0 }
        var out = frame.open()
        guard !all.isEmpty else {
            return out + frame.note("no finite data") + "</svg>"
        }
        let xs = Axis(lo: all.map(\.0).min()!, hi: all.map(\.0).max()!, log: xLog)
        let ys = Axis(lo: all.map(\.1).min()!, hi: all.map(\.1).max()!, log: yLog)
        out += frame.axes(x: xs, y: ys)
        for (k, pts) in clean.enumerated() where !pts.isEmpty {
            let color = palette[k % palette.count]
            let step = max(1, pts.count / 1500)  // keep the SVG small for long training curves
            var sampled = stride(from: 0, to: pts.count, by: step).map { pts[$0] }
            if let last = pts.last, sampled.last! != last { sampled.append(last) }
            let d = sampled.map { "\(f1(frame.px(xs.unit($0.0)))),\(f1(frame.py(ys.unit($0.1))))" }.joined(separator: " ")
            if sampled.count == 1 {
                let (x, y) = sampled[0]
                out += "<circle cx=\"\(f1(frame.px(xs.unit(x))))\" cy=\"\(f1(frame.py(ys.unit(y))))\" r=\"3\" fill=\"\(color)\"/>"
            } else {
                out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.8\" stroke-linejoin=\"round\" points=\"\(d)\"/>"
            }
        }
        out += frame.legend(series.enumerated().map { ($0.element.name, palette[$0.offset % palette.count]) })
        return out + "</svg>"
    }

    public var text: String {
        var lines = ["[line plot\(title.isEmpty ? "" : " \"\(title)\"")\(xLog || yLog ? " (log scale)" : "")]"]
        for s in series {
            let ys = s.y.filter(\.isFinite)
            guard let first = ys.first, let last = ys.last else { lines.append("  \(s.name): no data"); continue }
            lines.append("  \(s.name): \(ys.count) points, \(formatNumber(first)) → \(formatNumber(last))"
                + " (min \(formatNumber(ys.min()!)), max \(formatNumber(ys.max()!)))")
        }
        return lines.joined(separator: "\n")
    }
}

/// A bar chart of labelled values.
///
/// ```swift
/// display(BarChart(title: "next-token probabilities", labels: ["the", "a", "cat"], values: [0.5, 0.3, 0.2]))
/// ```
/// matplotlib equivalent: `plt.bar(labels, values)`.
public struct BarChart: Displayable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var labels: [String]
    public var values: [Double]
    public var width: Int
    public var height: Int

    public init<V: Sequence>(title: String = "", xLabel: String = "", yLabel: String = "", labels: [String],
                             values: V, width: Int = 640, height: Int = 360) where V.Element: BinaryFloatingPoint {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.labels = labels
        self.values = values.map { Double($0) }
        self.width = width
        self.height = height
    }

    public var html: String { "<figure class=\"lab-plot\">\(svg)</figure>" }

    public var svg: String {
        let frame = PlotFrame(width: width, height: height, title: title, xLabel: xLabel, yLabel: yLabel,
                              bottom: labels.contains { $0.count > 6 } ? 80 : 48)
        var out = frame.open()
        let vals = values.map { $0.isFinite ? $0 : 0 }
        guard !vals.isEmpty else { return out + frame.note("no data") + "</svg>" }
        let ys = Axis(lo: min(0, vals.min()!), hi: max(0, vals.max()!), log: false)
        out += frame.axes(x: nil, y: ys)
        let n = Double(vals.count)
        let slot = (frame.plotRight - frame.plotLeft) / n
        let zero = frame.py(ys.unit(0))
        for (i, v) in vals.enumerated() {
            let x = frame.plotLeft + slot * Double(i) + slot * 0.15
            let y = frame.py(ys.unit(v))
            out += "<rect x=\"\(f1(x))\" y=\"\(f1(min(y, zero)))\" width=\"\(f1(slot * 0.7))\" height=\"\(f1(abs(zero - y)))\""
                + " fill=\"\(palette[0])\"><title>\(escapeHTML(i < labels.count ? labels[i] : "")): \(formatNumber(v))</title></rect>"
            if i < labels.count {
                let lx = frame.plotLeft + slot * (Double(i) + 0.5)
                let ly = frame.plotBottom + 14
                let label = labels[i].count > 14 ? String(labels[i].prefix(13)) + "…" : labels[i]
                let rotate = frame.bottom > 48 ? " transform=\"rotate(-35 \(f1(lx)) \(f1(ly)))\" text-anchor=\"end\"" : " text-anchor=\"middle\""
                out += "<text x=\"\(f1(lx))\" y=\"\(f1(ly))\" font-size=\"11\"\(rotate)>\(escapeHTML(label))</text>"
            }
        }
        return out + "</svg>"
    }

    public var text: String {
        let top = max(values.map(abs).max() ?? 1, 1e-30)
        let w = labels.map(\.count).max() ?? 0
        var lines = ["[bar chart\(title.isEmpty ? "" : " \"\(title)\"")]"]
        for (i, v) in values.enumerated() {
            let label = i < labels.count ? labels[i] : ""
            let bar = String(repeating: "█", count: max(0, Int((abs(v) / top * 30).rounded())))
            lines.append("  \(label)\(String(repeating: " ", count: w - label.count))  \(bar) \(formatNumber(v))")
        }
        return lines.joined(separator: "\n")
    }
}

let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]

func f1(_ x: Double) -> String { fixed(x, 1) }

/// A numeric axis: nice ticks on a linear scale, powers of ten on a log scale (values are already log10'd).
struct Axis {
    var lo: Double
    var hi: Double
    var log: Bool
    var ticks: [Double] = []

    init(lo: Double, hi: Double, log: Bool) {
        self.log = log
        var lo = lo, hi = hi
        if lo == hi { lo -= log ? 0.5 : max(abs(lo) * 0.1, 0.5); hi += log ? 0.5 : max(abs(hi) * 0.1, 0.5) }
        if log {
            let a = lo.rounded(.down), b = hi.rounded(.up)
            let stepE = max(1, ((b - a) / 6).rounded(.up))
            ticks = stride(from: a, through: b, by: stepE).map { $0 }
            self.lo = min(lo, a); self.hi = max(hi, b)
            if b - a > 0 { self.lo = a; self.hi = b }
        } else {
            let step = niceStep((hi - lo) / 5)
            let a = (lo / step).rounded(.down) * step, b = (hi / step).rounded(.up) * step
            ticks = stride(from: a, through: b + step * 0.01, by: step).map { $0 }
            self.lo = a; self.hi = b
        }
    }

    /// Position in [0, 1].
    func unit(_ v: Double) -> Double { (v - lo) / (hi - lo) }

    func label(_ t: Double) -> String { log ? "1e\(Int(t.rounded()))" : formatNumber(t) }
}

func niceStep(_ raw: Double) -> Double {
    guard raw > 0, raw.isFinite else { return 1 }
    let e = Glibc.floor(Glibc.log10(raw))
    let m = raw / Glibc.pow(10, e)
    let nice: Double = m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10
    return nice * Glibc.pow(10, e)
}

func log10(_ x: Double) -> Double { Glibc.log10(x) }

/// Layout shared by the plots: margins, axes, title, legend.
struct PlotFrame {
    var width: Int
    var height: Int
    var title: String
    var xLabel: String
    var yLabel: String
    var bottom: Double = 48

    var plotLeft: Double { 64 }
    var plotRight: Double { Double(width) - 16 }
    var plotTop: Double { title.isEmpty ? 16 : 36 }
    var plotBottom: Double { Double(height) - bottom }

    func px(_ u: Double) -> Double { plotLeft + u * (plotRight - plotLeft) }
    func py(_ u: Double) -> Double { plotBottom - u * (plotBottom - plotTop) }

    func open() -> String {
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\""
            + " style=\"max-width:100%;height:auto\" font-family=\"system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif\""
            + " role=\"img\" aria-label=\"\(escapeHTML(title.isEmpty ? "plot" : title))\">"
            + "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
        if !title.isEmpty {
            s += "<text x=\"\(width / 2)\" y=\"22\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"600\">\(escapeHTML(title))</text>"
        }
        if !xLabel.isEmpty {
            s += "<text x=\"\(f1((plotLeft + plotRight) / 2))\" y=\"\(height - 8)\" text-anchor=\"middle\" font-size=\"12\">\(escapeHTML(xLabel))</text>"
        }
        if !yLabel.isEmpty {
            let cy = (plotTop + plotBottom) / 2
            s += "<text x=\"14\" y=\"\(f1(cy))\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 14 \(f1(cy)))\">\(escapeHTML(yLabel))</text>"
        }
        return s
    }

    func axes(x: Axis?, y: Axis) -> String {
        var s = ""
        for t in y.ticks {
            let yy = f1(py(y.unit(t)))
            s += "<line x1=\"\(f1(plotLeft))\" x2=\"\(f1(plotRight))\" y1=\"\(yy)\" y2=\"\(yy)\" stroke=\"#e5e5e5\"/>"
            s += "<text x=\"\(f1(plotLeft - 6))\" y=\"\(yy)\" dy=\"4\" text-anchor=\"end\" font-size=\"11\" fill=\"#444\">\(y.label(t))</text>"
        }
        if let x {
            for t in x.ticks {
                let xx = f1(px(x.unit(t)))
                s += "<line x1=\"\(xx)\" x2=\"\(xx)\" y1=\"\(f1(plotTop))\" y2=\"\(f1(plotBottom))\" stroke=\"#f0f0f0\"/>"
                s += "<text x=\"\(xx)\" y=\"\(f1(plotBottom + 16))\" text-anchor=\"middle\" font-size=\"11\" fill=\"#444\">\(x.label(t))</text>"
            }
        }
        s += "<rect x=\"\(f1(plotLeft))\" y=\"\(f1(plotTop))\" width=\"\(f1(plotRight - plotLeft))\" height=\"\(f1(plotBottom - plotTop))\" fill=\"none\" stroke=\"#999\"/>"
        return s
    }

    func legend(_ items: [(String, String)]) -> String {
        guard items.count > 1 || !(items.first?.0.isEmpty ?? true) else { return "" }
        var s = ""
        let w = Double((items.map(\.0.count).max() ?? 0) * 7 + 34)
        let x0 = plotRight - w - 8
        s += "<rect x=\"\(f1(x0))\" y=\"\(f1(plotTop + 8))\" width=\"\(f1(w))\" height=\"\(items.count * 18 + 8)\" fill=\"#fff\" fill-opacity=\"0.85\" stroke=\"#ccc\"/>"
        for (i, (name, color)) in items.enumerated() {
            let y = plotTop + 8 + 4 + Double(i) * 18 + 9
            s += "<line x1=\"\(f1(x0 + 6))\" x2=\"\(f1(x0 + 24))\" y1=\"\(f1(y))\" y2=\"\(f1(y))\" stroke=\"\(color)\" stroke-width=\"2.5\"/>"
            s += "<text x=\"\(f1(x0 + 28))\" y=\"\(f1(y + 4))\" font-size=\"12\">\(escapeHTML(name))</text>"
        }
        return s
    }

    func note(_ text: String) -> String {
        "<text x=\"\(width / 2)\" y=\"\(height / 2)\" text-anchor=\"middle\" font-size=\"13\" fill=\"#888\">\(escapeHTML(text))</text>"
    }
}
