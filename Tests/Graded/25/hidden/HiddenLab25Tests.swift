// Lab 25, hidden tests: the same exercises on cases the visible tests do not try.
import Foundation
import XCTest
import LabKit
@testable import Lab25

final class HiddenLab25Tests: XCTestCase {
    func testCostScalesWithGPUSpeedAndPrice() {
        // Properties: twice the GPU speed halves days and dollars; three times the price triples only the dollars.
        let base = estimateCost(parameters: 7e9, tokens: 2e12)
        let fast = estimateCost(parameters: 7e9, tokens: 2e12, gpuFlops: 624e12)
        let dear = estimateCost(parameters: 7e9, tokens: 2e12, dollarsPerGPUHour: 6)
        XCTAssertEqual(fast.gpuDays, base.gpuDays / 2, accuracy: base.gpuDays * 1e-12, "A GPU twice as fast must halve the GPU-days: divide the FLOPs by gpuFlops.")
        XCTAssertEqual(dear.gpuDays, base.gpuDays, accuracy: base.gpuDays * 1e-12, "The price must not change the GPU-days.")
        XCTAssertEqual(dear.dollars, base.dollars * 3, accuracy: base.dollars * 1e-12, "Three times the hourly price must triple the cost: use dollarsPerGPUHour, not a fixed $2.")
    }

    func testStandardErrorMatchesNumPy() {
        // scripts/reference/lab25_loglog_fit.py: the standard error of alpha for these points is 0.0028890508048430123.
        let law = fitScalingLaw(parameters: [3_300, 12_900, 56_000, 100_000, 334_000, 793_000],
                                losses: [2.71, 2.48, 2.29, 2.19, 2.05, 2.01])
        XCTAssertEqual(law.alphaStandardError, 0.0028890508048430123, accuracy: 1e-9,
                       "The standard error of alpha should be slopeStandardError of the line fitted to (log N, log loss); got \(law.alphaStandardError).")
    }

    func testLineDoesNotDependOnPointOrder() {
        let x: [Double] = [4, 1, 3, 0, 2], y: [Double] = [9.1, 2.9, 7.2, 1.1, 4.8]
        let a = leastSquaresLine(x: x, y: y)
        let order = [3, 1, 4, 2, 0]
        let b = leastSquaresLine(x: order.map { x[$0] }, y: order.map { y[$0] })
        XCTAssertEqual(a.slope, b.slope, accuracy: 1e-12, "The least-squares line must not depend on the order of the points.")
        // Hand-computed: x̄ = 2, ȳ = 5.02, Σ(x−x̄)(y−ȳ) = 20.3, Σ(x−x̄)² = 10, slope 2.03, intercept 0.96.
        XCTAssertEqual(a.slope, 2.03, accuracy: 1e-12, "Slope of the least-squares line: 20.3 / 10 = 2.03, got \(a.slope).")
        XCTAssertEqual(a.intercept, 0.96, accuracy: 1e-12, "Intercept: ȳ − slope · x̄ = 5.02 − 4.06 = 0.96, got \(a.intercept).")
    }
}
