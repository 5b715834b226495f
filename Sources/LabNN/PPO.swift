// PPO for a language model in the style of trl's PPOTrainer.step (0.11) and Ziegler et al. 2019: a policy with a
// value head, a frozen reference, per-token KL penalty, GAE, whitened advantages, clipped policy and value losses,
// several epochs of minibatches over each rollout batch, optional adaptive KL. The formulas are in PPOMath.swift.
import Foundation
import LabTensor

/// trl's `ValueHead`: dropout then Linear(C, 1) on the policy's last hidden states; one value per position.
public final class ValueHead: Module {
    public var dropout: Dropout
    public var summary: Linear      // (1, C) + bias

    public init(_ nEmbd: Int, dropout p: Float = 0.1) {
        dropout = Dropout(p)
        summary = Linear(nEmbd, 1)
        super.init()
    }

    /// hidden (B, T, C) -> values (B, T).
    public override func forward(_ hidden: Tensor) -> Tensor {
        let (B, T) = (hidden.shape[0], hidden.shape[1])
        return summary(dropout(hidden)).view([B, T])                       // (B, T)
    }
}

/// A GPT policy (LoRA adapters allowed) with a value head on the same backbone.
/// PyTorch (trl): `AutoModelForCausalLMWithValueHead.from_pretrained(...)` (`pretrained_model`, `v_head`).
public final class CausalLMWithValueHead: Module {
    public let pretrained_model: GPT
    public var v_head: ValueHead

    public init(_ model: GPT, valueHeadDropout: Float = 0.1) {
        pretrained_model = model
        v_head = ValueHead(model.config.nEmbd, dropout: valueHeadDropout)
        super.init()
    }

    /// Logits (B, T, V) and values (B, T) from one pass over the backbone.
    public func forwardWithValues(_ idx: Tensor) -> (logits: Tensor, values: Tensor) {
        let hidden = pretrained_model.hiddenStates(idx)                    // (B, T, C)
        return (pretrained_model.lm_head(hidden), v_head(hidden))          // (B, T, V), (B, T)
    }

    public override func forward(_ idx: Tensor) -> Tensor { pretrained_model(idx) }
}

/// PPO hyperparameters with trl 0.11's names and defaults (`PPOConfig`), plus `klEstimator` and `temperature`.
///
/// ```swift
/// let config = PPOConfig(learningRate: 1.41e-5, miniBatchSize: 16, ppoEpochs: 4, initKlCoef: 0.2, adapKlCtrl: false)
/// ```
/// PyTorch (trl 0.11): `PPOConfig(learning_rate=1.41e-5, mini_batch_size=16, ppo_epochs=4, init_kl_coef=0.2, adap_kl_ctrl=False)`.
public struct PPOConfig: Sendable {
    public var learningRate: Float = 1.41e-5
    /// Rows per optimizer step; the rollout batch (what `step` receives) is split into minibatches of this size.
    public var miniBatchSize: Int = 128
    /// Passes over each rollout batch.
    public var ppoEpochs: Int = 4
    public var gamma: Float = 1
    public var lam: Float = 0.95
    /// ε of the policy ratio clip.
    public var cliprange: Float = 0.2
    /// ε_v of the value clip.
    public var cliprangeValue: Float = 0.2
    public var vfCoef: Float = 0.1
    /// β at start; adapted towards `target` over `horizon` episodes when `adapKlCtrl`.
    public var initKlCoef: Float = 0.2
    public var adapKlCtrl: Bool = true
    public var target: Float = 6
    public var horizon: Float = 10000
    /// The per-token KL estimate in the reward (both k1 and k3 are always logged). trl: `kl_penalty`.
    public var klEstimator: KLEstimator = .k1
    public var whitenRewards: Bool = false
    /// A minibatch whose mean ratio exceeds this is skipped (its losses zeroed), as trl.
    public var ratioThreshold: Float = 10
    public var maxGradNorm: Float? = nil
    /// Sampling temperature; scoring (old, new and reference log-probabilities) divides the logits by the same value,
    /// so sampled and scored distributions agree by construction.
    public var temperature: Float = 1

