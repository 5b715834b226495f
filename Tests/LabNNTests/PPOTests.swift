import Foundation
import XCTest
@testable import LabNN
import LabTensor

/// PPO's formulas against trl 0.11.4's own code (Fixtures/make_finetune_fixtures.py runs trl's compute_rewards,
/// compute_advantages and loss on tiny tensors) and against hand-computed values; a toy run whose reward rises.
final class PPOTests: XCTestCase {
    func grid(_ t: Tensor) -> [[Float]] { rows(t) }

    func testRewardsAdvantagesAndLossesMatchTrl() throws {
        let f = try SafetensorsReader(fixtures + "/trl-ppo-tiny.safetensors")
        func t(_ n: String) throws -> Tensor { try f.tensor(n) }
        let mask = grid(try t("mask"))
        let (rewards, nonScore, kls) = computeRewards(scores: try t("scores").scalars, logprobs: grid(try t("old_logprobs")),
                                                      refLogprobs: grid(try t("ref_logprobs")), mask: mask, klCoef: 0.2)
        func close(_ a: [[Float]], _ b: Tensor, _ tol: Float = 1e-5, _ what: String) {
            for (x, y) in zip(a.flatMap { $0 }, b.scalars) { XCTAssertEqual(x, y, accuracy: tol, what) }
        }
        close(rewards, try t("rewards"), 1e-6, "rewards")
        close(nonScore, try t("non_score_reward"), 1e-6, "non_score_reward")
        close(kls, try t("kls"), 1e-6, "kls")
        let (values, advantages, returns) = computeAdvantages(values: grid(try t("values")), rewards: rewards, mask: mask,
                                                              gamma: 1, lam: 0.95)
        close(advantages, try t("advantages"), 1e-5, "advantages")
        close(returns, try t("returns"), 1e-5, "returns")
        let out = ppoLosses(logprobs: try t("new_logprobs"), oldLogprobs: try t("old_logprobs"), vpreds: try t("vpreds"),
                            oldValues: Tensor(values.flatMap { $0 }, shape: [3, 5]),
                            advantages: try t("advantages"), returns: try t("returns"), mask: try t("mask"),
                            cliprange: 0.2, cliprangeValue: 0.2, vfCoef: 0.1)
        XCTAssertEqual(out.policyLoss.item(), try t("pg_loss").item(), accuracy: 1e-6)
        XCTAssertEqual(out.valueLoss.item(), try t("vf_loss").item(), accuracy: 1e-6)
        XCTAssertEqual(out.loss.item(), try t("loss").item(), accuracy: 1e-6)
        XCTAssertEqual(out.policyClipfrac, try t("pg_clipfrac").item(), accuracy: 1e-6)
        XCTAssertEqual(out.valueClipfrac, try t("vf_clipfrac").item(), accuracy: 1e-6)
        XCTAssertEqual(out.approxKL, try t("approxkl").item(), accuracy: 1e-6)
        XCTAssertEqual(out.policyKL, try t("policykl").item(), accuracy: 1e-6)
        XCTAssertGreaterThan(out.policyClipfrac, 0)                              // the fixture exercises both clips
        XCTAssertGreaterThan(out.valueClipfrac, 0)
        let ent = entropyFromLogits(try t("logits").scalars, vocab: 4)
        XCTAssertEqual(maskedMean([ent], [mask.flatMap { $0 }]), try t("entropy").item(), accuracy: 1e-5)
    }

