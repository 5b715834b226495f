// Lab 21, exercise 1: GPTModel.forward (embeddings + positions, the blocks, ln_f, the head).
import XCTest
import LabKit
@testable import Lab21

final class GPTModelTests: XCTestCase {
    func testOutputShape() {
        manualSeed(1)
        let model = GPTModel(tinyConfig())
        let logits = model(Tensor.randint(11, [2, 5]))
        XCTAssertEqual(logits.shape, [2, 5, 11],
                       "For idx of shape (B, T) = (2, 5) the logits must be (B, T, V) = (2, 5, 11): one score per vocabulary entry at every position. Apply lm_head last.")
    }

    func testPositionEmbeddingsAreAdded() {
        // The same token at every position: only the position embedding can make the positions differ.
        manualSeed(2)
        let model = GPTModel(tinyConfig())
        randomizeParameters(model)
        let logits = model(Tensor(ints: [4, 4, 4, 4, 4, 4], shape: [1, 6]))        // (1, 6, V)
        let first = logits[0, 0], last = logits[0, 5]
        XCTAssertGreaterThan(maxAbsDiff(first, last), 1e-3,
                             "With the same token at every position, positions 0 and 5 get the same logits: the position embedding is missing. Add wpe(Tensor.arange(T)) (T, C) to the token embeddings (B, T, C).")
    }

    func testEmbeddingsLayerNormHeadByHand() {
        // Without blocks the model is lm_head(ln_f(wte[token] + wpe[position])); computed here by hand.
        // Tokens differ from their positions, so looking positions up by token id (wpe(idx)) is caught too.
        manualSeed(3)
        let model = GPTModel(tinyConfig(nLayer: 0))
        randomizeParameters(model)
        let idx = [[7, 2, 9, 0, 5], [1, 1, 10, 3, 6]]
        let got = model(Tensor(ints: idx.flatMap { $0 }, shape: [2, 5]))
        XCTAssertEqual(got.shape, [2, 5, 11], "The logits must be (B, T, V).")
        guard got.shape == [2, 5, 11] else { return }
        let want = handLogits(model, idx)
        let diff = zip(got.scalars, want).map { abs(Double($0) - $1) }.max()!
        XCTAssertLessThan(diff, 1e-4,
                          "Without blocks, logits[b, t] should be lm_head(ln_f(wte(idx)[b, t] + wpe(t))), but yours differ by up to \(diff). Check: positions are 0 ..< T (Tensor.arange(T)), not the token ids; the position vectors are added, not multiplied or concatenated; ln_f comes before lm_head.")
    }

    func testFinalLayerNormBeforeHead() {
        // ln_f with weight 0 and bias b outputs b at every position, so every position's logits are lm_head(b).
        // V == C here so that applying the head before ln_f does not fail on shapes.
        manualSeed(4)
        let model = GPTModel(tinyConfig(vocabSize: 16, nLayer: 1))
        randomizeParameters(model)
        model.ln_f.weight.copy(from: Tensor.zeros([16]))
        let b = Tensor.randn([16])
        model.ln_f.bias!.copy(from: b)
        let logits = model(Tensor.randint(16, [2, 5]))                                   // (2, 5, 16)
        let expected = model.lm_head(b.view(1, 16))                                       // (1, 16)
        var worst: Float = 0
        for row in 0..<2 { for t in 0..<5 { worst = max(worst, maxAbsDiff(logits[row, t].view(1, 16), expected)) } }
        XCTAssertLessThan(worst, 1e-4,
                          "With ln_f's weight set to 0 and its bias to b, every position's logits should be lm_head(b); yours differ by \(worst). The order at the top is x = ln_f(x), then logits = lm_head(x): LayerNorm first, the head last, and both applied exactly once.")
    }

    func testMatchesLibraryGPT() throws {
        // Two blocks: they must all run, in order, on the sum of the embeddings.
        manualSeed(5)
        let model = GPTModel(tinyConfig(nLayer: 2, nHead: 4))
        randomizeParameters(model)
        let twin = try libraryTwin(of: model)
        let idx = Tensor.randint(11, [2, 7])
        let diff = maxAbsDiff(model(idx), twin(idx))
        XCTAssertLessThan(diff, 1e-4,
                          "With the same weights, your GPTModel differs from the library's GPT by up to \(diff). Run every block of h in order (x = block(x) for each), between the embeddings and ln_f.")
    }

    func testEveryParameterGetsAGradient() {
        manualSeed(6)
        let model = GPTModel(tinyConfig(nLayer: 2))
        randomizeParameters(model)
        (model(Tensor.randint(11, [2, 6])) * Tensor.randn([2, 6, 11])).sum().backward()
        for (name, p) in model.namedParameters() {
            let g = p.grad?.scalars.map(abs).max() ?? 0
            XCTAssertGreaterThan(g, 0, "\(name) got no gradient: the logits do not depend on it. Use wte, wpe, every block of h, ln_f and lm_head, with tensor operations only (no .scalars inside forward).")
        }
    }
}
