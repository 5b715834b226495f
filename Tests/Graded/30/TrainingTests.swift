// Lab 30, task 2: getBatch, estimateLoss, trainStep and the training loop.
import XCTest
import LabKit
@testable import Lab30

final class TrainingTests: XCTestCase {
    func testGetBatchTargetsShiftedByOne() {
        // data[i] == i, so every token says where it came from.
        manualSeed(10)
        let data = Tensor(ints: Array(0..<200))
        let (x, y) = getBatch(data, batchSize: 6, blockSize: 9)
        XCTAssertEqual(x.shape, [6, 9], "x must be (batchSize, blockSize) = (6, 9).")
        XCTAssertEqual(y.shape, [6, 9], "y must be (batchSize, blockSize) = (6, 9).")
        let xs = x.ints, ys = y.ints
        var starts = Set<Int>()
        for b in 0..<6 {
            let row = Array(xs[(b * 9)..<(b * 9 + 9)]), target = Array(ys[(b * 9)..<(b * 9 + 9)])
            XCTAssertEqual(row, Array(row[0]..<(row[0] + 9)), "Each row of x must be a window of consecutive tokens data[i..<i+blockSize].")
            XCTAssertEqual(target, row.map { $0 + 1 },
                           "The targets must be the inputs shifted by one: y[b, t] = data[i + t + 1], the token that comes next (got x row \(row), y row \(target)).")
            XCTAssertLessThanOrEqual(row[0] + 9, 199, "A window must leave room for its last target: start < count - blockSize.")
            starts.insert(row[0])
        }
        XCTAssertGreaterThan(starts.count, 1, "All windows start at the same place: draw a random start for each row.")
    }

    func testEstimateLossEvalModeNoGrad() {
        manualSeed(11)
        let model = GPT(tinyConfig(dropout: 0.5), block: { SpyBlock($0) })
        let spy = model.transformer.h[0] as! SpyBlock
        model.train()
        let data = Tensor(ints: (0..<100).map { $0 % 11 })
        let loss = estimateLoss(model, data, evalIters: 3, batchSize: 2, blockSize: 8)
        XCTAssertTrue(loss.isFinite, "estimateLoss returned \(loss).")
        XCTAssertEqual(spy.calls.count, 3, "estimateLoss(evalIters: 3) should run the model on 3 batches, ran it \(spy.calls.count) times.")
        XCTAssertFalse(spy.calls.contains { $0.training },
                       "The model was in training mode during evaluation, so dropout was on and the loss is too high and noisy: call model.eval() before measuring.")
        XCTAssertFalse(spy.calls.contains { $0.gradEnabled },
                       "Gradients were being recorded during evaluation (wasted memory and time): wrap the evaluation in noGrad { ... }.")
        XCTAssertTrue(model.training, "After estimateLoss the model must be back in training mode: call model.train() at the end.")
    }

    func testEstimateLossIsTheMeanLoss() {
        // Every window of a constant sequence is the same batch, so the mean over batches is that batch's loss.
        manualSeed(12)
        let config = tinyConfig(dropout: 0.3)
        let model = GPT(config)
        let data = Tensor(ints: [Int](repeating: 3, count: 50))
        let got = estimateLoss(model, data, evalIters: 4, batchSize: 2, blockSize: 8)
        model.eval()
        let expected = noGrad { model(Tensor(ints: [Int](repeating: 3, count: 16), shape: [2, 8]), targets: Tensor(ints: [Int](repeating: 3, count: 16), shape: [2, 8])).loss!.item() }
        XCTAssertEqual(got, expected, accuracy: 1e-4,
                       "estimateLoss should return the mean of the model's loss over evalIters batches (in eval mode); expected \(expected), got \(got).")
    }

    func testTrainStepClipsBeforeTheUpdate() {
        manualSeed(13)
        let model = GPT(tinyConfig())
        let spy = SpyOptimizer(model.parameters())
        let x = randomTokens(2, 8, vocab: 11), y = randomTokens(2, 8, vocab: 11)
        trainStep(model, spy, x, y, clipNorm: 1e-3)
        XCTAssertEqual(spy.normsAtStep.count, 1, "trainStep must call optimizer.step() exactly once (called \(spy.normsAtStep.count) times).")
        guard let norm = spy.normsAtStep.first else { return }
        XCTAssertGreaterThan(norm, 0, "There were no gradients when optimizer.step() ran: call loss.backward() before the step.")
        XCTAssertLessThanOrEqual(norm, 1.001e-3,
                                 "When optimizer.step() ran, the gradient norm was \(norm), more than clipNorm 0.001: clip the gradients after backward() and before optimizer.step() (clipping afterwards has no effect on the update).")
    }

