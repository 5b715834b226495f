// Lab 29, exercise 1: calculatePerplexity.
import Foundation
import XCTest
import LabKit
@testable import Lab29

/// A tiny GPT (vocabulary 11, context 8, no dropout).
func tinyGPT(seed: UInt64 = 21) -> GPT {
    manualSeed(seed)
    return GPT(GPTConfig(vocabSize: 11, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 16))
}

/// Random (B, 8) batches of the given sizes.
func batches(_ sizes: [Int], seed: UInt64 = 22) -> [(x: Tensor, y: Tensor)] {
    manualSeed(seed)
    return sizes.map { (Tensor.randint(11, [$0, 8]), Tensor.randint(11, [$0, 8])) }
}

/// The reference: −log softmax of the logits at every target, summed in Double over all tokens, then exp(mean).
func referencePerplexity(_ model: GPT, _ batches: [(x: Tensor, y: Tensor)]) -> Double {
    var nll = 0.0, count = 0
    for (x, y) in batches {
        let logits = noGrad { model(x) }.scalars.map { Double($0) }            // (B, T, V)
        let targets = y.ints
        for i in targets.indices {
            let row = logits[(i * 11)..<((i + 1) * 11)]
            let m = row.max()!
            let logZ = m + log(row.reduce(0) { $0 + exp($1 - m) })
            nll += logZ - row[row.startIndex + targets[i]]
            count += 1
        }
    }
    return exp(nll / Double(count))
}

final class PerplexityTests: XCTestCase {
    func testUniformModelGivesTheVocabularySize() {
        // All weights 0: every logit is 0, every character has probability 1/11, so the perplexity is exactly 11.
        let model = tinyGPT()
        for p in model.parameters() { p.copy(from: Tensor.zeros(p.shape)) }
        let ppl = calculatePerplexity(model, batches: batches([4, 4, 2]))
        XCTAssertEqual(ppl, 11, accuracy: 1e-4,
                       "A model that gives every one of 11 tokens probability 1/11 has perplexity exactly 11 (e^(ln 11)), got \(ppl). Perplexity is exp(mean cross-entropy per token).")
    }

    func testTokensWeightedNotBatches() {
        // A batch of 5 windows and a batch of 1: the single window must count 1/6 of the mean, not 1/2.
        let model = tinyGPT()
        let data = batches([5, 1])
        let expected = referencePerplexity(model, data)
        let got = calculatePerplexity(model, batches: data)
        let losses = noGrad { data.map { Double(model($0.x, $0.y).loss!.item()) } }
        if abs(got - losses.map(exp).reduce(0, +) / 2) < 1e-4 * expected {
            XCTFail("This is the mean of the per-batch perplexities (\(got)); the perplexity is exp(total loss / total tokens) = \(expected). Multiply each batch's mean loss by its token count, add them up, divide once, then exp.")
        } else if abs(got - exp(losses.reduce(0, +) / 2)) < 1e-4 * expected {
            XCTFail("This is exp of the mean of the batches' losses (\(got)), which gives the one-window batch as much weight as the five-window one. Weight each batch's loss by its number of tokens: the answer is \(expected).")
        } else {
            XCTAssertEqual(got, expected, accuracy: 1e-4 * expected,
                           "Perplexity over all tokens of both batches: exp(Σ −log p / number of tokens) = \(expected), got \(got).")
        }
    }
}