    func testGAEByHand() {
        // r = [0, 0, 1], V = [0.5, 0.2, 0.1], γ = 0.9, λ = 0.5:
        //   A2 = 1 − 0.1 = 0.9;  A1 = (0.9·0.1 − 0.2) + 0.45·0.9 = 0.295;  A0 = (0.9·0.2 − 0.5) + 0.45·0.295 = −0.18725
        let (_, adv, ret) = computeAdvantages(values: [[0.5, 0.2, 0.1]], rewards: [[0, 0, 1]], mask: [[1, 1, 1]], gamma: 0.9, lam: 0.5)
        for (x, y) in zip(ret[0], [-0.18725 + 0.5, 0.295 + 0.2, 0.9 + 0.1] as [Float]) { XCTAssertEqual(x, y, accuracy: 1e-6) }
        // Whitened with the unbiased variance: mean 0.33591667, var = Σ(a − mean)² / 2.
        let a: [Double] = [-0.18725, 0.295, 0.9], m = a.reduce(0, +) / 3
        let sd = (a.map { ($0 - m) * ($0 - m) }.reduce(0, +) / 2 + 1e-8).squareRoot()
        for (x, y) in zip(adv[0], a.map { Float(($0 - m) / sd) }) { XCTAssertEqual(x, y, accuracy: 1e-5) }
        // γ = λ = 1: A_t + V_t is the sum of future rewards, here 1 at every step before whitening.
        let (_, _, ret1) = computeAdvantages(values: [[0.3, -0.2, 0.7, 0]], rewards: [[0, 0, 1, 0]], mask: [[1, 1, 1, 0]], gamma: 1, lam: 1)
        for x in ret1[0].prefix(3) { XCTAssertEqual(x, 1, accuracy: 1e-6) }
        XCTAssertEqual(ret1[0][3], 0)
    }

    func testClippedPolicyLossByHand() {
        // One token each: (A, ρ) → loss max(−Aρ, −A·clip(ρ, 0.8, 1.2)) and d loss / d logp (ρ' = ρ).
        //   ( 1, 1.5): max(−1.5, −1.2) = −1.2, clipped: gradient 0
        //   (−1, 1.5): max( 1.5,  1.2) =  1.5, gradient −A·ρ = 1.5
        //   ( 1, 0.5): max(−0.5, −0.8) = −0.5, gradient −0.5
        //   (−1, 0.5): max( 0.5,  0.8) =  0.8, clipped: gradient 0
        let cases: [(Float, Float, Float, Float)] = [(1, 1.5, -1.2, 0), (-1, 1.5, 1.5, 1.5), (1, 0.5, -0.5, -0.5), (-1, 0.5, 0.8, 0)]
        for (a, rho, want, grad) in cases {
            let logp = Tensor([Float(log(Double(rho)))], shape: [1, 1], requiresGrad: true)
            let loss = clippedPolicyLoss(logprobs: logp, oldLogprobs: Tensor([0], shape: [1, 1]),
                                         advantages: Tensor([a], shape: [1, 1]), mask: Tensor([1], shape: [1, 1]), cliprange: 0.2)
            XCTAssertEqual(loss.item(), want, accuracy: 1e-6, "A \(a) ratio \(rho)")
            loss.backward()
            XCTAssertEqual(logp.grad!.item(), grad, accuracy: 1e-6, "gradient at A \(a) ratio \(rho)")
        }
        // Masked mean: a masked-out token does not count.
        let lp = Tensor([Float(log(1.5)), 5], shape: [1, 2])
        let l = clippedPolicyLoss(logprobs: lp, oldLogprobs: Tensor.zeros([1, 2]), advantages: Tensor([-1, 100], shape: [1, 2]),
                                  mask: Tensor([1, 0], shape: [1, 2]), cliprange: 0.2)
        XCTAssertEqual(l.item(), 1.5, accuracy: 1e-6)
    }

    func testClippedValueLossByHand() {
        // V_old 0, R 1, ε_v 0.2: V = 0.5 → max((0.5−1)², (0.2−1)²) = 0.64 → ½·0.64 = 0.32, no gradient (the clipped
        // term wins); V = −0.1 → max(1.21, 1.21) → 0.605, gradient (V − R) = −1.1.
        let v = Tensor([0.5, -0.1], shape: [1, 2], requiresGrad: true)
        let loss = clippedValueLoss(vpreds: v, oldValues: Tensor.zeros([1, 2]), returns: Tensor.ones([1, 2]),
                                    mask: Tensor.ones([1, 2]), cliprangeValue: 0.2)
        XCTAssertEqual(loss.item(), (0.32 + 0.605) / 2, accuracy: 1e-6)
        loss.backward()
        XCTAssertEqual(v.grad!.scalars[0], 0, accuracy: 1e-6)
        XCTAssertEqual(v.grad!.scalars[1], -1.1 / 2, accuracy: 1e-6)
    }

