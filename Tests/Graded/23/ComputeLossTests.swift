// Lab 23, exercise 1: computeLoss (inputs and targets shifted by one, (B·T, V) flattening, the mean).
import XCTest
import LabKit
@testable import Lab23

final class ComputeLossTests: XCTestCase {
    let rows = [[0, 3, 1, 4, 2, 2], [4, 4, 0, 1, 3, 0], [2, 1, 1, 3, 0, 4]]      // (B, T + 1) = (3, 6)

    func testModelReadsAllButTheLastToken() {
        let oracle = Oracle(answers: [], vocabSize: 5)
        _ = computeLoss(model: oracle, batch: batchTensor(rows))
        XCTAssertEqual(oracle.seen.count, 1, "computeLoss should call the model once, on the whole batch")
        guard let input = oracle.seen.first else { return }
        XCTAssertEqual(input.shape, [3, 5], "For a batch of shape (B, T + 1) = (3, 6) the model should read (B, T) = (3, 5): every token but the last of each row (batch[.all, 0..<T]).")
        XCTAssertEqual(input.ints, rows.flatMap { $0.dropLast() },
                       "The model should read tokens 0 ..< T of each row (the slide's batch[:, :-1]).")
    }

    func testTargetsAreShiftedByOne() {
        // The oracle's answer at position t is the row's token t + 1: scored against the right targets the loss is ≈ 0.
        let row = [2, 0, 4, 1, 3, 3, 0]
        let oracle = Oracle(answers: [Array(row.dropFirst())], vocabSize: 5)
        let loss = computeLoss(model: oracle, batch: batchTensor([row])).item()
        XCTAssertLessThan(loss, 1e-3,
                          "A model that always predicts the next token perfectly should have loss ≈ 0, but got \(loss). The target at position t is token t + 1: targets = batch[.all, 1...] (the slide's batch[:, 1:]), not the inputs themselves.")
    }

    func testLogitsAndTargetsFlattenedAlike() {
        // Three rows: position (b, t) of the logits must be scored against target (b, t).
        let oracle = Oracle(answers: rows.map { Array($0.dropFirst()) }, vocabSize: 5)
        let loss = computeLoss(model: oracle, batch: batchTensor(rows)).item()
        XCTAssertLessThan(loss, 1e-3,
                          "With B = 3 rows a perfect model gets loss \(loss) instead of ≈ 0: the logits and the targets are not flattened the same way. View the logits (B, T, V) as (B·T, V) and the targets (B, T) as (B·T), both in row order (contiguous, no transpose).")
    }

    func testMatchesTheHandComputedMeanLoss() {
        manualSeed(3)
        let model = Bigram(5)
        let want = bigramReference(model.table.weight.scalars, V: 5, rows).loss
        let got = Double(computeLoss(model: model, batch: batchTensor(rows)).item())
        XCTAssertEqual(got, want, accuracy: 1e-4,
                       "For a bigram model the next-token loss computed by hand is \(want), yours is \(got). It should be the MEAN cross-entropy over all B·T positions (crossEntropy averages; do not sum, and do not average per row first).")
    }

    func testGradientMatchesTheHandComputedGradient() {
        manualSeed(4)
        let model = Bigram(5)
        let want = bigramReference(model.table.weight.scalars, V: 5, rows).grad
        computeLoss(model: model, batch: batchTensor(rows)).backward()
        guard let g = model.table.weight.grad?.scalars else {
            return XCTFail("The loss has no gradient with respect to the model's weights: build it from the model's logits with tensor operations (no .item() or .scalars inside computeLoss).")
        }
        let diff = zip(g, want).map { abs(Double($0) - $1) }.max()!
        XCTAssertLessThan(diff, 1e-4, "The gradient of your loss differs from the hand-computed one by \(diff).")
    }
}
