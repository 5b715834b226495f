// Lab 22, hidden tests: top-k at or above the vocabulary, combined temperature and top-k, a (1, V) input.
import XCTest
import LabKit
@testable import Lab22

final class HiddenLab22Tests: XCTestCase {
    let logits: [Float] = [2, 1, 0, -1, 0.5]

    func testTopKOfTheWholeVocabularyChangesNothing() {
        let expected = handSoftmax(logits.map(Double.init))
        for k in [5, 9] {
            XCTAssertLessThan(largestGap(frequencies(logits, temperature: 1, topK: k), expected), 0.04, "topK \(k) ≥ V keeps every id")
        }
    }

    func testTemperatureAndTopKTogether() {
        // Scale first, then keep the top 3 (ids 0, 1, 4), then softmax: softmax([2, 1, 0.5] / 0.7).
        let observed = frequencies(logits, temperature: 0.7, topK: 3)
        let kept = handSoftmax([2, 1, 0.5], temperature: 0.7)
        XCTAssertLessThan(largestGap(observed, [kept[0], kept[1], 0, 0, kept[2]]), 0.04)
    }

    func testTopKOneIsGreedy() {
        manualSeed(3)
        let ids = (0..<50).map { _ in sampleNext(logits: Tensor(logits, shape: [5]), temperature: 1.5, topK: 1) }
        XCTAssertEqual(Set(ids), [0])
    }

    func testAcceptsARowOfShapeOneByV() {
        manualSeed(4)
        let id = sampleNext(logits: Tensor(logits, shape: [1, 5]), temperature: 0, topK: nil)
        XCTAssertEqual(id, 0, "logits of shape (1, V) are the same V scores")
    }
}
