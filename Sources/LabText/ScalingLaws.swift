import Foundation
import LabDisplay

/// Compute and cost of a training run (slide 25): FLOPs = parameters × tokens × flopsPerParameter (6: forward 2,
/// backward 4), time at the GPU's sustained FLOP/s, money at a price per GPU-hour.
public struct TrainingCost: CustomStringConvertible {
    public let flops: Double
    public let gpuSeconds: Double
    public let dollarsPerGPUHour: Double
    public var gpuDays: Double { gpuSeconds / 86_400 }
    public var gpuHours: Double { gpuSeconds / 3_600 }
    public var cost: Double { gpuHours * dollarsPerGPUHour }

    /// The slide's two lines: `Estimated: 11,685 GPU-days` and `Cost (at $2/GPU-hour): $560,897`.
    public var description: String {
        "Estimated: \(groupedInteger(gpuDays)) GPU-days\nCost (at $\(formatPrice(dollarsPerGPUHour))/GPU-hour): $\(groupedInteger(cost))"
    }
}

/// Estimates and prints the compute and cost of training (slide 25).
///
/// ```swift
/// estimateTrainingCost(parameters: 175e9, tokens: 300e9)   // GPT-3
/// // Estimated: 11,685 GPU-days
/// // Cost (at $2/GPU-hour): $560,897
/// ```
/// Python (slide 25): `total_flops = params * tokens * 6; gpu_days = total_flops / gpu_flops / 86400;
/// print(f"Estimated: {gpu_days:,.0f} GPU-days")`
@discardableResult
public func estimateTrainingCost(parameters: Double, tokens: Double, flopsPerParameter: Double = 6,
                                 gpuFlops: Double = 312e12, dollarsPerGPUHour: Double = 2) -> TrainingCost {
    let flops = parameters * tokens * flopsPerParameter
    let cost = TrainingCost(flops: flops, gpuSeconds: flops / gpuFlops, dollarsPerGPUHour: dollarsPerGPUHour)
    print(cost)
    return cost
}

/// Python's `f"{x:,.0f}"`: rounded half to even, thousands separated by commas.
public func groupedInteger(_ x: Double) -> String {
    let rounded = x.rounded(.toNearestOrEven)
    var digits = String(format: "%.0f", abs(rounded))
    var groups: [String] = []
    while digits.count > 3 { groups.insert(String(digits.suffix(3)), at: 0); digits.removeLast(3) }
    groups.insert(digits, at: 0)
    return (rounded < 0 ? "-" : "") + groups.joined(separator: ",")
}

private func formatPrice(_ x: Double) -> String {
    x == x.rounded() ? String(Int(x)) : String(format: "%.2f", x)
}

/// A power law `loss = a · N^(-alpha)` fitted by least squares on (log N, log loss).
public struct PowerLawFit: CustomStringConvertible {
    public let a: Double
    public let alpha: Double
    /// Standard error of alpha (from the residuals, n − 2 degrees of freedom; 0 for a perfect fit).
    public let alphaStandardError: Double
    /// R² of the fit in log-log space.
    public let rSquared: Double
    public let points: [(n: Double, loss: Double)]

    /// The fitted loss at `n`.
    public func callAsFunction(_ n: Double) -> Double { a * pow(n, -alpha) }

    public var description: String {
        String(format: "loss = %.4g · N^(-%.4f ± %.4f)  (R² = %.4f, %d points)", a, alpha, alphaStandardError, rSquared, points.count)
    }

    /// The points and the fitted line on log-log axes, for `display(...)`.
    public func plot(title: String = "Scaling law", xLabel: String = "parameters N", yLabel: String = "loss") -> LinePlot {
        let ns = points.map(\.n)
        let lo = log(ns.min()!), hi = log(ns.max()!)
        let xs = (0...32).map { exp(lo + (hi - lo) * Double($0) / 32) }
        return LinePlot(title: title, xLabel: xLabel, yLabel: yLabel,
                        series: [.init(name: "measured", x: ns, y: points.map(\.loss)),
                                 .init(name: String(format: "fit: alpha = %.3f", alpha), x: xs, y: xs.map { self($0) })],
                        xLog: true, yLog: true)
    }
}

/// Fits `loss = a · N^(-alpha)` to (parameters, loss) pairs by least squares in log-log space.
///
/// ```swift
/// let fit = try fitPowerLaw(parameters: [1e6, 1e7, 1e8], losses: [4.2, 3.5, 2.9])
/// print(fit.alpha, fit.alphaStandardError)
/// display(fit.plot())
/// ```
/// Python: `slope, intercept = np.polyfit(np.log(N), np.log(L), 1); alpha = -slope`
public func fitPowerLaw(parameters: [Double], losses: [Double]) throws -> PowerLawFit {
    guard parameters.count == losses.count else {
        throw TextError("fitPowerLaw: \(parameters.count) parameters but \(losses.count) losses; give one loss per model size")
    }
    guard parameters.count >= 3 else { throw TextError("fitPowerLaw: needs at least 3 points for alpha and its error, got \(parameters.count)") }
    if let i = parameters.firstIndex(where: { !($0 > 0) || !$0.isFinite }) { throw TextError("fitPowerLaw: parameters[\(i)] = \(parameters[i]) is not a positive number") }
    if let i = losses.firstIndex(where: { !($0 > 0) || !$0.isFinite }) { throw TextError("fitPowerLaw: losses[\(i)] = \(losses[i]) is not a positive number") }
    let x = parameters.map { log($0) }, y = losses.map { log($0) }
    let n = Double(x.count)
    let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
    let sxx = x.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
    guard sxx > 0 else { throw TextError("fitPowerLaw: all parameters are equal; need at least two model sizes") }
    let sxy = zip(x, y).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
    let slope = sxy / sxx
    let intercept = my - slope * mx
    let ssr = zip(x, y).reduce(0) { let r = $1.1 - (intercept + slope * $1.0); return $0 + r * r }
    let syy = y.reduce(0) { $0 + ($1 - my) * ($1 - my) }
    let se = sqrt(ssr / (n - 2) / sxx)
    return PowerLawFit(a: exp(intercept), alpha: -slope, alphaStandardError: se, rSquared: syy > 0 ? 1 - ssr / syy : 1,
                       points: zip(parameters, losses).map { ($0, $1) })
}
