// Lab 28, exercise 4: PPO's clipped objective (Schulman et al. 2017), as trl computes it for language models.
import LabKit

/// The clipped policy loss over the response tokens: with ratio ρ = exp(logp − logp_old),
/// the masked mean of max(−A·ρ, −A·clip(ρ, 1 − ε, 1 + ε)). Minimising it raises the probability of tokens with a
/// positive advantage and lowers it for a negative one, but gains nothing once ρ has moved past 1 ± ε.
/// logprobs, oldLogprobs, advantages, mask: (B, L); mask is 1 on response tokens.
///
/// ```swift
/// ppo.policyLoss = { ppoClippedLoss(logprobs: $0, oldLogprobs: $1, advantages: $2, mask: $3, cliprange: $4) }
/// ```
/// PyTorch (trl): `pg_loss = masked_mean(torch.max(-adv * ratio, -adv * torch.clamp(ratio, 1 - eps, 1 + eps)), mask)`.
public func ppoClippedLoss(logprobs: Tensor, oldLogprobs: Tensor, advantages: Tensor, mask: Tensor,
                           cliprange: Float) -> Tensor {
    // BEGIN SOLUTION
    let ratio = (logprobs - oldLogprobs).exp()                                   // (B, L)
    let unclipped = -1 * advantages * ratio                                      // (B, L)
    let clipped = -1 * advantages * clamp(ratio, min: 1 - cliprange, max: 1 + cliprange)
    return maskedMean(maximum(unclipped, clipped), mask)
    // END SOLUTION
}
