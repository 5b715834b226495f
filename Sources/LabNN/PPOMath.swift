// The formulas of PPO for language models, as trl 0.11.4's PPOTrainer computes them (compute_rewards,
// compute_advantages, loss; trl.core's masked_mean / masked_var / masked_whiten), on per-token grids (B, L):
// entry [b, t] belongs to the token predicted at position t of row b, and `mask` is 1 on response tokens.
// Kept free of the trainer so tests can compare them with trl on tiny inputs (Fixtures/make_finetune_fixtures.py).
import Foundation
import LabTensor

/// The per-token estimate of KL(policy ‖ reference) from the sampled token's log-probabilities.
public enum KLEstimator: String, Sendable {
    /// logp − logp_ref: unbiased, can be negative per token. trl: `kl_penalty="kl"` / `kl_estimator="k1"`.
    case k1
    /// (r − 1) − log r with r = p_ref/p: unbiased, never negative (Schulman's "Approximating KL"). trl: "k3".
    case k3
    /// |logp − logp_ref|. trl: "abs".
    case abs
    /// ½ (logp − logp_ref)². trl: "mse".
    case mse

    /// The estimate for one token.
    public func callAsFunction(_ logp: Float, _ refLogp: Float) -> Float {
        let d = logp - refLogp
        switch self {
        case .k1: return d
        case .k3: return Float(Foundation.exp(Double(-d))) - 1 + d
        case .abs: return Swift.abs(d)
        case .mse: return 0.5 * d * d
        }
    }
}

/// Mean of `x` over the entries where `mask` is 1. trl.core: `masked_mean`.
public func maskedMean(_ x: [[Float]], _ mask: [[Float]]) -> Float {
    var s: Double = 0, n: Double = 0
    for (row, m) in zip(x, mask) { for (v, w) in zip(row, m) { s += Double(v * w); n += Double(w) } }
    guard n > 0 else { fatalError("maskedMean: the mask selects nothing") }
    return Float(s / n)
}

/// Variance over the masked entries, unbiased (× n/(n−1)) by default. trl.core: `masked_var`.
public func maskedVar(_ x: [[Float]], _ mask: [[Float]], unbiased: Bool = true) -> Float {
    let mean = maskedMean(x, mask)
    var s: Double = 0, n: Double = 0
    for (row, m) in zip(x, mask) { for (v, w) in zip(row, m) { s += Double((v - mean) * (v - mean) * w); n += Double(w) } }
    var variance = s / n
    if unbiased {
        guard n > 1 else { fatalError("maskedVar: an unbiased variance needs at least 2 masked entries, got \(n)") }
        variance *= n / (n - 1)
    }
    return Float(variance)
}

/// (x − mean) / √(var + 1e-8) over the masked entries (the mean added back when `shiftMean` is false).
/// Unmasked entries are whitened too (trl does not zero them; they are masked out of every loss).
/// trl.core: `masked_whiten(values, mask, shift_mean)`.
public func maskedWhiten(_ x: [[Float]], _ mask: [[Float]], shiftMean: Bool = true) -> [[Float]] {
    let mean = maskedMean(x, mask), v = maskedVar(x, mask)
    let inv = Float(1 / (Double(v) + 1e-8).squareRoot())
    return x.map { row in row.map { shiftMean ? ($0 - mean) * inv : ($0 - mean) * inv + mean } }
}

/// Per-token rewards: −β·KL on every token, plus the sequence score on the row's last response token
/// (the last masked entry; with fixed-length responses and no padding every rule agrees).
/// Returns (rewards, non-score rewards −β·kl, kl), each masked by `mask`. trl: `PPOTrainer.compute_rewards`
/// (which it calls with logprobs already multiplied by the mask).
public func computeRewards(scores: [Float], logprobs: [[Float]], refLogprobs: [[Float]], mask: [[Float]],
                           klCoef: Float, estimator: KLEstimator = .k1) -> (rewards: [[Float]], nonScore: [[Float]], kl: [[Float]]) {
    var rewards: [[Float]] = [], nonScore: [[Float]] = [], kls: [[Float]] = []
    for b in 0..<scores.count {
        let kl = (0..<mask[b].count).map { t in estimator(logprobs[b][t] * mask[b][t], refLogprobs[b][t] * mask[b][t]) }
        let ns = kl.map { -klCoef * $0 }
        var r = ns
        guard let last = mask[b].lastIndex(where: { $0 != 0 }) else { fatalError("computeRewards: row \(b) has no response token") }
        r[last] += scores[b]
        rewards.append(r); nonScore.append(ns); kls.append(kl)
    }
    return (rewards, nonScore, kls)
}