    public init(learningRate: Float = 1.41e-5, miniBatchSize: Int = 128, ppoEpochs: Int = 4, gamma: Float = 1,
                lam: Float = 0.95, cliprange: Float = 0.2, cliprangeValue: Float = 0.2, vfCoef: Float = 0.1,
                initKlCoef: Float = 0.2, adapKlCtrl: Bool = true, target: Float = 6, horizon: Float = 10000,
                klEstimator: KLEstimator = .k1, whitenRewards: Bool = false, ratioThreshold: Float = 10,
                maxGradNorm: Float? = nil, temperature: Float = 1) {
        guard miniBatchSize > 0, ppoEpochs > 0, temperature > 0 else {
            fatalError("PPOConfig: miniBatchSize \(miniBatchSize), ppoEpochs \(ppoEpochs), temperature \(temperature) must be positive")
        }
        self.learningRate = learningRate; self.miniBatchSize = miniBatchSize; self.ppoEpochs = ppoEpochs
        self.gamma = gamma; self.lam = lam; self.cliprange = cliprange; self.cliprangeValue = cliprangeValue
        self.vfCoef = vfCoef; self.initKlCoef = initKlCoef; self.adapKlCtrl = adapKlCtrl; self.target = target
        self.horizon = horizon; self.klEstimator = klEstimator; self.whitenRewards = whitenRewards
        self.ratioThreshold = ratioThreshold; self.maxGradNorm = maxGradNorm; self.temperature = temperature
    }
}

/// What one `step` logged, under trl 0.11's names. Each entry is defined where `PPOTrainer.step` computes it.
public struct PPOStats: Sendable {
    public var values: [String: Float] = [:]
    public subscript(_ key: String) -> Float? { values[key] }
    /// `ppo/mean_scores`: the mean of the scores passed in.
    public var meanScore: Float { values["ppo/mean_scores"]! }
    /// `objective/kl`: mean over rows of the summed k1 estimate Σ_t (logp − logp_ref) (policy vs reference).
    public var kl: Float { values["objective/kl"]! }
    /// `objective/kl_k3`: the same with k3 (never negative).
    public var klK3: Float { values["objective/kl_k3"]! }
}

/// The token grid of a rollout batch: rows query + response, right-padded with 0, and the response mask at the
/// positions that predict response tokens (position t predicts token t+1).
struct PPOBatch {
    let ids: Tensor          // (B, L) int32
    let targets: [[Int]]     // (B, L): token t+1 (0 at the last position)
    let mask: [[Float]]      // (B, L)

    init(queries: [[Int]], responses: [[Int]], blockSize: Int) {
        let rows = zip(queries, responses).map { $0 + $1 }
        let L = rows.map(\.count).max()!
        guard L <= blockSize else { fatalError("PPO: query + response length \(L) exceeds blockSize \(blockSize)") }
        ids = Tensor(ints: rows.flatMap { $0 + [Int](repeating: 0, count: L - $0.count) }, shape: [rows.count, L])
        targets = rows.map { r in (0..<L).map { $0 + 1 < r.count ? r[$0 + 1] : 0 } }
        mask = zip(queries, responses).map { q, r in
            (0..<L).map { t in t >= q.count - 1 && t < q.count - 1 + r.count ? 1 : 0 }
        }
    }

    /// One-hot (B, L, V) of the targets, for a differentiable gather of log-probabilities.
    func oneHot(vocab V: Int) -> Tensor {
        let B = targets.count, L = targets[0].count
        var d = [Float](repeating: 0, count: B * L * V)
        for b in 0..<B { for t in 0..<L { d[(b * L + t) * V + targets[b][t]] = 1 } }
        return Tensor(d, shape: [B, L, V])
    }
}

/// Log-probabilities (B, L) of the next tokens under logits / temperature.
func tokenLogprobs(_ logits: Tensor, oneHot: Tensor, temperature: Float) -> Tensor {
    let scaled = temperature == 1 ? logits : logits * (1 / temperature)                // (B, L, V)
    return (logSoftmax(scaled, dim: -1) * oneHot).sum(dim: -1)                          // (B, L)
}

