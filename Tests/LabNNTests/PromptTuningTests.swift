import Foundation
import XCTest
@testable import LabNN
import LabTensor

/// Prompt tuning against peft 0.21.2 (Fixtures/make_finetune_fixtures.py), finite differences and hand-built losses.
final class PromptTuningTests: XCTestCase {
    let small = GPTConfig(vocabSize: 13, blockSize: 12, nLayer: 2, nHead: 2, nEmbd: 8, dropout: 0)

    func maxDiff(_ a: Tensor, _ b: Tensor) -> Float { zip(a.scalars, b.scalars).map { abs($0 - $1) }.max()! }

    /// peft's logits for the same soft prompt: virtual tokens at positions 0..n-1, logits for all n + T positions.
    func testLogitsMatchPeft() throws {
        let expected = try SafetensorsReader(fixtures + "/peft-prompt-tiny-expected.safetensors")
        let pt = PromptTuning(try GPT.fromPretrained(fixtures + "/tiny-gpt2"), numVirtualTokens: 3)
        try pt.loadPrompt(fixtures + "/peft-prompt-tiny-expected.safetensors")
        pt.eval()
        let logits = pt(try expected.tensor("input_ids"))
        XCTAssertEqual(logits.shape, [2, 13, 50])
        XCTAssertLessThan(maxDiff(logits, try expected.tensor("logits")), 1e-4)
    }

    func testCountsFreezingAndInit() {
        manualSeed(0)
        let mini = GPTConfig(vocabSize: 65, blockSize: 128, nLayer: 4, nHead: 4, nEmbd: 256, dropout: 0, tieWeights: true)
        let pt = PromptTuning(GPT(mini), numVirtualTokens: 8)
        XCTAssertEqual(pt.trainableParametersLine(), "trainable params: 2,048 || all params: 3,211,008 || trainable%: 0.0638")
        XCTAssertEqual(pt.trainableParameters().count, 1)
        let p = pt.prompt_embeddings.scalars
        let std = (p.map { $0 * $0 }.reduce(0, +) / Float(p.count)).squareRoot()
        XCTAssertEqual(std, 1, accuracy: 0.1)                                   // nn.Embedding's N(0, 1)
        let model = GPT(small)
        let fromText = PromptTuning(model, numVirtualTokens: 5, initFrom: .text([4, 7]))
        let wte = model.transformer.wte.weight.scalars
        let rows = [4, 7, 4, 7, 4].flatMap { Array(wte[($0 * 8)..<($0 * 8 + 8)]) }
        XCTAssertEqual(fromText.prompt_embeddings.scalars, rows)
    }

    func testLossIgnoresPromptPositions() {
        manualSeed(1)
        let pt = PromptTuning(GPT(small), numVirtualTokens: 4)
        let x = Tensor(ints: (0..<16).map { ($0 * 5) % 13 }, shape: [2, 8])
        let y = Tensor(ints: (0..<16).map { ($0 * 3 + 1) % 13 }, shape: [2, 8])
        let (logits, loss) = pt(x, y)                                           // (2, 12, 13)
        // By hand: softmax cross-entropy at the 8 real positions of each row only.
        let l = logits.scalars, ys = y.ints
        var total: Double = 0
        for b in 0..<2 { for t in 0..<8 {
            let row = (0..<13).map { Double(l[(b * 12 + 4 + t) * 13 + $0]) }
            let m = row.max()!
            total += m + log(row.map { exp($0 - m) }.reduce(0, +)) - row[ys[b * 8 + t]]
        } }
        XCTAssertEqual(Double(loss!.item()), total / 16, accuracy: 1e-5)
    }

    func testGradientOfThePromptMatchesFiniteDifferences() {
        manualSeed(2)
        let pt = PromptTuning(GPT(small), numVirtualTokens: 3)
        let x = Tensor(ints: [1, 5, 2, 9, 3, 0, 12, 7], shape: [2, 4])
        let y = Tensor(ints: [5, 2, 9, 3, 0, 12, 7, 1], shape: [2, 4])
        pt(x, y).loss!.backward()
        let g = pt.prompt_embeddings.grad!.scalars
        XCTAssertNil(pt.model.transformer.wte.weight.grad)
        for i in [0, 5, 11, 16, 23] {
            let h: Float = 1e-2
            let p = pt.prompt_embeddings
            let orig = p.withUnsafeFloats { d, _ in d[i] }
            p.withUnsafeMutableFloats { d, _ in d[i] = orig + h }
            let up = noGrad { Double(pt(x, y).loss!.item()) }
            p.withUnsafeMutableFloats { d, _ in d[i] = orig - h }
            let down = noGrad { Double(pt(x, y).loss!.item()) }
            p.withUnsafeMutableFloats { d, _ in d[i] = orig }
            let numeric = (up - down) / Double(2 * h)
            XCTAssertEqual(Double(g[i]), numeric, accuracy: 1e-3 + 2e-2 * abs(numeric), "prompt[\(i)]")
        }
    }

