import Foundation
import XCTest
@testable import LabNN
import LabTensor

final class GenerateTests: XCTestCase {
    let config = GPTConfig(vocabSize: 17, blockSize: 6, nLayer: 1, nHead: 2, nEmbd: 8, dropout: 0.1)

    func testGreedyEqualsArgmaxLoopAndCropsContext() {
        manualSeed(11)
        let model = GPT(config)
        let prompt = Tensor(ints: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], shape: [2, 5])
        let out = generate(model, prompt, maxNewTokens: 4, temperature: 0)
        XCTAssertEqual(out.shape, [2, 9])
        XCTAssertTrue(model.training)                   // mode restored
        // Reference: the slide's loop written out with argmax over the last position's logits.
        model.eval()
        var rows = [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]
        for _ in 0..<4 {
            for b in 0..<2 {
                let ctx = Array(rows[b].suffix(6))
                let logits = noGrad { model(Tensor(ints: ctx, shape: [1, ctx.count])) }.scalars
                let last = Array(logits.suffix(17))
                rows[b].append(last.firstIndex(of: last.max()!)!)
            }
        }
        XCTAssertEqual(out.ints, rows.flatMap { $0 })
        XCTAssertEqual(generate(model, prompt, maxNewTokens: 4, temperature: 1, topK: 1).ints, out.ints)
    }

    func testSamplingIsRepeatableWithTheSeed() {
        manualSeed(12)
        let model = GPT(config)
        let prompt = Tensor(ints: [0], shape: [1, 1])
        manualSeed(5)
        let a = generate(model, prompt, maxNewTokens: 20, temperature: 1.2, topP: 0.9)
        manualSeed(5)
        let b = generate(model, prompt, maxNewTokens: 20, temperature: 1.2, topP: 0.9)
        XCTAssertEqual(a.ints, b.ints)
        XCTAssertEqual(a.shape, [1, 21])
        XCTAssertTrue(a.ints.allSatisfy { (0..<17).contains($0) })
    }

    func testTopKAndTopPFiltering() {
        let p = filteredProbabilities([1, 3, 2, 0], topK: 2, topP: nil)
        let e1 = Float(Foundation.exp(-1.0))
        let e: [Float] = [0, 1 / (1 + e1), e1 / (1 + e1), 0]
        for i in 0..<4 { XCTAssertEqual(p[i], e[i], accuracy: 1e-6) }
        // softmax(log [0.5, 0.3, 0.15, 0.05]); top-p 0.7 keeps 0.5 and 0.3 (cumulative 0.8 ≥ 0.7).
        let q = filteredProbabilities([0.5, 0.3, 0.15, 0.05].map { Float(log($0)) }, topK: nil, topP: 0.7)
        XCTAssertEqual(q[0], 0.625, accuracy: 1e-6)
        XCTAssertEqual(q[1], 0.375, accuracy: 1e-6)
        XCTAssertEqual(q[2], 0)
        XCTAssertEqual(q[3], 0)
    }
}

final class KVCacheTests: XCTestCase {
    let config = GPTConfig(vocabSize: 17, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 12, dropout: 0.1)

    let ids = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3]                  // (2, 8)

    /// A seeded model in eval mode and its whole-sequence logits (2, 8, 17) for `ids`.
    func modelAndFullLogits(seed: UInt64) -> (GPT, [Float]) {
        manualSeed(seed)
        let model = GPT(config)
        model.eval()
        return (model, noGrad { model(Tensor(ints: ids, shape: [2, 8])) }.scalars)
    }

    /// Rows start..<start+n of both sequences in `ids`, (2, n).
    func piece(_ start: Int, _ n: Int) -> Tensor {
        Tensor(ints: (0..<2).flatMap { b in ids[(b * 8 + start)..<(b * 8 + start + n)] }, shape: [2, n])
    }

    /// Token by token through the cache gives the logits of the whole-sequence forward at every position.
    func testCachedForwardEqualsFullForwardRowByRow() {
        let (model, full) = modelAndFullLogits(seed: 31)
        let cache = KVCache(config, batchSize: 2)
        var start = 0
        for n in [3, 1, 1, 3] {                                                 // prefill, two steps, a chunk
            let got = noGrad { model.forward(piece(start, n), cache: cache) }.scalars
            for b in 0..<2 { for i in 0..<n { for v in 0..<17 {
                XCTAssertEqual(got[(b * n + i) * 17 + v], full[(b * 8 + start + i) * 17 + v], accuracy: 1e-5)
            } } }
            start += n
            XCTAssertEqual(cache.length, start)
        }
    }

    /// `lastOnly` gives the last row of the whole forward's logits (B, 1, V) and fills the cache as the full cached
    /// forward does: the next token's logits then equal the whole forward's too.
    func testLastOnlyGivesTheLastRowAndTheSameCache() {
        let (model, full) = modelAndFullLogits(seed: 33)
        let cache = KVCache(config, batchSize: 2)
        var start = 0
        for n in [5, 1, 2] {                                                    // prefill, a step, a chunk
            let got = noGrad { model.forward(piece(start, n), cache: cache, lastOnly: true) }
            XCTAssertEqual(got.shape, [2, 1, 17])
            let g = got.scalars
            for b in 0..<2 { for v in 0..<17 {
                XCTAssertEqual(g[b * 17 + v], full[(b * 8 + start + n - 1) * 17 + v], accuracy: 1e-5, "n \(n) b \(b)")
            } }
            start += n
            XCTAssertEqual(cache.length, start)
        }
    }

    /// Same seed, same tokens with and without the cache, well past blockSize (8): greedy, sampled, top-k, top-p.
    func testCachedAndUncachedGenerateGiveTheSameTokensPastBlockSize() {
        manualSeed(32)
        let model = GPT(config)
        XCTAssertTrue(model.supportsKVCache)
        let prompt = Tensor(ints: [3, 1, 4, 1, 5, 9], shape: [2, 3])
        let settings: [(Float, Int?, Float?)] = [(0, nil, nil), (1, nil, nil), (0.8, 5, nil), (1.3, nil, 0.9)]
        for (temperature, topK, topP) in settings {
            manualSeed(21)
            let cached = generate(model, prompt, maxNewTokens: 25, temperature: temperature, topK: topK, topP: topP)
            manualSeed(21)
            let slide = generate(model, prompt, maxNewTokens: 25, temperature: temperature, topK: topK, topP: topP,
                                 useCache: false)
            XCTAssertEqual(cached.shape, [2, 28])
            XCTAssertEqual(cached.ints, slide.ints, "temperature \(temperature) topK \(String(describing: topK))")
        }
        XCTAssertTrue(model.training)                   // mode restored
    }
}