func rows(_ t: Tensor) -> [[Float]] {
    let (B, L) = (t.shape[0], t.shape[1]), s = t.scalars
    return (0..<B).map { Array(s[($0 * L)..<(($0 + 1) * L)]) }
}

/// PPO on a GPT policy: `generate` samples responses, the caller scores them, `step` optimises.
///
/// ```swift
/// let ppo = PPOTrainer(config: PPOConfig(learningRate: 1e-4, miniBatchSize: 8), model: policy)
/// for _ in 0..<steps {
///     let responses = ppo.generate(queries: queries, responseLength: 24)
///     let scores = responses.map { reward($0) }
///     let stats = ppo.step(queries: queries, responses: responses, scores: scores)
///     print(stats.meanScore, stats.kl)
/// }
/// ```
/// PyTorch (trl 0.11): `ppo_trainer = PPOTrainer(config, model, ref_model, tokenizer)`; `ppo_trainer.step(q, r, s)`.
public final class PPOTrainer {
    public let config: PPOConfig
    /// Policy + value head; its trainable parameters (all of them, or only LoRA adapters and the head) are optimised.
    public let model: CausalLMWithValueHead
    /// The frozen reference: a copy of the policy's weights at the start (LoRA adapters left out).
    public let refModel: GPT
    public let optimizer: AdamW
    public private(set) var klController: KLController
    /// The policy loss `step` minimises (default `clippedPolicyLoss`); a lab plugs its own version in here.
    public var policyLoss: PolicyLossFunction? = nil

    /// `model`'s current parameters become the reference unless `refModel` is given. Dropout is off in all passes
    /// (the policy and reference run in eval mode), so before the first update the ratio is exactly 1.
    public init(config: PPOConfig, model policy: GPT, refModel: GPT? = nil, valueHeadDropout: Float = 0.1) {
        self.config = config
        model = CausalLMWithValueHead(policy, valueHeadDropout: valueHeadDropout)
        if let refModel { self.refModel = refModel } else {
            let ref = withParameterInit(.zeros) { GPT(policy.config) }
            do { try ref.loadStateDict(policy.stateDict(), strict: false) } catch {
                fatalError("PPOTrainer: cannot copy the policy into a reference GPT (\(error)); pass refModel:")
            }
            self.refModel = ref
        }
        self.refModel.freeze()
        self.refModel.eval()
        optimizer = AdamW(model.trainableParameters(), lr: config.learningRate, eps: 1e-8, weightDecay: 0)
        klController = KLController(initKlCoef: config.initKlCoef, target: config.adapKlCtrl ? config.target : nil,
                                    horizon: config.horizon)
    }

    /// Samples `responseLength` tokens after each query from the policy at `config.temperature` (no top-k/top-p),
    /// the same distribution `step` scores.
    public func generate(queries: [[Int]], responseLength: Int) -> [[Int]] {
        let gpt = model.pretrained_model
        var out: [[Int]] = []
        // Equal-length queries go through generate in one batch; others one by one.
        let groups = Dictionary(grouping: queries.indices, by: { queries[$0].count })
        var byIndex: [Int: [Int]] = [:]
        for len in groups.keys.sorted() {                 // a fixed order: the same samples for the same seed
            let idxs = groups[len]!
            let idx = Tensor(ints: idxs.flatMap { queries[$0] }, shape: [idxs.count, len])
            let full = LabNN.generate(gpt, idx, maxNewTokens: responseLength, temperature: config.temperature).ints
            let W = len + responseLength
            for (k, i) in idxs.enumerated() { byIndex[i] = Array(full[(k * W + len)..<((k + 1) * W)]) }
        }
        for i in queries.indices { out.append(byIndex[i]!) }
        return out
    }

