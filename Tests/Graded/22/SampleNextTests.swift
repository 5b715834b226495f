// Lab 22: sampleNext (greedy, temperature before the softmax, top-k, a real random draw).
import XCTest
import LabKit
@testable import Lab22

final class SampleNextTests: XCTestCase {
    let logits: [Float] = [2, 1, 0, -1, 0.5]

    func testGreedyAtTemperatureZero() {
        manualSeed(1)
        XCTAssertEqual(sampleNext(logits: Tensor(logits, shape: [5]), temperature: 0, topK: nil), 0,
                       "At temperature 0 sampleNext is greedy: it returns the id of the largest logit (here 0).")
        XCTAssertEqual(sampleNext(logits: Tensor([0, 3, 1, 3], shape: [4]), temperature: 0, topK: nil), 1,
                       "Greedy on a tie: the first id with the largest logit (argmax).")
    }

    func testSamplesFollowTheSoftmax() {
        let observed = frequencies(logits, temperature: 1, topK: nil)
        let expected = handSoftmax(logits.map(Double.init))
        XCTAssertLessThan(largestGap(observed, expected), 0.04,
                          "At temperature 1, 4000 draws should come out with the softmax probabilities \(fmt(expected)), got \(fmt(observed)). Draw with multinomial(softmax(logits), numSamples: 1): not argmax (that always picks the top id), and not a uniform random id.")
    }

    func testTemperatureDividesTheLogitsBeforeTheSoftmax() {
        let observed = frequencies(logits, temperature: 0.5, topK: nil)
        let expected = handSoftmax(logits.map(Double.init), temperature: 0.5)
        XCTAssertLessThan(largestGap(observed, expected), 0.04,
                          "At temperature 0.5 the draws should follow softmax(logits / 0.5) = \(fmt(expected)), got \(fmt(observed)). Divide the LOGITS by the temperature, then softmax (dividing the probabilities after the softmax changes nothing once they are renormalised).")
    }

    func testHighTemperatureFlattens() {
        let observed = frequencies(logits, temperature: 2, topK: nil)
        let expected = handSoftmax(logits.map(Double.init), temperature: 2)
        XCTAssertLessThan(largestGap(observed, expected), 0.04,
                          "At temperature 2 the draws should follow softmax(logits / 2) = \(fmt(expected)), got \(fmt(observed)).")
    }

    func testTopKKeepsTheKLargest() {
        // The two largest logits are ids 0 (2.0) and 1 (1.0): only they may come out, in the ratio e^1 : 1.
        let observed = frequencies(logits, temperature: 1, topK: 2)
        let expected = handSoftmax([2, 1]) + [0, 0, 0]
        XCTAssertEqual(observed[2] + observed[3] + observed[4], 0,
                       "With topK 2 only the two largest logits (ids 0 and 1) may be drawn, but ids 2-4 came out \(fmt(observed)). Set every logit outside the k largest to -infinity before the softmax (keep the largest k, not the smallest, and exactly k, not k + 1).")
        XCTAssertLessThan(largestGap(observed, expected), 0.04,
                          "With topK 2 the draws should follow the softmax over the two kept logits, \(fmt(expected)), got \(fmt(observed)).")
    }

    func testTopKOnATieKeepsExactlyK() {
        // Ids 1, 2 and 3 tie at 3.0; topK 2 keeps exactly two of them: the lower ids, 1 and 2.
        let observed = frequencies([1, 3, 3, 3, 0], temperature: 1, topK: 2)
        XCTAssertEqual(observed[3], 0, "With logits [1, 3, 3, 3, 0] and topK 2, exactly two ids survive (1 and 2, the lower ids on a tie), but id 3 was drawn: keep exactly k ids (topK(...) gives them), not every logit >= the k-th value.")
        XCTAssertEqual(observed[1], 0.5, accuracy: 0.04, "ids 1 and 2 should each come out about half the time, got \(fmt(observed))")
    }

    func testTheDrawUsesTheSeededGenerator() {
        let draws = { (seed: UInt64) -> [Int] in
            manualSeed(seed)
            return (0..<40).map { _ in sampleNext(logits: Tensor([0, 0, 0, 0], shape: [4]), temperature: 1, topK: nil) }
        }
        XCTAssertEqual(draws(7), draws(7), "The same manualSeed must give the same draws: use multinomial (the library's seeded generator), not Swift's Int.random.")
        XCTAssertNotEqual(draws(7), draws(8), "Different seeds should give different draws")
        XCTAssertEqual(Set(draws(9)).count, 4, "With four equal logits every id should come out sometimes")
    }
}
