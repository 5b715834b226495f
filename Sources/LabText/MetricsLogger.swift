import Foundation
import LabDisplay

/// A local `wandb.log`: one JSON object per line (step, loss, learning rate, tokens/s, anything else) in a JSONL
/// file, and a plot of any series for `display(...)`.
///
/// ```swift
/// let logger = try MetricsLogger(path: "runs/shakespeare.jsonl")
/// logger.log(step: step, loss: loss.item(), lr: lr, tokensPerSecond: tps)
/// logger.log(step: step, ["val_loss": valLoss])
/// display(logger.plot("loss", "val_loss"))
/// ```
/// Python: `wandb.init(project=...); wandb.log({"loss": loss, "lr": lr}, step=step)`
public final class MetricsLogger {
    public let url: URL
    private let handle: FileHandle
    /// Every record logged so far (also read back from the file by `MetricsLogger.read`).
    public private(set) var records: [(step: Int, values: [String: Double])] = []

    /// Creates (or truncates) the JSONL file, making its directory if needed.
    public init(path: String) throws {
        url = URL(fileURLWithPath: path)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: url.path, contents: nil), let h = FileHandle(forWritingAtPath: url.path) else {
            throw TextError("\(path): cannot create the metrics file")
        }
        handle = h
    }
    deinit { try? handle.close() }

    /// Logs named values at a step (one JSON line, flushed at once so a crashed run keeps its metrics).
    public func log(step: Int, _ values: [String: Double]) {
        records.append((step, values))
        var line = "{\"step\": \(step)"
        for (k, v) in values.sorted(by: { $0.key < $1.key }) { line += ", \(FlatJSON.quote(k)): \(v.isFinite ? "\(v)" : "null")" }
        handle.write(Data((line + "}\n").utf8))
    }

    /// Logs the usual training metrics; `lr` and `tokensPerSecond` are left out when nil.
    public func log(step: Int, loss: Float, lr: Double? = nil, tokensPerSecond: Double? = nil) {
        var v: [String: Double] = ["loss": Double(loss)]
        if let lr { v["lr"] = lr }
        if let tokensPerSecond { v["tokens_per_s"] = tokensPerSecond }
        log(step: step, v)
    }

    /// (steps, values) of one series, in logging order.
    public func series(_ name: String) -> (steps: [Double], values: [Double]) {
        let r = records.compactMap { rec in rec.values[name].map { (Double(rec.step), $0) } }
        return (r.map(\.0), r.map(\.1))
    }

    /// A line plot of the named series against step (`yLog` for losses that span decades).
    public func plot(_ names: String..., title: String? = nil, yLog: Bool = false) -> LinePlot {
        LinePlot(title: title ?? names.joined(separator: ", "), xLabel: "step", yLabel: names.count == 1 ? names[0] : "",
                 series: names.map { let s = series($0); return .init(name: $0, x: s.steps, y: s.values) }, yLog: yLog)
    }

    /// Reads a JSONL metrics file; a bad line is an error naming the file and line.
    public static func read(from path: String) throws -> [(step: Int, values: [String: Double])] {
        let text = try readUTF8(URL(fileURLWithPath: path))
        var out: [(step: Int, values: [String: Double])] = []
        for (i, line) in text.split(separator: "\n").enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let step = obj["step"] as? Int else {
                throw TextError("\(path) line \(i + 1): not a JSON object with an integer \"step\"")
            }
            var values: [String: Double] = [:]
            for (k, v) in obj where k != "step" { if let d = (v as? NSNumber)?.doubleValue { values[k] = d } }
            out.append((step, values))
        }
        return out
    }
}
