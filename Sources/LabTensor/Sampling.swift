// Sampling helpers (non-differentiable): topK, multinomial.

/// The `k` largest entries along the last dim (sorted, descending) and their int32 indices.
///
/// ```swift
/// let (v, _) = topK(logits, 10)
/// ```
/// PyTorch: `torch.topk(logits, k)`. Only `dim: -1` (the last dim) is supported.
public func topK(_ x: Tensor, _ k: Int, dim: Int = -1) -> (values: Tensor, indices: Tensor) {
    check(normalizeDim(dim, x.ndim) == x.ndim - 1, "topK: only the last dim is supported")
    let n = x.shape.last ?? 1, rows = x.count / n
    check(k >= 1 && k <= n, "topK: k = \(k) out of range for \(n) entries")
    let xs = x.float()
    var shape = x.shape
    shape[shape.count - 1] = k
    let values = Tensor(uninitialized: shape), indices = Tensor(uninitialized: shape, dtype: .int32)
    for r in 0..<rows {
        let p = xs.data + r * n
        let order = (0..<n).sorted { p[$0] > p[$1] || (p[$0] == p[$1] && $0 < $1) }
        for j in 0..<k {
            values.data[r * k + j] = p[order[j]]
            indices.idata[r * k + j] = Int32(order[j])
        }
    }
    return (values, indices)
}

/// Draws `numSamples` int32 indices per row from the (unnormalised, non-negative) weights `probs` (V) or (N, V),
/// without replacement (PyTorch's default), using the global seeded generator.
///
/// ```swift
/// let next = multinomial(softmax(logits, dim: -1), numSamples: 1)   // (B, 1)
/// ```
/// PyTorch: `torch.multinomial(probs, num_samples=1)`.
public func multinomial(_ probs: Tensor, numSamples: Int, replacement: Bool = false) -> Tensor {
    let n = probs.shape.last ?? 1, rows = probs.count / n
    check(replacement || numSamples <= n, "multinomial: cannot draw \(numSamples) samples from \(n) without replacement")
    var shape = probs.shape
    shape[shape.count - 1] = numSamples
    let out = Tensor(uninitialized: shape, dtype: .int32)
    let p = probs.float()
    for r in 0..<rows {
        var w = (0..<n).map { Double(p.data[r * n + $0]) }
        check(w.allSatisfy { $0 >= 0 && $0.isFinite }, "multinomial: probabilities must be finite and non-negative")
        for s in 0..<numSamples {
            let total = w.reduce(0, +)
            check(total > 0, "multinomial: probabilities sum to zero")
            let u = _rng.nextDouble() * total
            var acc = 0.0, pick = n - 1
            for j in 0..<n {
                acc += w[j]
                if u < acc && w[j] > 0 { pick = j; break }
            }
            while w[pick] == 0 && pick > 0 { pick -= 1 }  // rounding at the top end
            out.idata[r * numSamples + s] = Int32(pick)
            if !replacement { w[pick] = 0 }
        }
    }
    return out
}
