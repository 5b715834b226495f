// Lab 26, exercise 2: copyScore.
import XCTest
import LabKit
@testable import Lab26

/// Logits (B, T, V) whose argmax at [b, t] is `best[b][t]` (a 1 there, 0 elsewhere).
func oneHotLogits(_ best: [[Int]], vocab: Int) -> Tensor {
    let B = best.count, T = best[0].count
    var v = [Float](repeating: 0, count: B * T * vocab)
    for b in 0..<B { for t in 0..<T { v[(b * T + t) * vocab + best[b][t]] = 1 } }
    return Tensor(v, shape: [B, T, vocab])
}

final class CopyScoreTests: XCTestCase {
    func testHandCountedScores() {
        // Sequence 0: positions 1..<4 predicted 5, 6, 7 vs targets 5, 6, 7 (3 right); sequence 1: positions 0..<3
        // predicted 1, 2, 3 vs 1, 9, 3 (2 right). Per token 5 / 6; exact match 1 of 2.
        let logits = oneHotLogits([[0, 5, 6, 7, 0], [1, 2, 3, 0, 0]], vocab: 10)
        let targets = Tensor(ints: [4, 5, 6, 7, 8, 1, 9, 3, 2, 2], shape: [2, 5])
        let s = copyScore(logits: logits, targets: targets, spans: [1..<4, 0..<3])
        XCTAssertEqual(s.perToken, 5.0 / 6.0, accuracy: 1e-12,
                       "5 of the 6 scored predictions are right, so per-token accuracy is 5/6, got \(s.perToken). Score only the positions in each sequence's span, comparing argmax(logits[b, t]) with targets[b, t].")
        XCTAssertEqual(s.exactMatch, 0.5, accuracy: 1e-12,
                       "Sequence 0 is entirely right and sequence 1 is not, so exact match is 1/2, got \(s.exactMatch).")
    }

    func testArgmaxOverTheVocabulary() {
        // Logits that rank tokens differently along the vocabulary and along time: only argmax over the last
        // dimension gives the predictions 2, 0, 1.
        let logits = Tensor([0.1, 0.2, 0.9, 0.0,
                             0.8, 0.1, 0.3, 0.2,
                             0.0, 0.7, 0.1, 0.6], shape: [1, 3, 4])
        let s = copyScore(logits: logits, targets: Tensor(ints: [2, 0, 1], shape: [1, 3]), spans: [0..<3])
        XCTAssertEqual(s.perToken, 1, accuracy: 1e-12,
                       "The prediction at a position is the most likely token: argmax over the vocabulary (the last dimension), got per-token accuracy \(s.perToken) where every prediction is right.")
    }

    func testOnlyTheSpanIsScored() {
        // All predictions outside the span are wrong, all inside right.
        let logits = oneHotLogits([[9, 9, 3, 4, 9, 9]], vocab: 10)
        let targets = Tensor(ints: [0, 0, 3, 4, 0, 0], shape: [1, 6])
        let s = copyScore(logits: logits, targets: targets, spans: [2..<4])
        XCTAssertEqual(s, CopyScore(perToken: 1, exactMatch: 1),
                       "Only positions 2 and 3 are in the span and both are right, so both scores must be 1, got \(s). Positions outside the span must not count.")
    }

    func testPerTokenCountsAllTokensTogether() {
        // Spans of different lengths: 1 of 1 right in sequence 0, 1 of 3 right in sequence 1. Per token over all
        // scored tokens is 2/4 = 0.5 (the mean of per-sequence accuracies would be (1 + 1/3) / 2 = 0.667).
        let logits = oneHotLogits([[1, 1, 1, 1], [2, 2, 2, 2]], vocab: 4)
        let targets = Tensor(ints: [1, 0, 0, 0, 2, 3, 3, 0], shape: [2, 4])
        let s = copyScore(logits: logits, targets: targets, spans: [0..<1, 0..<3])
        if abs(s.perToken - 2.0 / 3.0) < 1e-9 {
            XCTFail("perToken averaged the sequences' accuracies; it must be correct tokens / scored tokens over all sequences (2 / 4).")
        }
        XCTAssertEqual(s.perToken, 0.5, accuracy: 1e-12, "2 right out of 4 scored tokens: per-token accuracy 0.5, got \(s.perToken).")
        XCTAssertEqual(s.exactMatch, 0.5, accuracy: 1e-12, "Sequence 0's span is all right, sequence 1's is not: exact match 0.5, got \(s.exactMatch).")
    }
}
