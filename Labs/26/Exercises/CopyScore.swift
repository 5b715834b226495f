// Lab 26, exercise 2: scoring a model's copying, per token and by exact match.
import Foundation
import LabKit

/// Two ways to score the same predictions.
public struct CopyScore: Equatable {
    /// Correct predictions / scored positions, over all sequences together.
    public var perToken: Double
    /// Share of sequences whose every scored position is correct.
    public var exactMatch: Double

    public init(perToken: Double, exactMatch: Double) {
        self.perToken = perToken
        self.exactMatch = exactMatch
    }
}

/// Scores the model's greedy predictions at the positions `spans[b]` of each sequence b: the prediction at position
/// t is the argmax over the vocabulary of `logits[b, t]`, and it is correct when it equals `targets[b, t]` (the
/// token that comes after position t). logits (B, T, V), targets (B, T), one span per sequence.
///
/// ```swift
/// let (logits, _) = model(x, y)                                   // (B, T, V)
/// let score = copyScore(logits: logits, targets: y, spans: secondOccurrence)
/// print(score.perToken, score.exactMatch)
/// ```
/// Python: `pred = logits.argmax(-1); ok = (pred == y); per_token = ok[mask].float().mean();
/// exact = torch.stack([ok[b, s].all() for b, s in enumerate(spans)]).float().mean()`
public func copyScore(logits: Tensor, targets: Tensor, spans: [Range<Int>]) -> CopyScore {
    guard logits.ndim == 3, targets.shape == Array(logits.shape.prefix(2)), spans.count == logits.shape[0] else {
        fatalError("copyScore: logits must be (B, T, V), targets (B, T) and one span per sequence; got logits \(logits.shape), targets \(targets.shape), \(spans.count) spans")
    }
    let T = logits.shape[1]
    if let bad = spans.first(where: { $0.isEmpty || $0.lowerBound < 0 || $0.upperBound > T }) {
        fatalError("copyScore: span \(bad) is empty or outside the \(T) positions")
    }
    // BEGIN EXERCISE 2: copyScore
    todo("copyScore")
    // END EXERCISE 2
}