/// Generalised advantage estimation, backwards over each row:
///   δ_t = r_t + γ·V_{t+1} − V_t (V past the end = 0),  A_t = δ_t + γ·λ·A_{t+1},
/// with values and rewards multiplied by the mask first; returns R_t = A_t + V_t (before whitening); the advantages
/// are then whitened over the masked entries. trl: `PPOTrainer.compute_advantages`.
public func computeAdvantages(values: [[Float]], rewards: [[Float]], mask: [[Float]], gamma: Float, lam: Float,
                              whitenRewards: Bool = false) -> (values: [[Float]], advantages: [[Float]], returns: [[Float]]) {
    let v = zip(values, mask).map { zip($0, $1).map { $0 * $1 } }
    var r = zip(rewards, mask).map { zip($0, $1).map { $0 * $1 } }
    if whitenRewards { r = maskedWhiten(r, mask, shiftMean: false) }
    var adv = v.map { [Float](repeating: 0, count: $0.count) }
    for b in 0..<v.count {
        let L = v[b].count
        var lastgaelam: Float = 0
        for t in stride(from: L - 1, through: 0, by: -1) {
            let next: Float = t < L - 1 ? v[b][t + 1] : 0
            let delta = r[b][t] + gamma * next - v[b][t]
            lastgaelam = delta + gamma * lam * lastgaelam
            adv[b][t] = lastgaelam
        }
    }
    let returns = zip(adv, v).map { zip($0, $1).map { $0 + $1 } }
    return (v, maskedWhiten(adv, mask), returns)
}

/// PPO's clipped surrogate (a loss to minimise): masked mean of max(−A·ρ, −A·clip(ρ, 1−ε, 1+ε)), ρ = e^(logp − logp_old).
/// The max of the two negatives is the min of the two objectives: a step gains nothing by pushing ρ past 1±ε in
/// the direction the advantage rewards. logprobs (B, L) carries the gradient; the rest are constants.
///
/// ```swift
/// let pg = clippedPolicyLoss(logprobs: logp, oldLogprobs: oldLogp, advantages: adv, mask: mask, cliprange: 0.2)
/// ```
/// PyTorch (trl): `pg_loss = masked_mean(torch.max(-adv * ratio, -adv * torch.clamp(ratio, 1 - eps, 1 + eps)), mask)`.
public func clippedPolicyLoss(logprobs: Tensor, oldLogprobs: Tensor, advantages: Tensor, mask: Tensor,
                              cliprange: Float) -> Tensor {
    let ratio = (logprobs - oldLogprobs).exp()                                           // (B, L)
    let pgLosses = -1 * advantages * ratio                                               // (B, L)
    let pgLosses2 = -1 * advantages * clamp(ratio, min: 1 - cliprange, max: 1 + cliprange)
    return maskedMean(maximum(pgLosses, pgLosses2), mask)
}

/// The clipped value loss: ½ · masked mean of max((V − R)², (clip(V, V_old ± ε_v) − R)²). vpreds (B, L) carries
/// the gradient. PyTorch (trl): `vf_loss = 0.5 * masked_mean(torch.max(vf_losses1, vf_losses2), mask)`.
public func clippedValueLoss(vpreds: Tensor, oldValues: Tensor, returns: Tensor, mask: Tensor, cliprangeValue: Float) -> Tensor {
    let vclipped = clamp(vpreds, min: oldValues - cliprangeValue, max: oldValues + cliprangeValue)   // (B, L)
    let l1 = (vpreds - returns) * (vpreds - returns)
    let l2 = (vclipped - returns) * (vclipped - returns)
    return 0.5 * maskedMean(maximum(l1, l2), mask)
}

/// The policy and value losses of one minibatch with trl's diagnostics.
public struct PPOLosses {
    /// pg + vfCoef · vf (what `backward()` is called on).
    public let loss: Tensor
    public let policyLoss: Tensor
    public let valueLoss: Tensor
    /// Fraction of masked tokens where the clipped policy term is the larger (the clip is active).
    public let policyClipfrac: Float
    /// Fraction of masked tokens where the clipped value term is the larger.
    public let valueClipfrac: Float
    /// ½ · masked mean of (logp − logp_old)², against the rollout policy (not the reference).
    public let approxKL: Float
    /// masked mean of (logp_old − logp).
    public let policyKL: Float
    /// masked mean of ρ.
    public let meanRatio: Float
}