    /// One PPO step on a rollout batch: scores are one number per (query, response); returns trl's statistics.
    public func step(queries: [[Int]], responses: [[Int]], scores: [Float]) -> PPOStats {
        let B = queries.count
        guard B > 1, responses.count == B, scores.count == B else {
            fatalError("PPO step: \(queries.count) queries, \(responses.count) responses, \(scores.count) scores (need equal counts ≥ 2)")
        }
        guard queries.allSatisfy({ !$0.isEmpty }), responses.allSatisfy({ !$0.isEmpty }) else {
            fatalError("PPO step: every query and response needs at least one token")
        }
        let gpt = model.pretrained_model
        let batch = PPOBatch(queries: queries, responses: responses, blockSize: gpt.config.blockSize)
        let V = gpt.config.vocabSize, L = batch.mask[0].count
        let oneHot = batch.oneHot(vocab: V)
        let wasTraining = model.training
        model.eval()
        defer { model.train(wasTraining) }

        // Rollout pass: old log-probabilities and values (policy), reference log-probabilities.
        let (oldLogp, oldValues, ref) = noGrad { () -> ([[Float]], [[Float]], [[Float]]) in
            let (logits, values) = model.forwardWithValues(batch.ids)                       // (B, L, V), (B, L)
            let refLogits = refModel(batch.ids)                                             // (B, L, V)
            return (rows(tokenLogprobs(logits, oneHot: oneHot, temperature: config.temperature)), rows(values),
                    rows(tokenLogprobs(refLogits, oneHot: oneHot, temperature: config.temperature)))
        }
        let mask = batch.mask
        let klCoef = klController.value
        let (rewards, nonScore, kls) = computeRewards(scores: scores, logprobs: oldLogp, refLogprobs: ref, mask: mask,
                                                      klCoef: klCoef, estimator: config.klEstimator)
        let (values, advantages, returns) = computeAdvantages(values: oldValues, rewards: rewards, mask: mask,
                                                              gamma: config.gamma, lam: config.lam,
                                                              whitenRewards: config.whitenRewards)

        // Optimisation: ppoEpochs passes over shuffled minibatches.
        let allIds = batch.ids.ints, oneHotAll = oneHot.scalars
        var train: [String: [Float]] = [:]
        func log(_ k: String, _ v: Float) { train[k, default: []].append(v) }
        for _ in 0..<config.ppoEpochs {
            var order = Array(0..<B)
            for i in stride(from: B - 1, to: 0, by: -1) { order.swapAt(i, randomInt(i + 1)) }
            for start in stride(from: 0, to: B, by: config.miniBatchSize) {
                let mb = Array(order[start..<min(start + config.miniBatchSize, B)])
                func pick(_ x: [[Float]]) -> Tensor { Tensor(mb.flatMap { x[$0] }, shape: [mb.count, L]) }
                let mbIds = Tensor(ints: mb.flatMap { b in allIds[(b * L)..<((b + 1) * L)] }, shape: [mb.count, L])
                let mbOneHot = Tensor(mb.flatMap { b in oneHotAll[(b * L * V)..<((b + 1) * L * V)] }, shape: [mb.count, L, V])
                let (logits, vpreds) = model.forwardWithValues(mbIds)                        // (b, L, V), (b, L)
                let logp = tokenLogprobs(logits, oneHot: mbOneHot, temperature: config.temperature)   // (b, L)
                let m = pick(mask)
                let out = ppoLosses(logprobs: logp, oldLogprobs: pick(oldLogp), vpreds: vpreds, oldValues: pick(values),
                                    advantages: pick(advantages), returns: pick(returns), mask: m,
                                    cliprange: config.cliprange, cliprangeValue: config.cliprangeValue, vfCoef: config.vfCoef,
                                    policyLoss: policyLoss)
                let skip = out.meanRatio > config.ratioThreshold
                if !skip {
                    optimizer.zeroGrad()
                    out.loss.backward()
                    if let maxNorm = config.maxGradNorm { clipGradNorm(optimizer.parameters, maxNorm: maxNorm) }
                    optimizer.step()
                }
                let mbRows = mb.map { mask[$0] }
                let ent = entropyFromLogits(noGrad { (config.temperature == 1 ? logits : logits * (1 / config.temperature)).scalars }, vocab: V)
                // ppo/policy/entropy: masked mean of the true entropy of the (temperature-scaled) logits.
                log("ppo/policy/entropy", maskedMean([ent], [mbRows.flatMap { $0 }]))
                log("ppo/loss/policy", skip ? 0 : out.policyLoss.item())
                log("ppo/loss/value", skip ? 0 : out.valueLoss.item())
                log("ppo/loss/total", skip ? 0 : out.loss.item())
                log("ppo/policy/approxkl", out.approxKL)
                log("ppo/policy/policykl", out.policyKL)
                log("ppo/policy/clipfrac", out.policyClipfrac)
                log("ppo/policy/ratio", out.meanRatio)
                log("ppo/val/clipfrac", out.valueClipfrac)
                let vp = rows(vpreds.detach())
                let mbReturns = mb.map { returns[$0] }
                log("ppo/val/vpred", maskedMean(vp, mbRows))
                log("ppo/val/error", maskedMean(zip(vp, mbReturns).map { zip($0, $1).map { ($0 - $1) * ($0 - $1) } }, mbRows))
            }
        }

        var s = PPOStats()
        for (k, v) in train { s.values[k] = v.reduce(0, +) / Float(v.count) }   // means over all minibatches
        let k3 = zip(oldLogp, ref).enumerated().map { b, pr in
            zip(pr.0, pr.1).enumerated().map { t, lr in KLEstimator.k3(lr.0, lr.1) * mask[b][t] }.reduce(0, +)
        }
        let k1 = zip(oldLogp, ref).enumerated().map { b, pr in
            zip(pr.0, pr.1).enumerated().map { t, lr in KLEstimator.k1(lr.0, lr.1) * mask[b][t] }.reduce(0, +)
        }
        // objective/kl: mean over rows of Σ_t k1 (policy at rollout vs reference); objective/kl_k3 the same with k3.
        s.values["objective/kl"] = k1.reduce(0, +) / Float(B)
        s.values["objective/kl_k3"] = k3.reduce(0, +) / Float(B)
        // objective/kl_penalty: mean over rows of Σ_t of the estimator used in the reward (config.klEstimator).
        s.values["objective/kl_penalty"] = zip(kls, mask).map { zip($0, $1).map { $0 * $1 }.reduce(0, +) }.reduce(0, +) / Float(B)
        // objective/kl_coef: β used for this batch's rewards (before the adaptive update below).
        s.values["objective/kl_coef"] = klCoef
        // objective/entropy: mean over rows of Σ_t −logp of the sampled tokens (a sample estimate, not the entropy).
        s.values["objective/entropy"] = zip(oldLogp, mask).map { zip($0, $1).map { -$0 * $1 }.reduce(0, +) }.reduce(0, +) / Float(B)
        // ppo/mean_non_score_reward: masked mean of −β·kl per token.
        s.values["ppo/mean_non_score_reward"] = maskedMean(nonScore, mask)
        // ppo/mean_scores, ppo/std_scores: mean and unbiased std of the scores passed in.
        let mean = scores.reduce(0, +) / Float(B)
        s.values["ppo/mean_scores"] = mean
        s.values["ppo/std_scores"] = (scores.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(B - 1)).squareRoot()
        // ppo/returns/mean, ppo/returns/var, ppo/val/mean, ppo/val/var: masked mean / unbiased var over the batch.
        s.values["ppo/returns/mean"] = maskedMean(returns, mask)
        s.values["ppo/returns/var"] = maskedVar(returns, mask)
        s.values["ppo/val/mean"] = maskedMean(values, mask)
        s.values["ppo/val/var"] = maskedVar(values, mask)
        // ppo/val/var_explained: 1 − error / var(returns).
        s.values["ppo/val/var_explained"] = 1 - s.values["ppo/val/error"]! / s.values["ppo/returns/var"]!
        // ppo/policy/advantages_mean: masked mean of the whitened advantages (0 up to rounding).
        s.values["ppo/policy/advantages_mean"] = maskedMean(advantages, mask)
        klController.update(currentKL: s.values["objective/kl"]!, nSteps: B)
        return s
    }
}