    /// Greedy generation with the prompt in place equals a full recompute of [P; wte(context)] at every step, also
    /// past blockSize − n, where the real context is cropped and the prompt stays in front.
    func testGenerationKeepsTheSoftPromptInFront() {
        manualSeed(3)
        let pt = PromptTuning(GPT(small), numVirtualTokens: 4)
        let out = pt.generate(Tensor(ints: [3, 1], shape: [1, 2]), maxNewTokens: 12, temperature: 0).ints
        var ctx = [3, 1]
        for _ in 0..<12 {
            let crop = Array(ctx.suffix(12 - 4))
            let embeds = cat([pt.prompt_embeddings.unsqueeze(0), pt.model.transformer.wte(Tensor(ints: crop, shape: [1, crop.count]))], dim: 1)
            let logits = noGrad { pt.model.forward(inputsEmbeds: embeds, targets: nil).logits }.scalars
            let last = Array(logits[((embeds.shape[1] - 1) * 13)..<(embeds.shape[1] * 13)])
            ctx.append(last.firstIndex(of: last.max()!)!)
        }
        XCTAssertEqual(out, ctx)
    }

    /// The KV cache's prefill with [P; wte(idx)] at positions 0..n+T-1 gives the uncached forward's logits (every
    /// position, the last one included), and a token fed through the cache afterwards gives the logits of the whole
    /// [P; wte(idx + token)] recomputed. The prompt is random N(0, 1) (not zero) and visibly changes the logits.
    func testCachedPrefillLogitsEqualTheUncachedForward() {
        manualSeed(5)
        let pt = PromptTuning(GPT(small), numVirtualTokens: 4)
        pt.eval()
        XCTAssertGreaterThan(pt.prompt_embeddings.scalars.map(abs).max()!, 0.5)
        let ids = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3]                                  // (2, 5)
        let idx = Tensor(ints: ids, shape: [2, 5])
        let full = noGrad { pt(idx) }                                           // (2, 9, 13)
        let cache = KVCache(small, batchSize: 2)
        let prefill = noGrad { pt.model.forward(inputsEmbeds: pt.inputsEmbeds(idx), cache: cache) }   // (2, 9, 13)
        XCTAssertEqual(prefill.shape, [2, 9, 13])
        XCTAssertEqual(cache.length, 9)
        XCTAssertLessThan(maxDiff(prefill, full), 1e-5)
        XCTAssertLessThan(maxDiff(prefill[0..., 8], full[0..., 8]), 1e-5)       // the logits generation samples from
        let withoutPrompt = noGrad { pt.model(idx) }                            // (2, 5, 13)
        XCTAssertGreaterThan(maxDiff(withoutPrompt[0..., 4], full[0..., 8]), 1e-2)
        // One more token per row through the cache, at position n + T = 9.
        let next = Tensor(ints: [7, 11], shape: [2, 1])
        let step = noGrad { pt.model.forward(next, cache: cache) }              // (2, 1, 13)
        let longer = Tensor(ints: Array(ids[0..<5]) + [7] + Array(ids[5..<10]) + [11], shape: [2, 6])
        let recomputed = noGrad { pt(longer) }                                  // (2, 10, 13)
        XCTAssertEqual(cache.length, 10)
        XCTAssertLessThan(maxDiff(step[0..., 0], recomputed[0..., 9]), 1e-5)
    }

    /// Same seed, same tokens with and without the KV cache, inside the window (blockSize − n = 8 real tokens) and
    /// well past it (the cache is rebuilt from [P; cropped context] at every step there): greedy, sampled, top-k,
    /// top-p, batch 2, with dropout in the config (generation runs in eval mode and restores train mode).
    func testCachedAndUncachedSoftPromptGenerationGiveTheSameTokens() {
        manualSeed(6)
        let config = GPTConfig(vocabSize: 13, blockSize: 12, nLayer: 2, nHead: 2, nEmbd: 8, dropout: 0.1)
        let pt = PromptTuning(GPT(config), numVirtualTokens: 4)
        pt.train()
        let prompt = Tensor(ints: [3, 1, 4, 1, 5, 9], shape: [2, 3])
        let settings: [(Float, Int?, Float?)] = [(0, nil, nil), (1, nil, nil), (0.8, 5, nil), (1.3, nil, 0.9)]
        for newTokens in [5, 20] {                                              // 3 + 5 ≤ 8; 3 + 20 > 8
            for (temperature, topK, topP) in settings {
                manualSeed(21)
                let cached = pt.generate(prompt, maxNewTokens: newTokens, temperature: temperature, topK: topK, topP: topP)
                manualSeed(21)
                let uncached = pt.generate(prompt, maxNewTokens: newTokens, temperature: temperature, topK: topK,
                                           topP: topP, useCache: false)
                XCTAssertEqual(cached.shape, [2, 3 + newTokens])
                XCTAssertEqual(cached.ints, uncached.ints, "\(newTokens) tokens, temperature \(temperature) topK \(String(describing: topK)) topP \(String(describing: topP))")
            }
        }
        XCTAssertTrue(pt.training && pt.model.training)                         // mode restored
    }

    func testPromptFilesRoundTrip() throws {
        manualSeed(4)
        let dir = NSTemporaryDirectory() + "prompt-roundtrip-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = GPT(small)
        let a = PromptTuning(model, numVirtualTokens: 3)
        try a.savePretrained(dir)
        let b = PromptTuning(model, numVirtualTokens: 3)
        XCTAssertNotEqual(a.prompt_embeddings.scalars, b.prompt_embeddings.scalars)
        try b.loadPrompt(dir)
        XCTAssertEqual(a.prompt_embeddings.scalars, b.prompt_embeddings.scalars)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/adapter_config.json"))) as! [String: Any]
        XCTAssertEqual(json["peft_type"] as? String, "PROMPT_TUNING")
        XCTAssertEqual(json["num_virtual_tokens"] as? Int, 3)
    }
}
