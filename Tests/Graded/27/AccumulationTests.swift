// Lab 27, exercise 3: accumulateGradients.
import XCTest
import LabKit
@testable import Lab27

final class AccumulationTests: XCTestCase {
    func testGradientEqualsOneBigBatch() {
        let model = tinyGPT()
        let batches = microBatches(4)
        let expected = bigBatchGradients(model, batches)
        _ = accumulateGradients(model, AdamW(model.parameters()), microBatches: batches)
        let got = gradients(model)
        let diff = maxDifference(got, expected)
        if diff > 1e-5 {
            if maxDifference(got, expected, scale: 4) < 1e-5 {
                XCTFail("The gradient is 4 times the big batch's: divide each micro-batch's loss by the number of micro-batches (4) before backward(), so the four gradients add up to a mean.")
            } else {
                // The last micro-batch alone, as when the gradients are cleared inside the loop.
                let last = bigBatchGradients(model, [batches[3]])
                if maxDifference(got, last, scale: 0.25) < 1e-5 || maxDifference(got, last) < 1e-5 {
                    XCTFail("Only the last micro-batch's gradient is left: optimizer.zeroGrad() is inside the loop. Clear the gradients once, before the first micro-batch, and let backward() add them up.")
                } else {
                    XCTFail("The accumulated gradient differs from the gradient of one batch of all 16 windows by up to \(diff) (must be below 1e-5).")
                }
            }
        }
    }

    func testReturnsTheMeanLoss() {
        let model = tinyGPT()
        let batches = microBatches(4)
        let means = batches.map { model($0.x, $0.y).loss!.item() }
        let expected = means.reduce(0, +) / 4
        let got = accumulateGradients(model, AdamW(model.parameters()), microBatches: batches)
        if abs(got - expected * 4) < 1e-4 {
            XCTFail("Returned the sum of the four losses (\(got)); return their mean (\(expected)), the loss of the big batch.")
        }
        XCTAssertEqual(got, expected, accuracy: 1e-4, "accumulateGradients must return the mean loss over the micro-batches, \(expected), got \(got).")
    }

    func testClearsOldGradientsFirst() {
        let model = tinyGPT()
        let batches = microBatches(2)
        let expected = bigBatchGradients(model, batches)
        // Gradients left over from an earlier step.
        _ = model(batches[0].x, batches[0].y).loss!.backward()
        _ = accumulateGradients(model, AdamW(model.parameters()), microBatches: batches)
        XCTAssertLessThan(maxDifference(gradients(model), expected), 1e-5,
                          "The previous step's gradients were still in .grad and got added to the new ones: call optimizer.zeroGrad() once, before the loop.")
    }
}
