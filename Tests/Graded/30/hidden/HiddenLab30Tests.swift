// Lab 30 hidden tests: the same mistakes seen from other angles (odd shapes, other head counts, whole models).
import XCTest
import LabKit
@testable import Lab30

final class HiddenLab30Tests: XCTestCase {
    func testFirstPositionAttendsOnlyToItself() throws {
        // Position 0 may only look at itself, so its attention weight is exactly 1 and y[0] = c_proj(v[0]).
        manualSeed(20)
        let config = tinyConfig(nHead: 2, nEmbd: 8)
        let attn = SelfAttention(config)
        randomizeParameters(attn)
        attn.eval()
        let x = Tensor.randn([1, 5, 8])
        let y = attn(x)
        let v = attn.c_attn(x)[0..., 0..<1].split(8, dim: 2)[2]       // (1, 1, C): v at position 0
        let expected = attn.c_proj(v)                                   // (1, 1, C)
        let diff = maxAbsDiff(y[0..., 0..<1], expected)
        XCTAssertLessThan(diff, 1e-4,
                          "The output at position 0 should be c_proj(v at position 0): it can only attend to itself, with weight 1. It differs by \(diff): is the softmax over the last dim (the keys), and the mask applied before it?")
    }

    func testMatchesLibraryOtherShapes() throws {
        for (nHead, nEmbd, T) in [(1, 12, 5), (3, 12, 7), (6, 24, 3)] {
            manualSeed(UInt64(21 + nHead))
            let config = tinyConfig(blockSize: 8, nHead: nHead, nEmbd: nEmbd)
            let reference = CausalSelfAttention(config)
            randomizeParameters(reference)
            let attn = SelfAttention(config)
            try copyParameters(from: reference, to: attn)
            reference.eval(); attn.eval()
            let x = Tensor.randn([3, T, nEmbd])
            let diff = maxAbsDiff(attn(x), reference(x))
            XCTAssertLessThan(diff, 1e-4,
                              "nHead \(nHead), C \(nEmbd), T \(T): your attention differs from the library's by \(diff). Use the sizes of x (B, T, C = x.size(0), x.size(1), x.size(2)) and hs = C / nHead, not fixed numbers, and crop the mask to T × T.")
        }
    }

    func testModelIsCausal() {
        // A whole GPT from your blocks: changing the last token must not change the logits before it.
        manualSeed(25)
        let model = GPT(tinyConfig(nLayer: 2), block: { TransformerBlock($0) })
        model.eval()
        var ids = [1, 4, 2, 7, 3, 9, 5, 0]
        let a = model(Tensor(ints: ids, shape: [1, 8]))
        ids[7] = 6
        let b = model(Tensor(ints: ids, shape: [1, 8]))
        XCTAssertLessThan(maxAbsDiff(a[0..., 0..<7], b[0..., 0..<7]), 1e-5,
                          "In a GPT built from your blocks, changing the last token changed the predictions for earlier positions: the model can see the future.")
    }

    func testBlockGradientsMatchFiniteDifferences() {
        manualSeed(26)
        let block = TransformerBlock(tinyConfig(nHead: 2, nEmbd: 8))
        randomizeParameters(block)
        block.eval()
        let x = Tensor.randn([2, 3, 8]), r = Tensor.randn([2, 3, 8])
        func loss() -> Tensor { (block(x) * r).sum() }
        loss().backward()
        for (name, p) in block.namedParameters() where name == "ln_1.weight" || name == "mlp.c_fc.weight" || name == "attn.c_attn.weight" {
            guard let g = p.grad else { XCTFail("\(name) has no gradient after backward()."); continue }
            let grad = g.scalars
            for i in [1, p.count / 2] {
                var v = p.scalars
                let orig = v[i], h: Float = 1e-2
                v[i] = orig + h; p.copy(from: Tensor(v, shape: p.shape))
                let up = noGrad { loss().item() }
                v[i] = orig - h; p.copy(from: Tensor(v, shape: p.shape))
                let down = noGrad { loss().item() }
                v[i] = orig; p.copy(from: Tensor(v, shape: p.shape))
                let numeric = (up - down) / (2 * h)
                XCTAssertEqual(grad[i], numeric, accuracy: 2e-2 + 0.05 * abs(numeric),
                               "Gradient of \(name)[\(i)] is \(grad[i]) from backward() but \(numeric) by finite differences.")
            }
        }
    }

    func testGetBatchIsRepeatable() {
        let data = Tensor(ints: Array(0..<500))
        manualSeed(27)
        let a = getBatch(data, batchSize: 4, blockSize: 16)
        manualSeed(27)
        let b = getBatch(data, batchSize: 4, blockSize: 16)
        XCTAssertEqual(a.x.ints, b.x.ints, "getBatch must draw from the seeded generator (Tensor.randint / randomInt), so manualSeed makes runs repeatable.")
        XCTAssertEqual(a.y.ints, b.y.ints)
    }

    func testTrainStopsAtTimeBudget() {
        manualSeed(28)
        let model = GPT(tinyConfig())
        var options = TrainingOptions(steps: 100_000)
        options.batchSize = 2
        options.evalInterval = 1_000_000
        options.evalIters = 1
        options.maxSeconds = 0.5
        options.showProgress = false
        let data = Tensor(ints: (0..<200).map { $0 % 11 })
        let start = Date()
        let history = train(model, trainData: data, valData: data, options: options)
        XCTAssertLessThan(history.steps, 100_000, "With maxSeconds 0.5 the loop must stop when the time budget is used up.")
        XCTAssertLessThan(Date().timeIntervalSince(start), 5, "train(maxSeconds: 0.5) took too long.")
        XCTAssertEqual(history.evalSteps.last, history.steps, "The final evaluation should be recorded at the last step taken.")
    }
}
