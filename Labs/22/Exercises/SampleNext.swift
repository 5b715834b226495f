// Lab 22, exercise: choose the next token from the model's logits (temperature, top-k, softmax, a random draw).
import LabKit

/// Draws the next token id from the last position's logits (V): divide by `temperature`, keep only the `topK`
/// largest (nil: all), softmax, then one draw from that distribution with the seeded generator (`manualSeed`
/// makes it repeatable). Temperature 0 means greedy: the id of the largest logit (the first one on a tie).
/// Top-k keeps exactly k ids; on a tie at the k-th value the lower ids are kept.
///
/// ```swift
/// let logits = model(idx)[0, -1]                                   // (V): the scores for the next token
/// let next = sampleNext(logits: logits, temperature: 0.8, topK: 40)
/// ```
/// PyTorch (the slide):
/// ```python
/// logits = logits[:, -1, :] / temperature
/// v, _ = torch.topk(logits, top_k); logits[logits < v[:, [-1]]] = -float("inf")
/// probs = F.softmax(logits, dim=-1); idx_next = torch.multinomial(probs, num_samples=1)
/// ```
public func sampleNext(logits: Tensor, temperature: Double, topK k: Int?) -> Int {
    // BEGIN EXERCISE 1: sampleNext
    todo("sampleNext")
    // END EXERCISE 1
}

/// The ids of the `k` largest entries of a (1, V) row (lower ids first on ties): the library's `topK`.
func largest(_ row: Tensor, _ k: Int) -> [Int] { topK(row, k).indices.ints }