    func testTrainStepZeroesGradients() {
        // The same batch twice (no dropout, weights unchanged by the spy) must give the same gradient both times.
        manualSeed(14)
        let model = GPT(tinyConfig())
        let spy = SpyOptimizer(model.parameters())
        let x = randomTokens(2, 8, vocab: 11), y = randomTokens(2, 8, vocab: 11)
        trainStep(model, spy, x, y, clipNorm: nil)
        trainStep(model, spy, x, y, clipNorm: nil)
        trainStep(model, spy, x, y, clipNorm: nil)
        XCTAssertEqual(spy.normsAtStep.count, 3)
        guard spy.normsAtStep.count == 3 else { return }
        let n = spy.normsAtStep
        XCTAssertEqual(n[2], n[0], accuracy: 1e-3 * n[0],
                       "The gradient grows from step to step (norms \(n[0]), \(n[1]), \(n[2]) for the same batch): gradients add up across backward() calls until you clear them. Clear them (optimizer.zeroGrad()) at the start of every step.")
    }

    func testTrainStepReturnsLossAndUpdates() {
        manualSeed(15)
        let model = GPT(tinyConfig())
        let optimizer = AdamW(model.parameters(), lr: 1e-2)
        let x = randomTokens(2, 8, vocab: 11), y = randomTokens(2, 8, vocab: 11)
        let before = noGrad { model(x, targets: y).loss!.item() }
        let w = model.lm_head.weight.scalars
        let returned = trainStep(model, optimizer, x, y, clipNorm: 1)
        XCTAssertEqual(returned, before, accuracy: 1e-4, "trainStep must return the loss of the batch computed before the update (loss.item()); expected \(before), got \(returned).")
        XCTAssertGreaterThan(maxAbsDiff(Tensor(w, shape: model.lm_head.weight.shape), model.lm_head.weight), 1e-4,
                             "The weights did not change: call optimizer.step() after backward().")
        let after = noGrad { model(x, targets: y).loss!.item() }
        XCTAssertLessThan(after, before, "One step on a batch should lower the loss on that batch (\(before) -> \(after)).")
    }

    func testOverfitsOneBatch() {
        // A tiny model must memorise one batch: loss from ~ln(11) = 2.4 to below 0.3 within 150 steps.
        manualSeed(16)
        let model = GPT(tinyConfig(nEmbd: 32))
        let optimizer = AdamW(model.parameters(), lr: 1e-2, weightDecay: 0)
        let x = randomTokens(4, 8, vocab: 11), y = randomTokens(4, 8, vocab: 11)
        var losses: [Float] = []
        for _ in 0..<150 { losses.append(trainStep(model, optimizer, x, y, clipNorm: 1)) }
        XCTAssertTrue(losses.allSatisfy(\.isFinite), "The loss became NaN or infinite.")
        XCTAssertLessThan(losses.last!, 0.3,
                          "After 150 steps on the same batch the loss is still \(losses.last!) (started at \(losses.first!)); a working step memorises one batch. Check zeroGrad → forward → backward → clip → step.")
    }

    func testTrainLoopLearns() {
        // A repeating 6-token pattern: after 80 steps the validation loss must be far below its start.
        manualSeed(17)
        let config = tinyConfig(vocabSize: 6, nEmbd: 32)
        let model = GPT(config, block: { TransformerBlock($0) })
        let pattern = [0, 1, 2, 3, 4, 5, 4, 3, 2, 1]
        let ids = (0..<400).map { pattern[$0 % pattern.count] }
        var options = TrainingOptions(steps: 80)
        options.batchSize = 4
        options.learningRate = 1e-2
        options.minLearningRate = 1e-3
        options.warmupSteps = 5
        options.evalInterval = 20
        options.evalIters = 3
        options.showProgress = false
        let history = train(model, trainData: Tensor(ints: Array(ids[..<360])), valData: Tensor(ints: Array(ids[360...])), options: options)
        XCTAssertEqual(history.steps, 80, "train should take all 80 steps (history.steps = \(history.steps)).")
        XCTAssertEqual(history.losses.count, 80, "history.losses should hold one training loss per step.")
        XCTAssertEqual(history.evalSteps, [0, 20, 40, 60, 80],
                       "Evaluate every evalInterval steps starting at step 0, and once more after the last step: expected evaluations at [0, 20, 40, 60, 80], got \(history.evalSteps).")
        XCTAssertEqual(history.tokens, 80 * 4 * 8, "history.tokens should count batchSize * blockSize tokens per step.")
        XCTAssertTrue(history.valLoss.allSatisfy(\.isFinite) && history.losses.allSatisfy(\.isFinite), "A loss became NaN or infinite.")
        guard let first = history.valLoss.first, let last = history.valLoss.last else { return }
        XCTAssertLessThan(last, first - 1.0,
                          "The validation loss went from \(first) to \(last) in 80 steps on a repeating pattern; it should fall by well over 1 nat. Check that every step draws a batch, calls trainStep and sets the learning rate.")
        XCTAssertTrue(model.training, "After train() the model should be in training mode.")
    }
}
