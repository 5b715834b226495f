// A reward model for RLHF: the GPT backbone with a scalar head read at the last real token of each row, trained on
// preference pairs with the Bradley-Terry loss (Hugging Face's GPT2ForSequenceClassification + trl's RewardTrainer).
import Foundation
import LabTensor

/// GPT hidden states → `score` Linear(C, 1, no bias) → the scalar at each row's last non-pad token.
///
/// ```swift
/// let rm = RewardModel(GPT(config))
/// let r = rm.rewards(ids, padTokenId: 0)                        // (B)
/// let loss = bradleyTerryLoss(chosen: r[0..<4], rejected: r[4..<8])
/// ```
/// PyTorch (transformers): `GPT2ForSequenceClassification(config, num_labels=1)(ids).logits.squeeze(-1)`.
public final class RewardModel: Module {
    public let model: GPT
    public var score: Linear     // (1, C)

    /// `score` starts N(0, 0.02) like Hugging Face's initializer_range (a small reward for every sequence at start).
    public init(_ model: GPT) {
        self.model = model
        score = Linear(weight: Tensor.randn([1, model.config.nEmbd], std: 0.02, requiresGrad: true))
        super.init()
    }

    /// The index read in each row: the rightmost token that is not `padTokenId` (the last index without a pad id).
    /// A row made only of pads reads index 0... as Hugging Face does (argmax of an all-zero mask).
    public static func lastTokenIndices(_ ids: [[Int]], padTokenId: Int?) -> [Int] {
        ids.map { row in
            guard let pad = padTokenId else { return row.count - 1 }
            return row.lastIndex { $0 != pad } ?? 0
        }
    }

    /// Rewards (B) for token ids (B, T), read at each row's last non-pad token (right padding).
    public func rewards(_ idx: Tensor, padTokenId: Int? = nil) -> Tensor {
        guard idx.ndim == 2 else { fatalError("RewardModel: idx must be (B, T) token ids, got \(idx.shape)") }
        let (B, T) = (idx.shape[0], idx.shape[1])
        let ids = idx.ints
        let last = RewardModel.lastTokenIndices((0..<B).map { Array(ids[($0 * T)..<(($0 + 1) * T)]) }, padTokenId: padTokenId)
        let perToken = score(model.hiddenStates(idx)).view([B, T])                 // (B, T)
        var pick = [Float](repeating: 0, count: B * T)
        for b in 0..<B { pick[b * T + last[b]] = 1 }
        return (perToken * Tensor(pick, shape: [B, T])).sum(dim: 1)               // (B)
    }

    /// `rm(idx)`: rewards read at the last position (no padding).
    public override func forward(_ idx: Tensor) -> Tensor { rewards(idx) }
}

/// The Bradley-Terry preference loss: mean over pairs of −log σ(r_chosen − r_rejected − margin).
/// log 2 when the two rewards are equal; → 0 as the chosen reward wins by more.
///
/// ```swift
/// let loss = bradleyTerryLoss(chosen: rChosen, rejected: rRejected)     // scalar
/// ```
/// PyTorch (trl RewardTrainer): `-F.logsigmoid(rewards_chosen - rewards_rejected - margin).mean()`.
public func bradleyTerryLoss(chosen: Tensor, rejected: Tensor, margin: Tensor? = nil) -> Tensor {
    guard chosen.shape == rejected.shape, margin == nil || margin!.shape == chosen.shape else {
        fatalError("bradleyTerryLoss: chosen \(chosen.shape), rejected \(rejected.shape), margin \(margin?.shape ?? []) must match")
    }
    var d = chosen - rejected                                                      // (N)
    if let margin { d = d - margin }
    return -1 * logSigmoid(d).mean()
}

/// trl's reward-training metrics for one batch of pairs.
public struct PreferenceStats: Sendable, Equatable {
    /// Fraction of pairs with r_chosen > r_rejected (a tie counts as wrong).
    public var accuracy: Float
    /// Mean of r_chosen − r_rejected.
    public var margin: Float
    /// Min, mean and max over all chosen and rejected rewards.
    public var minReward: Float, meanReward: Float, maxReward: Float

    public init(chosen: [Float], rejected: [Float]) {
        guard chosen.count == rejected.count, !chosen.isEmpty else {
            fatalError("PreferenceStats: \(chosen.count) chosen and \(rejected.count) rejected rewards")
        }
        let n = Float(chosen.count)
        accuracy = Float(zip(chosen, rejected).filter { $0 > $1 }.count) / n
        margin = zip(chosen, rejected).map { $0 - $1 }.reduce(0, +) / n
        let all = chosen + rejected
        minReward = all.min()!
        maxReward = all.max()!
        meanReward = all.reduce(0, +) / Float(all.count)
    }
}
