// record(...): the figures and curves a lab run keeps (the course site's home page and dashboards read them).

/// Records a key figure of the run: labrun keeps it with the lab's result, the course site shows it on the home
/// page and the lab's page; outside labrun it prints `name: value unit`.
///
/// ```swift
/// record("validation loss", Double(history.valLoss.last!), unit: "nats/char")
/// record("parameters", Double(model.parameterCount), format: "%.0f")
/// ```
/// Python equivalent: `wandb.run.summary["validation loss"] = val_loss`.
public func record(_ name: String, _ value: Double, unit: String = "", format: String = "%.4g") {
    let shown = formatFigure(value, format: format)
    if let channel = LabChannel.shared {
        channel.write(kind: "figure", parts: [name, shown, unit, String(value)])
    } else {
        print("\(name): \(shown)\(unit.isEmpty ? "" : " " + unit)")
    }
}

/// Records a text result of the run (a generated sample) for the course site's training dashboard; outside
/// labrun it prints nothing (the lab prints the text itself).
///
/// ```swift
/// recordText("sample", sample)
/// ```
public func recordText(_ name: String, _ text: String) {
    LabChannel.shared?.write(kind: "text", parts: [name, text])
}

/// Records a curve of the run (a training loss, a learning-rate schedule) for the course site's training dashboard.
///
/// ```swift
/// recordSeries("loss", x: steps.map(Double.init), y: losses)
/// recordSeries("lr", y: schedule)          // x = 0, 1, 2, ...
/// ```
/// Python equivalent: `for s, v in zip(steps, losses): wandb.log({"loss": v}, step=s)`.
public func recordSeries(_ name: String, x: [Double]? = nil, y: [Double]) {
    let xs = x ?? y.indices.map(Double.init)
    if xs.count != y.count { fatalError("recordSeries(\(name)): x has \(xs.count) values, y has \(y.count); give one x per y") }
    guard let channel = LabChannel.shared else { return }
    let pairs = zip(xs, y).map { "\($0.0) \($0.1.isFinite ? String($0.1) : "nan")" }.joined(separator: "\n")
    channel.write(kind: "series", parts: [name, pairs])
}

public func recordSeries<F: BinaryFloatingPoint>(_ name: String, x: [Double]? = nil, y: [F]) {
    recordSeries(name, x: x, y: y.map { Double($0) })
}

/// The text of a recorded figure: `format` (a printf format) applied to `value`; with the integer format `%.0f`, the
/// digits are grouped in threes, so counts read `163,037,184`.
///
/// ```swift
/// formatFigure(163037184, format: "%.0f")   // "163,037,184"
/// formatFigure(1.60512, format: "%.3f")     // "1.605"
/// ```
/// Python equivalent: `f"{n:,.0f}"` for `%.0f`, `"%.3f" % x` otherwise.
public func formatFigure(_ value: Double, format: String) -> String {
    let text = cFormat(format, value)
    return format == "%.0f" ? groupThousands(text) : text
}

/// `"-1234567"` → `"-1,234,567"`: commas between groups of three in the run of digits (padding and sign kept).
func groupThousands(_ text: String) -> String {
    guard let first = text.firstIndex(where: \.isASCIIDigit) else { return text }   // inf, nan
    let end = text[first...].firstIndex(where: { !$0.isASCIIDigit }) ?? text.endIndex
    var grouped = ""
    for (k, c) in text[first..<end].enumerated() {
        if k > 0, (text.distance(from: first, to: end) - k) % 3 == 0 { grouped.append(",") }
        grouped.append(c)
    }
    return String(text[..<first]) + grouped + String(text[end...])
}

private extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

func cFormat(_ format: String, _ value: Double) -> String {
    var buf = [CChar](repeating: 0, count: 64)
    _ = withVaList([value]) { vsnprintf(&buf, buf.count, format, $0) }
    return String(cString: buf)
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
