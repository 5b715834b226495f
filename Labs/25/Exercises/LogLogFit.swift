// Lab 25, exercise 2: fitting a scaling law, a straight line on log-log axes.
import Foundation
import LabKit

/// A straight line y = slope · x + intercept.
public struct Line {
    public var slope: Double
    public var intercept: Double

    public init(slope: Double, intercept: Double) {
        self.slope = slope
        self.intercept = intercept
    }

    public func callAsFunction(_ x: Double) -> Double { slope * x + intercept }
}

/// The least-squares line through the points (x[i], y[i]): the line that makes the sum of squared vertical
/// distances smallest. slope = Σ(x − x̄)(y − ȳ) / Σ(x − x̄)², intercept = ȳ − slope · x̄.
///
/// ```swift
/// let line = leastSquaresLine(x: [0, 1, 2, 3], y: [1, 3, 2, 5])   // slope 1.1, intercept 1.1
/// ```
/// Python: `slope, intercept = np.polyfit(x, y, 1)`
public func leastSquaresLine(x: [Double], y: [Double]) -> Line {
    guard x.count == y.count, x.count >= 2 else {
        fatalError("leastSquaresLine: needs as many y as x values and at least 2 points, got \(x.count) x and \(y.count) y")
    }
    guard Set(x).count >= 2 else { fatalError("leastSquaresLine: all x values are \(x[0]); a line needs two different x") }
    // BEGIN EXERCISE 2a: leastSquaresLine
    todo("leastSquaresLine")
    // END EXERCISE 2a
}

/// A fitted scaling law loss = a · N^(−alpha), with the standard error of alpha.
public struct ScalingLaw {
    public var a: Double
    public var alpha: Double
    /// The standard error of alpha (from the scatter of the points around the line; n − 2 degrees of freedom).
    public var alphaStandardError: Double

    public init(a: Double, alpha: Double, alphaStandardError: Double) {
        self.a = a
        self.alpha = alpha
        self.alphaStandardError = alphaStandardError
    }

    /// The predicted loss of a model with `n` parameters.
    public func callAsFunction(_ n: Double) -> Double { a * pow(n, -alpha) }
}

/// Fits loss = a · N^(−alpha): a power law is a straight line on log-log axes, log L = log a − alpha · log N, so
/// fit `leastSquaresLine` to (log N, log L); alpha is minus the slope and a is e^intercept. The standard error
/// of alpha is `slopeStandardError` of that line.
///
/// ```swift
/// let law = fitScalingLaw(parameters: [1e4, 1e5, 1e6], losses: [2.6, 2.2, 1.9])
/// print(law.alpha, "±", law.alphaStandardError)
/// ```
/// Python: `slope, intercept = np.polyfit(np.log(N), np.log(L), 1); alpha, a = -slope, np.exp(intercept)`
public func fitScalingLaw(parameters: [Double], losses: [Double]) -> ScalingLaw {
    guard parameters.count == losses.count, parameters.count >= 3 else {
        fatalError("fitScalingLaw: needs one loss per model size and at least 3 sizes, got \(parameters.count) sizes and \(losses.count) losses")
    }
    if let i = (parameters + losses).firstIndex(where: { !($0 > 0) }) {
        fatalError("fitScalingLaw: every parameter count and loss must be positive to take its log; value \(i) is \((parameters + losses)[i])")
    }
    // BEGIN EXERCISE 2b: fitScalingLaw
    todo("fitScalingLaw")
    // END EXERCISE 2b
}

/// The standard error of a least-squares slope: sqrt(Σ residual² / (n − 2) / Σ(x − x̄)²) (given, not an exercise).
///
/// ```swift
/// let se = slopeStandardError(x: logN, y: logL, line: line)
/// ```
/// Python: `scipy.stats.linregress(x, y).stderr`
public func slopeStandardError(x: [Double], y: [Double], line: Line) -> Double {
    let n = Double(x.count)
    guard n > 2 else { return .nan }
    let mx = x.reduce(0, +) / n
    let sxx = x.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
    let ssr = zip(x, y).reduce(0) { let r = $1.1 - line($1.0); return $0 + r * r }
    return (ssr / (n - 2) / sxx).squareRoot()
}
