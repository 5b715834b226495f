// Lab 23, hidden tests: agreement with the library GPT's own loss, a short row, overfitting one batch.
import XCTest
import LabKit
@testable import Lab23

final class HiddenLab23Tests: XCTestCase {
    func testMatchesGPTsOwnLoss() {
        manualSeed(21)
        let config = GPTConfig(vocabSize: 7, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8)
        let model = GPT(config)
        let batch = Tensor.randint(7, [3, 9])                              // (B, T + 1)
        let x = batch[.all, 0..<8].contiguous(), y = batch[.all, 1...].contiguous()
        let want = model(x, y).loss!.item()
        XCTAssertEqual(computeLoss(model: model, batch: batch).item(), want, accuracy: 1e-5)
    }

    func testRowsOfTwoTokens() {
        manualSeed(22)
        let model = Bigram(4)
        let rows = [[1, 2], [3, 0], [2, 2]]
        let want = bigramReference(model.table.weight.scalars, V: 4, rows).loss
        XCTAssertEqual(Double(computeLoss(model: model, batch: batchTensor(rows)).item()), want, accuracy: 1e-4)
    }

    func testOverfitsOneBatch() {
        manualSeed(23)
        let model = GPT(GPTConfig(vocabSize: 9, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 16))
        let optimizer = AdamW(model.parameters(), lr: 1e-2)
        let batch = Tensor.randint(9, [2, 9])
        let first = trainStep(model: model, optimizer: optimizer, batch: batch, maxNorm: 1).loss
        var last = first
        for _ in 0..<60 { last = trainStep(model: model, optimizer: optimizer, batch: batch, maxNorm: 1).loss }
        XCTAssertLessThan(last, first / 2, "60 steps on one batch should at least halve its loss (from \(first), got \(last))")
    }
}
