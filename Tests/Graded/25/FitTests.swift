// Lab 25, exercise 2: leastSquaresLine and fitScalingLaw.
import Foundation
import XCTest
import LabKit
@testable import Lab25

final class LineTests: XCTestCase {
    func testExactLine() {
        // Points on y = 3 − 2x: the best line is that line.
        let line = leastSquaresLine(x: [-1, 0, 2, 5], y: [5, 3, -1, -7])
        XCTAssertEqual(line.slope, -2, accuracy: 1e-12, "The points lie on y = 3 − 2x, so the slope must be −2, got \(line.slope).")
        XCTAssertEqual(line.intercept, 3, accuracy: 1e-12, "The points lie on y = 3 − 2x, so the intercept must be 3, got \(line.intercept).")
    }

    func testHandComputedLeastSquares() {
        // x = 0..3, y = 1, 3, 2, 5: x̄ = 1.5, ȳ = 2.75, Σ(x−x̄)(y−ȳ) = 5.5, Σ(x−x̄)² = 5, slope 1.1, intercept 2.75 − 1.65 = 1.1.
        let line = leastSquaresLine(x: [0, 1, 2, 3], y: [1, 3, 2, 5])
        XCTAssertEqual(line.slope, 1.1, accuracy: 1e-12,
                       "Least squares through (0,1), (1,3), (2,2), (3,5): slope = Σ(x−x̄)(y−ȳ) / Σ(x−x̄)² = 5.5 / 5 = 1.1, got \(line.slope).")
        XCTAssertEqual(line.intercept, 1.1, accuracy: 1e-12,
                       "The least-squares line passes through the mean point (x̄, ȳ) = (1.5, 2.75), so intercept = ȳ − slope · x̄ = 1.1, got \(line.intercept).")
    }

    func testResidualsSumToZero() {
        // A property of every least-squares line with an intercept: the residuals sum to 0 and are uncorrelated with x.
        let x: [Double] = [0.3, 1.7, 2.2, 4.1, 4.9, 7.5, 8.0]
        let y: [Double] = [2.0, 1.1, 3.5, 2.9, 6.0, 5.2, 7.7]
        let line = leastSquaresLine(x: x, y: y)
        let r = zip(x, y).map { $1 - line($0) }
        XCTAssertEqual(r.reduce(0, +), 0, accuracy: 1e-9, "The residuals y − (slope·x + intercept) of a least-squares line sum to 0; they sum to \(r.reduce(0, +)).")
        XCTAssertEqual(zip(x, r).reduce(0) { $0 + $1.0 * $1.1 }, 0, accuracy: 1e-9,
                       "The residuals of a least-squares line are orthogonal to x (Σ x·residual = 0): is the slope Σ(x−x̄)(y−ȳ) / Σ(x−x̄)²?")
    }
}

final class ScalingLawTests: XCTestCase {
    func testRecoversAnExactPowerLaw() {
        // loss = 5 · N^(−0.076) exactly: the fit must give back alpha = 0.076 and a = 5.
        let ns: [Double] = [1e3, 1e4, 1e5, 1e6, 1e7]
        let losses = ns.map { 5 * pow($0, -0.076) }
        let law = fitScalingLaw(parameters: ns, losses: losses)
        XCTAssertEqual(law.alpha, 0.076, accuracy: 1e-9,
                       "The losses follow 5 · N^(−0.076) exactly, so alpha must be 0.076, got \(law.alpha). Fit the line to (log N, log loss) and take alpha = −slope.")
        XCTAssertEqual(law.a, 5, accuracy: 1e-9, "For loss = 5 · N^(−0.076), a = e^intercept must be 5, got \(law.a).")
        XCTAssertEqual(law.alphaStandardError, 0, accuracy: 1e-9, "Points exactly on the law leave no scatter: the standard error must be 0, got \(law.alphaStandardError).")
    }

    func testLogOfBothAxes() {
        // Losses measured like the lab's; NumPy's fit of the same points (scripts/reference/lab25_loglog_fit.py):
        // alpha = 0.05614117797805565; fitting the raw numbers gives slope −6.5e−7, log N only gives slope −0.1306.
        let ns: [Double] = [3_300, 12_900, 56_000, 100_000, 334_000, 793_000]
        let losses: [Double] = [2.71, 2.48, 2.29, 2.19, 2.05, 2.01]
        let law = fitScalingLaw(parameters: ns, losses: losses)
        if abs(law.alpha - 6.481770484897004e-07) < 1e-8 {
            XCTFail("alpha came out as 6.5e-7: the line was fitted to N and loss themselves. A power law is a straight line only on log-log axes: fit log(loss) against log(N).")
        } else if abs(law.alpha - 0.13062204619659984) < 1e-6 {
            XCTFail("alpha = 0.1306: only N was put on a log scale. Take the log of the losses too: log L = log a − alpha · log N.")
        } else {
            XCTAssertEqual(law.alpha, 0.05614117797805565, accuracy: 1e-9,
                           "NumPy's np.polyfit(np.log(N), np.log(L), 1) gives alpha = 0.05614 for these points, got \(law.alpha).")
            XCTAssertEqual(law.a, 4.232422182905513, accuracy: 1e-7, "NumPy's fit gives a = e^intercept = 4.2324, got \(law.a).")
        }
    }
}
