// Lab 25, exercise 1: estimateCost (FLOPs, GPU-days, dollars).
import XCTest
import LabKit
@testable import Lab25

final class CostTests: XCTestCase {
    func testGPT3MatchesTheSlide() {
        // The slide's printout for GPT-3 (175e9 parameters, 300e9 tokens, 312 TFLOP/s, $2 per GPU-hour).
        let c = estimateCost(parameters: 175e9, tokens: 300e9)
        XCTAssertEqual(groupedInteger(c.gpuDays), "11,685",
                       "GPT-3 should take 11,685 GPU-days as on the slide, got \(groupedInteger(c.gpuDays)): FLOPs = 6 · parameters · tokens, seconds = FLOPs / gpuFlops, days = seconds / 86,400.")
        XCTAssertEqual(groupedInteger(c.dollars), "560,897",
                       "GPT-3 should cost $560,897 at $2 per GPU-hour as on the slide, got $\(groupedInteger(c.dollars)).")
    }

    func testSixFlopsPerParameterPerToken() {
        // Hand-computed: 1,000 parameters × 500 tokens × 6 = 3,000,000 FLOPs.
        let c = estimateCost(parameters: 1_000, tokens: 500, gpuFlops: 1e6, dollarsPerGPUHour: 0)
        XCTAssertEqual(c.flops, 3_000_000, accuracy: 1e-6,
                       "1,000 parameters trained on 500 tokens is 6 · 1,000 · 500 = 3,000,000 FLOPs (2 forward + 4 backward per parameter per token), got \(c.flops).")
        XCTAssertEqual(c.gpuDays, 3.0 / 86_400, accuracy: 1e-12,
                       "3,000,000 FLOPs at 1,000,000 FLOP/s is 3 seconds = 3 / 86,400 days, got \(c.gpuDays) days.")
    }

    func testPricePerHourNotPerDay() {
        // Hand-computed: 86,400 · 10 seconds of GPU time is 10 days = 240 hours; at $2 per hour that is $480.
        let c = estimateCost(parameters: 86_400, tokens: 10, gpuFlops: 6, dollarsPerGPUHour: 2)
        XCTAssertEqual(c.gpuDays, 10, accuracy: 1e-9, "6 · 86,400 · 10 FLOPs at 6 FLOP/s is 10 GPU-days, got \(c.gpuDays).")
        if abs(c.dollars - 20) < 1e-6 {
            XCTFail("10 GPU-days at $2 per GPU-hour cost $480, not $20: the price is per hour, so multiply the days by 24 first.")
        } else if abs(c.dollars - 480.0 / 24 / 24) < 1e-6 || abs(c.dollars - 480 * 24) < 1e-3 {
            XCTFail("10 GPU-days at $2 per GPU-hour should cost $480, got $\(c.dollars): convert days to hours (× 24) exactly once.")
        } else {
            XCTAssertEqual(c.dollars, 480, accuracy: 1e-6, "10 GPU-days = 240 GPU-hours at $2 per hour = $480, got $\(c.dollars).")
        }
    }
}
