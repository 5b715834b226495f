// Lab 23, exercise 2: trainStep (zeroGrad, loss, backward, clip, step; loss and norm before clipping returned).
import XCTest
import LabKit
@testable import Lab23

final class TrainStepTests: XCTestCase {
    let rows = [[0, 3, 1, 4, 2, 2], [4, 4, 0, 1, 3, 0]]

    /// The gradient norm of one fresh backward pass (the reference).
    func freshNorm(_ model: Bigram) -> Float {
        let want = bigramReference(model.table.weight.scalars, V: 5, rows).grad
        return Float(want.reduce(0) { $0 + $1 * $1 }.squareRoot())
    }

    func testZeroesTheGradientsEveryStep() {
        manualSeed(5)
        let model = Bigram(5)
        let spy = SpyOptimizer(model.parameters())
        for _ in 0..<3 { _ = trainStep(model: model, optimizer: spy, batch: batchTensor(rows), maxNorm: nil) }
        let fresh = freshNorm(model)
        XCTAssertEqual(spy.normsAtStep.count, 3, "trainStep should call optimizer.step() once per call")
        for (i, norm) in spy.normsAtStep.enumerated() {
            XCTAssertEqual(norm, fresh, accuracy: 1e-4 * max(1, fresh),
                           "At step \(i + 1) the gradient is \(norm / fresh)× one backward pass's: gradients add up across backward() calls. Call optimizer.zeroGrad() at the start of every step.")
        }
    }

    func testClipsBeforeTheUpdate() {
        manualSeed(6)
        let model = Bigram(5)
        let spy = SpyOptimizer(model.parameters())
        let fresh = freshNorm(model)
        let maxNorm = fresh / 4
        _ = trainStep(model: model, optimizer: spy, batch: batchTensor(rows), maxNorm: maxNorm)
        let atStep = spy.normsAtStep.first ?? .nan
        XCTAssertEqual(atStep, maxNorm, accuracy: 1e-4,
                       "The gradient norm is \(fresh) and maxNorm \(maxNorm), but the optimizer saw a gradient of norm \(atStep). Clip with clipGradNorm(model.parameters(), maxNorm:) after backward() and BEFORE optimizer.step().")
    }

    func testNoClippingWithoutMaxNorm() {
        manualSeed(7)
        let model = Bigram(5)
        let spy = SpyOptimizer(model.parameters())
        let fresh = freshNorm(model)
        _ = trainStep(model: model, optimizer: spy, batch: batchTensor(rows), maxNorm: nil)
        XCTAssertEqual(spy.normsAtStep.first ?? .nan, fresh, accuracy: 1e-4,
                       "With maxNorm nil the gradients must reach the optimizer unchanged (no clipping).")
    }

    func testReturnsTheLossAndTheNormBeforeClipping() {
        manualSeed(8)
        let model = Bigram(5)
        let reference = bigramReference(model.table.weight.scalars, V: 5, rows)
        let fresh = freshNorm(model)
        let (loss, norm) = trainStep(model: model, optimizer: SGD(model.parameters(), lr: 0.1), batch: batchTensor(rows),
                                     maxNorm: fresh / 2)
        XCTAssertEqual(Double(loss), reference.loss, accuracy: 1e-4,
                       "trainStep should return the loss of the batch computed before the update (loss.item() of the forward pass you backpropagated).")
        XCTAssertEqual(norm, fresh, accuracy: 1e-4,
                       "trainStep should return the gradient norm before clipping: what clipGradNorm returns.")
    }

    func testOneSGDStepMatchesTheHandUpdate() {
        // SGD, no clipping: W ← W − lr · dL/dW, with the gradient computed by hand.
        manualSeed(9)
        let model = Bigram(5)
        let w0 = model.table.weight.scalars
        let grad = bigramReference(w0, V: 5, rows).grad
        _ = trainStep(model: model, optimizer: SGD(model.parameters(), lr: 0.5), batch: batchTensor(rows), maxNorm: nil)
        let w1 = model.table.weight.scalars
        let diff = (0..<w0.count).map { abs(Double(w1[$0]) - (Double(w0[$0]) - 0.5 * grad[$0])) }.max()!
        XCTAssertLessThan(diff, 1e-4,
                          "After one SGD step with lr 0.5 the weights should be W − 0.5·gradient; yours are off by \(diff). Did you call optimizer.step() (once)?")
    }
}