/// A policy loss with `clippedPolicyLoss`'s signature: (logprobs, oldLogprobs, advantages, mask, cliprange) -> scalar.
public typealias PolicyLossFunction = (_ logprobs: Tensor, _ oldLogprobs: Tensor, _ advantages: Tensor, _ mask: Tensor,
                                       _ cliprange: Float) -> Tensor

/// Both PPO losses and trl's diagnostics; `policyLoss` replaces `clippedPolicyLoss` (a lab's own version).
/// trl: `PPOTrainer.loss`.
public func ppoLosses(logprobs: Tensor, oldLogprobs: Tensor, vpreds: Tensor, oldValues: Tensor, advantages: Tensor,
                      returns: Tensor, mask: Tensor, cliprange: Float, cliprangeValue: Float, vfCoef: Float,
                      policyLoss: PolicyLossFunction? = nil) -> PPOLosses {
    let pg = policyLoss?(logprobs, oldLogprobs, advantages, mask, cliprange)
        ?? clippedPolicyLoss(logprobs: logprobs, oldLogprobs: oldLogprobs, advantages: advantages, mask: mask,
                             cliprange: cliprange)
    let vf = clippedValueLoss(vpreds: vpreds, oldValues: oldValues, returns: returns, mask: mask, cliprangeValue: cliprangeValue)
    let lp = logprobs.scalars, old = oldLogprobs.scalars, a = advantages.scalars, m = mask.scalars
    let v = vpreds.scalars, vo = oldValues.scalars, R = returns.scalars
    var pgClip: Float = 0, vfClip: Float = 0, akl: Float = 0, pkl: Float = 0, ratio: Float = 0, n: Float = 0
    for i in 0..<m.count where m[i] != 0 {
        let rho = Float(Foundation.exp(Double(lp[i] - old[i])))
        let l1 = -a[i] * rho, l2 = -a[i] * Swift.min(Swift.max(rho, 1 - cliprange), 1 + cliprange)
        if l2 > l1 { pgClip += m[i] }
        let vc = Swift.max(Swift.min(v[i], vo[i] + cliprangeValue), vo[i] - cliprangeValue)
        if (vc - R[i]) * (vc - R[i]) > (v[i] - R[i]) * (v[i] - R[i]) { vfClip += m[i] }
        akl += m[i] * (lp[i] - old[i]) * (lp[i] - old[i])
        pkl += m[i] * (old[i] - lp[i])
        ratio += m[i] * rho
        n += m[i]
    }
    return PPOLosses(loss: pg + vfCoef * vf, policyLoss: pg, valueLoss: vf, policyClipfrac: pgClip / n,
                     valueClipfrac: vfClip / n, approxKL: 0.5 * akl / n, policyKL: pkl / n, meanRatio: ratio / n)
}

/// Entropy of softmax(logits) per row of the last dimension: logsumexp(l) − Σ p·l. trl.core: `entropy_from_logits`.
public func entropyFromLogits(_ logits: [Float], vocab V: Int) -> [Float] {
    stride(from: 0, to: logits.count, by: V).map { start in
        let row = logits[start..<(start + V)]
        let m = row.max()!
        let e = row.map { Foundation.exp(Double($0 - m)) }
        let z = e.reduce(0, +)
        let lse = Double(m) + Foundation.log(z)
        return Float(lse - zip(e, row).map { $0 / z * Double($1) }.reduce(0, +))
    }
}

/// The KL coefficient β, fixed or adapted towards a target KL (Ziegler et al. 2019):
///   β ← β · (1 + clip(KL/target − 1, −0.2, 0.2) · n_steps / horizon).
/// trl: `AdaptiveKLController` / `FixedKLController`.
public struct KLController: Sendable {
    public private(set) var value: Float
    /// nil: fixed β.
    public let target: Float?
    public let horizon: Float

    public init(initKlCoef: Float, target: Float? = nil, horizon: Float = 10000) {
        value = initKlCoef
        self.target = target
        self.horizon = horizon
    }

    /// Updates β from the batch's mean KL and its number of episodes (adaptive only).
    public mutating func update(currentKL: Float, nSteps: Int) {
        guard let target else { return }
        let error = Swift.min(Swift.max(currentKL / target - 1, -0.2), 0.2)
        value *= 1 + error * Float(nSteps) / horizon
    }
}
