// Lab 28, exercise 3: the Bradley-Terry loss of a reward model.
import LabKit

/// The mean over pairs of −log σ(r_chosen − r_rejected): small when the chosen answer gets the higher reward,
/// log 2 when the two are equal. chosen, rejected: (N) rewards of the same N pairs.
///
/// ```swift
/// let loss = preferenceLoss(chosen: rm(chosenIds), rejected: rm(rejectedIds))   // scalar
/// ```
/// PyTorch (trl RewardTrainer): `loss = -F.logsigmoid(rewards_chosen - rewards_rejected).mean()`.
public func preferenceLoss(chosen: Tensor, rejected: Tensor) -> Tensor {
    // BEGIN EXERCISE 3: preferenceLoss
    todo("preferenceLoss")
    // END EXERCISE 3
}
