import Foundation
import XCTest
@testable import LabNN
import LabTensor

/// The reward model against Hugging Face's GPT2ForSequenceClassification and trl's loss formula
/// (Fixtures/make_finetune_fixtures.py), and the Bradley-Terry loss by hand.
final class RewardModelTests: XCTestCase {
    func testRewardsAtLastNonPadTokenMatchHuggingFace() throws {
        let expected = try SafetensorsReader(fixtures + "/reward-tiny-expected.safetensors")
        let rm = RewardModel(try GPT.fromPretrained(fixtures + "/tiny-gpt2"))
        try copyValues(from: try expected.tensor("score_weight"), into: rm.score.weight, name: "score")
        rm.eval()
        let ids = try expected.tensor("input_ids")
        XCTAssertEqual(RewardModel.lastTokenIndices([[5, 6, 7, 8, 0, 0], [5, 6, 7, 2, 2, 0], [1, 2]], padTokenId: 0), [3, 4, 1])
        let r = rm.rewards(ids, padTokenId: 0)
        let want = try expected.tensor("rewards").scalars
        for (a, b) in zip(r.scalars, want) { XCTAssertEqual(a, b, accuracy: 1e-4) }
        let loss = bradleyTerryLoss(chosen: r[0..<2], rejected: r[2..<4])
        XCTAssertEqual(loss.item(), try expected.tensor("bt_loss").item(), accuracy: 1e-5)
        let withMargin = bradleyTerryLoss(chosen: r[0..<2], rejected: r[2..<4], margin: try expected.tensor("margin"))
        XCTAssertEqual(withMargin.item(), try expected.tensor("bt_loss_margin").item(), accuracy: 1e-5)
    }

    func testBradleyTerryByHand() {
        // Equal rewards: log 2. A win by 1: log(1 + e^-1) = 0.3132617. A loss by 30: 30 (no overflow).
        XCTAssertEqual(bradleyTerryLoss(chosen: Tensor([0.7]), rejected: Tensor([0.7])).item(), Float(log(2.0)), accuracy: 1e-6)
        XCTAssertEqual(bradleyTerryLoss(chosen: Tensor([1.5]), rejected: Tensor([0.5])).item(), 0.3132617, accuracy: 1e-6)
        XCTAssertEqual(bradleyTerryLoss(chosen: Tensor([-15]), rejected: Tensor([15])).item(), 30, accuracy: 1e-4)
        // Mean over pairs; gradient wrt r_chosen is −σ(−d)/N = −(1 − σ(d))/N, wrt r_rejected the opposite.
        let c = Tensor([2, 0], requiresGrad: true), r = Tensor([1, 0.5], requiresGrad: true)
        let loss = bradleyTerryLoss(chosen: c, rejected: r, margin: Tensor([0, 0.25]))   // d = 1, −0.75
        XCTAssertEqual(loss.item(), Float((log(1 + exp(-1.0)) + log(1 + exp(0.75))) / 2), accuracy: 1e-6)
        loss.backward()
        let s = { (d: Double) in 1 / (1 + exp(-d)) }
        XCTAssertEqual(c.grad!.scalars[0], Float(-(1 - s(1)) / 2), accuracy: 1e-6)
        XCTAssertEqual(c.grad!.scalars[1], Float(-(1 - s(-0.75)) / 2), accuracy: 1e-6)
        XCTAssertEqual(r.grad!.scalars[1], Float((1 - s(-0.75)) / 2), accuracy: 1e-6)
    }

    func testPreferenceStatsCountTiesAsWrong() {
        let s = PreferenceStats(chosen: [1, 2, 0.5, 3], rejected: [0, 2, 1, 1])
        XCTAssertEqual(s.accuracy, 0.5)                                          // 1 > 0, 3 > 1; the tie and 0.5 < 1 lose
        XCTAssertEqual(s.margin, (1 + 0 - 0.5 + 2) / 4)
        XCTAssertEqual(s.minReward, 0); XCTAssertEqual(s.maxReward, 3); XCTAssertEqual(s.meanReward, 10.5 / 8)
    }

    /// A few steps of Bradley-Terry training on a separable toy preference (chosen rows contain token 3) reach
    /// full accuracy on held-out pairs.
    func testTrainingOnToyPreferencesLearnsThePreference() {
        manualSeed(5)
        let rm = RewardModel(GPT(GPTConfig(vocabSize: 6, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 16, dropout: 0)))
        func pairs(_ n: Int) -> (Tensor, Tensor) {
            var c: [Int] = [], r: [Int] = []
            for _ in 0..<n {
                let base = (0..<6).map { _ in randomInt(3) }
                var good = base; good[randomInt(6)] = 3
                c += good; r += base
            }
            return (Tensor(ints: c, shape: [n, 6]), Tensor(ints: r, shape: [n, 6]))
        }
        let opt = AdamW(rm.parameters(), lr: 3e-3, weightDecay: 0)
        for _ in 0..<60 {
            let (c, r) = pairs(16)
            let loss = bradleyTerryLoss(chosen: rm(c), rejected: rm(r))
            opt.zeroGrad(); loss.backward(); opt.step()
        }
        let (c, r) = pairs(64)
        let stats = noGrad { PreferenceStats(chosen: rm(c).scalars, rejected: rm(r).scalars) }
        XCTAssertGreaterThan(stats.accuracy, 0.95)
        XCTAssertGreaterThan(stats.margin, 0)
    }
}
