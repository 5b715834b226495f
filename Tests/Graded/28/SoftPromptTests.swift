// Lab 28, exercise 2: the soft prompt in front of the embeddings, and the loss over real positions only.
import XCTest
import LabKit
@testable import Lab28

final class SoftPromptTests: XCTestCase {
    func testPrependPutsThePromptFirstInEveryRow() {
        manualSeed(1)
        let prompt = Tensor.randn([3, 4]), tokens = Tensor.randn([2, 5, 4])
        let out = prependSoftPrompt(prompt, to: tokens)
        XCTAssertEqual(out.shape, [2, 8, 4], "(n, C) = (3, 4) in front of (B, T, C) = (2, 5, 4) gives (B, n + T, C) = (2, 8, 4), got \(out.shape).")
        guard out.shape == [2, 8, 4] else { return }
        for b in 0..<2 {
            XCTAssertEqual(out[b, 0..<3].scalars, prompt.scalars, "Row \(b): positions 0..<n must be the prompt, the same n vectors in every row.")
            XCTAssertEqual(out[b, 3...].scalars, tokens[b].scalars, "Row \(b): positions n..<n+T must be that row's token embeddings, in order.")
        }
    }

    func testGradientReachesThePrompt() {
        manualSeed(2)
        let prompt = Tensor.randn([2, 4], requiresGrad: true)
        (prependSoftPrompt(prompt, to: Tensor.randn([3, 5, 4])) * Tensor.randn([3, 7, 4])).sum().backward()
        XCTAssertNotNil(prompt.grad, "The prompt got no gradient: build the result with tensor operations (unsqueeze, broadcasting, cat), not by copying values.")
    }

    func testLossIgnoresPromptPositions() {
        manualSeed(3)
        let model = GPT(tinyConfig())
        let prompt = Tensor.randn([3, 8])
        let x = Tensor(ints: (0..<14).map { ($0 * 5) % 11 }, shape: [2, 7])
        let y = Tensor(ints: (0..<14).map { ($0 * 3 + 1) % 11 }, shape: [2, 7])
        let (logits, loss) = softPromptForward(model, prompt: prompt, idx: x, targets: y)
        XCTAssertEqual(logits.shape, [2, 10, 11], "Logits come back for all n + T = 10 positions.")
        guard let loss else { return XCTFail("softPromptForward must return a loss when targets are given") }
        // By hand: the cross-entropy at the 7 real positions of each row (positions 3..<10 of the logits).
        let l = logits.scalars, ys = y.ints
        var total: Double = 0
        for b in 0..<2 { for t in 0..<7 {
            let row = (0..<11).map { Double(l[(b * 10 + 3 + t) * 11 + $0]) }
            let m = row.max()!
            total += m + log(row.map { exp($0 - m) }.reduce(0, +)) - row[ys[b * 7 + t]]
        } }
        XCTAssertEqual(Double(loss.item()), total / 14, accuracy: 1e-4,
                       "The loss must be the mean cross-entropy over the T real positions only: drop the first n positions of the logits (logits[0..., n...]) before comparing with the targets. The prompt positions have nothing to predict.")
    }
}
