import XCTest
import LabTensor
import LabNN
@testable import LabText

final class MetricsTests: XCTestCase {
    /// Logits from a fixed table: row `x` of `table` for input token x (a bigram model).
    final class TableModel: Module {
        let table: Tensor
        init(_ rows: [[Float]]) { table = Tensor(rows); super.init() }
        override func forward(_ x: Tensor) -> Tensor { embedding(x, table) }   // (B, T, V)
    }

    /// The same perplexity computed in Double by hand: log-softmax per position, token-weighted.
    func referencePerplexity(_ rows: [[Float]], _ batches: [(x: [Int], y: [Int])]) -> Double {
        var nll = 0.0, n = 0
        for (xs, ys) in batches {
            for (x, y) in zip(xs, ys) {
                let r = rows[x].map(Double.init)
                let m = r.max()!
                let lse = m + log(r.map { exp($0 - m) }.reduce(0, +))
                nll += lse - r[y]
                n += 1
            }
        }
        return exp(nll / Double(n))
    }

    func testPerplexityIsTokenWeightedAsSlide29() throws {
        let rows: [[Float]] = [[2, 0.5, -1], [0, 1, 3], [-2, 0.2, 0.7]]
        let model = TableModel(rows)
        let b1 = (x: [0, 1], y: [1, 2])                            // (1, 2)
        let b2 = (x: [2, 0, 1, 1, 2, 0], y: [0, 0, 2, 0, 1, 2])    // (2, 3)
        let batches = [(x: Tensor(ints: b1.x, shape: [1, 2]), y: Tensor(ints: b1.y, shape: [1, 2])),
                       (x: Tensor(ints: b2.x, shape: [2, 3]), y: Tensor(ints: b2.y, shape: [2, 3]))]
        let ppl = perplexity(model: model, batches: batches)
        XCTAssertEqual(ppl, referencePerplexity(rows, [b1, b2]), accuracy: 1e-5 * ppl)
        // Averaging the two batch means instead would give a different number.
        let unweighted = exp((log(referencePerplexity(rows, [b1])) + log(referencePerplexity(rows, [b2]))) / 2)
        XCTAssertGreaterThan(abs(ppl - unweighted), 1e-2)
        XCTAssertTrue(model.training)   // mode restored
    }

    func testUniformModelHasPerplexityV() throws {
        let model = TableModel([[Float]](repeating: [0, 0, 0, 0, 0], count: 5))
        let loader = try EpochLoader(Array(0..<50).map { $0 % 5 }, batchSize: 2, blockSize: 4, shuffle: false)
        XCTAssertEqual(perplexity(model: model, batches: loader), 5, accuracy: 1e-4)
    }

    /// On a real (untrained, dropout 0) GPT, one batch's perplexity is exp of GPT's own mean loss on it.
    func testPerplexityOfGPTEqualsExpOfItsLoss() throws {
        manualSeed(3)
        let model = GPT(GPTConfig(vocabSize: 11, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 16))
        let sampler = try BatchSampler(Array(0..<200).map { ($0 * 5) % 11 }, batchSize: 3, blockSize: 8, seed: 9)
        let (x, y) = sampler.next()
        let loss = try XCTUnwrap(model(x, y).loss).item()
        let ppl = perplexity(model: model, batches: [(x: x, y: y)])
        XCTAssertEqual(ppl, exp(Double(loss)), accuracy: 1e-4 * ppl)
        XCTAssertGreaterThan(ppl, 5)   // untrained: near the vocabulary size
        XCTAssertLessThan(ppl, 25)
    }

    func testMetricsLoggerWritesJSONLAndPlots() throws {
        let dir = try temporaryDirectory(self)
        let path = dir.appendingPathComponent("runs/a.jsonl").path
        let logger = try MetricsLogger(path: path)
        logger.log(step: 0, loss: 4.5, lr: 1e-3, tokensPerSecond: 1000)
        logger.log(step: 10, loss: 3.25, lr: 6e-4)
        logger.log(step: 10, ["val_loss": 3.5])
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(text, """
            {"step": 0, "loss": 4.5, "lr": 0.001, "tokens_per_s": 1000.0}
            {"step": 10, "loss": 3.25, "lr": 0.0006}
            {"step": 10, "val_loss": 3.5}

            """)
        let back = try MetricsLogger.read(from: path)
        XCTAssertEqual(back.map(\.step), [0, 10, 10])
        XCTAssertEqual(back[0].values["tokens_per_s"], 1000)
        XCTAssertEqual(logger.series("loss").values, [4.5, 3.25])
        XCTAssertEqual(logger.series("loss").steps, [0, 10])
        let plot = logger.plot("loss", "val_loss")
        XCTAssertEqual(plot.series.map(\.name), ["loss", "val_loss"])
        XCTAssertEqual(plot.series[1].y, [3.5])
        XCTAssertTrue(plot.svg.hasPrefix("<svg"))
        try "{\"step\": 1}\nnot json\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(errorMessage(try MetricsLogger.read(from: path)), "\(path) line 2: not a JSON object with an integer \"step\"")
    }

    func testGPT3TrainingCostAsSlide25() {
        let cost = estimateTrainingCost(parameters: 175e9, tokens: 300e9)
        XCTAssertEqual(cost.description, "Estimated: 11,685 GPU-days\nCost (at $2/GPU-hour): $560,897")
        XCTAssertEqual(cost.flops, 3.15e23, accuracy: 1e9)
        XCTAssertEqual(groupedInteger(999.5), "1,000")
        XCTAssertEqual(groupedInteger(2.5), "2")       // Python rounds half to even
        XCTAssertEqual(groupedInteger(1234567), "1,234,567")
    }

    func testPowerLawFit() throws {
        // Exact power law: alpha recovered, zero error.
        let ns = [1e6, 1e7, 1e8, 1e9]
        let exact = try fitPowerLaw(parameters: ns, losses: ns.map { 20 * pow($0, -0.076) })
        XCTAssertEqual(exact.alpha, 0.076, accuracy: 1e-12)
        XCTAssertEqual(exact.a, 20, accuracy: 1e-9)
        XCTAssertEqual(exact.alphaStandardError, 0, accuracy: 1e-9)
        // Hand-computed: x = log10-spaced (ln N = 0, 1, 2 after N = e^k), y = ln L = 0, -1, -1.5:
        // slope = -0.75, residuals (0.0833, -0.1667, 0.0833), SSR = 1/24, se = sqrt(SSR / 1 / 2) = sqrt(1/48).
        let fit = try fitPowerLaw(parameters: [1, M_E, M_E * M_E], losses: [1, exp(-1), exp(-1.5)])
        XCTAssertEqual(fit.alpha, 0.75, accuracy: 1e-12)
        XCTAssertEqual(fit.alphaStandardError, sqrt(1.0 / 48), accuracy: 1e-12)
        XCTAssertEqual(fit.plot().series.count, 2)
        XCTAssertTrue(fit.plot().xLog && fit.plot().yLog)
        XCTAssertEqual(errorMessage(try fitPowerLaw(parameters: [1, 2], losses: [1, 2])), "fitPowerLaw: needs at least 3 points for alpha and its error, got 2")
        XCTAssertEqual(errorMessage(try fitPowerLaw(parameters: [1, 2, 0], losses: [1, 2, 3])), "fitPowerLaw: parameters[2] = 0.0 is not a positive number")
    }
}