    func testKLEstimatorsAndAdaptiveController() {
        XCTAssertEqual(KLEstimator.k1(-1, -0.5), -0.5)
        XCTAssertEqual(KLEstimator.k3(-1, -0.5), Float(exp(0.5) - 1 - 0.5), accuracy: 1e-6)
        for d in stride(from: Float(-3), through: 3, by: 0.25) { XCTAssertGreaterThanOrEqual(KLEstimator.k3(d, 0), 0) }
        var c = KLController(initKlCoef: 0.2, target: 6, horizon: 10000)
        c.update(currentKL: 12, nSteps: 64)                                      // error clipped to +0.2
        XCTAssertEqual(c.value, 0.2 * (1 + 0.2 * 64 / 10000), accuracy: 1e-7)
        c.update(currentKL: 6 * 0.9, nSteps: 100)                                // error −0.1
        XCTAssertEqual(c.value, 0.2 * (1 + 0.2 * 64 / 10000) * (1 - 0.1 * 100 / 10000), accuracy: 1e-7)
        var fixed = KLController(initKlCoef: 0.05)
        fixed.update(currentKL: 100, nSteps: 64)
        XCTAssertEqual(fixed.value, 0.05)
    }

    let toy = GPTConfig(vocabSize: 4, blockSize: 12, nLayer: 1, nHead: 2, nEmbd: 16, dropout: 0)

    /// Before any update the policy is the rollout policy: ratio 1, no clipping, and with one minibatch the policy
    /// loss is minus the mean whitened advantage, 0; the policy equals the reference, so the KL is 0.
    func testFirstStepStatistics() {
        manualSeed(6)
        let ppo = PPOTrainer(config: PPOConfig(learningRate: 0, miniBatchSize: 8, ppoEpochs: 1, initKlCoef: 0.1, adapKlCtrl: false),
                             model: GPT(toy))
        let queries = (0..<8).map { [$0 % 4] }
        let responses = ppo.generate(queries: queries, responseLength: 5)
        XCTAssertEqual(responses.map(\.count), Array(repeating: 5, count: 8))
        let stats = ppo.step(queries: queries, responses: responses, scores: (0..<8).map { Float($0) / 8 })
        XCTAssertEqual(stats["ppo/policy/ratio"]!, 1, accuracy: 1e-6)
        XCTAssertEqual(stats["ppo/policy/clipfrac"]!, 0)
        XCTAssertEqual(stats["ppo/policy/approxkl"]!, 0, accuracy: 1e-10)
        XCTAssertEqual(stats["ppo/loss/policy"]!, 0, accuracy: 1e-6)
        XCTAssertEqual(stats.kl, 0, accuracy: 1e-6)
        XCTAssertEqual(stats.klK3, 0, accuracy: 1e-6)
        XCTAssertEqual(stats.meanScore, 3.5 / 8, accuracy: 1e-6)
        XCTAssertEqual(stats["objective/kl_coef"], 0.1)
    }

    /// A toy task: reward = the fraction of response tokens equal to 2 (chance 1/4). With a fixed seed the mean
    /// reward rises well above chance in 12 PPO steps while the KL to the reference stays bounded.
    func testToyRunRaisesTheReward() {
        manualSeed(7)
        let ppo = PPOTrainer(config: PPOConfig(learningRate: 3e-3, miniBatchSize: 8, ppoEpochs: 4, initKlCoef: 0.05,
                                               adapKlCtrl: false), model: GPT(toy))
        let queries = (0..<16).map { [$0 % 4] }
        var scores: [Float] = []
        var kl: [Float] = []
        for _ in 0..<12 {
            let responses = ppo.generate(queries: queries, responseLength: 6)
            let s = responses.map { r in Float(r.filter { $0 == 2 }.count) / Float(r.count) }
            let stats = ppo.step(queries: queries, responses: responses, scores: s)
            scores.append(stats.meanScore)
            kl.append(stats.klK3)
        }
        let start = scores.prefix(3).reduce(0, +) / 3, end = scores.suffix(3).reduce(0, +) / 3
        XCTAssertLessThan(start, 0.45, "\(scores)")
        XCTAssertGreaterThan(end, start + 0.3, "\(scores)")
        XCTAssertLessThan(kl.max()!, 10, "\(kl)")
        XCTAssertTrue(ppo.refModel.parameters().allSatisfy { !$0.requiresGrad })
    }
}
