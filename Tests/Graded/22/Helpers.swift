// Shared helpers of the lab-22 graded tests: draw many samples with a fixed seed and compare frequencies with
// the distribution computed by hand.
import Foundation
import XCTest
import LabKit
@testable import Lab22

/// softmax(logits / temperature) in Double, by hand.
func handSoftmax(_ logits: [Double], temperature: Double = 1) -> [Double] {
    let z = logits.map { $0 / temperature }
    let m = z.max()!
    let e = z.map { exp($0 - m) }
    let s = e.reduce(0, +)
    return e.map { $0 / s }
}

/// How often each id comes out of `n` calls of sampleNext, with the generator seeded once (a fixed draw).
func frequencies(_ logits: [Float], temperature: Double, topK: Int?, n: Int = 4000, seed: UInt64 = 22) -> [Double] {
    manualSeed(seed)
    let t = Tensor(logits, shape: [logits.count])
    var counts = [Int](repeating: 0, count: logits.count)
    for _ in 0..<n {
        let id = sampleNext(logits: t, temperature: temperature, topK: topK)
        if id >= 0 && id < counts.count { counts[id] += 1 }
    }
    return counts.map { Double($0) / Double(n) }
}

/// The largest gap between observed frequencies and expected probabilities. With 4000 draws one standard
/// deviation is at most 0.008, so 0.04 is a 5-sigma tolerance: the seeded draw makes the test repeatable.
func largestGap(_ observed: [Double], _ expected: [Double]) -> Double {
    zip(observed, expected).map { abs($0 - $1) }.max()!
}

func fmt(_ p: [Double]) -> String { "[" + p.map { String(format: "%.3f", $0) }.joined(separator: ", ") + "]" }
