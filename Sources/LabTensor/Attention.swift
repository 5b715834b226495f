// Attention ops: PyTorch's scaled_dot_product_attention, and the fused causal self-attention that reads
// q, k, v straight from the c_attn output (B, T, 3C) and writes (B, T, C) (Kernels/Attention.swift).

/// Scaled dot-product attention over (B, nh, T, hs) heads: softmax(q·kᵀ/√hs [causal mask]) · v.
/// Stores only the probabilities for backward; never materialises kᵀ.
///
/// ```swift
/// let y = scaledDotProductAttention(q, k, v, isCausal: true)   // (B, nh, T, hs)
/// ```
/// PyTorch: `F.scaled_dot_product_attention(q, k, v, is_causal=True, dropout_p=0.0)`.
public func scaledDotProductAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, isCausal: Bool = false,
                                      dropoutP: Float = 0) -> Tensor {
    check(q.ndim == 4 && k.shape == q.shape && v.shape == q.shape,
                 "scaledDotProductAttention: q, k, v must share a (B, nh, T, hs) shape; got \(q.shape), \(k.shape), \(v.shape)")
    let B = q.shape[0], H = q.shape[1], T = q.shape[2], hs = q.shape[3]
    let L = HeadLayout(batchStride: H * T * hs, headStride: T * hs, ld: hs)
    let shape = AttentionShape(B: B, H: H, T: T, hs: hs, causal: isCausal, dropoutP: dropoutP,
                               seed: dropoutP > 0 ? nextSeed() : 0)
    let out = Tensor(uninitialized: q.shape)
    guard _gradEnabled, q.requiresGrad || k.requiresGrad || v.requiresGrad else {
        attentionForward(out.data, L, nil, q.data, L, k.data, L, v.data, L, shape)
        return out
    }
    let P = Tensor(uninitialized: [B, H, T, T])
    attentionForward(out.data, L, P.data, q.data, L, k.data, L, v.data, L, shape)
    return out.record([q, k, v]) { out in
        // Separate (possibly identical) operands: zeroed buffers and beta = 1.
        func buf(_ t: Tensor) -> UnsafeMutablePointer<Float> {
            t.requiresGrad ? t.gradBufferZeroed() : UnsafeMutablePointer<Float>.allocate(capacity: t.count)
        }
        let dq = buf(q), dk = buf(k), dv = buf(v)
        attentionBackward(dq, dk, dv, beta: 1, out.grad!.data, L, P.data, q.data, L, k.data, L, v.data, L, shape)
        if !q.requiresGrad { dq.deallocate() }
        if !k.requiresGrad { dk.deallocate() }
        if !v.requiresGrad { dv.deallocate() }
    }
}

/// Fused causal self-attention: splits the c_attn output qkv (B, T, 3C) into nHead heads, runs causal attention with
/// optional attention dropout, and returns the re-assembled heads (B, T, C) — no split/view/transpose copies.
///
/// ```swift
/// let qkv = c_attn(x)                                              // (B, T, 3C)
/// let y = causalSelfAttention(qkv: qkv, nHead: 4, dropoutP: 0.1, training: true)   // (B, T, C)
/// ```
/// PyTorch: `q, k, v = qkv.split(C, dim=2)`, heads via `.view(B, T, nh, hs).transpose(1, 2)`,
/// `F.scaled_dot_product_attention(q, k, v, is_causal=True, dropout_p=p)`, then `.transpose(1, 2).contiguous().view(B, T, C)`.
public func causalSelfAttention(qkv: Tensor, nHead: Int, dropoutP: Float = 0, training: Bool = true) -> Tensor {
    check(qkv.ndim == 3 && qkv.shape[2] % 3 == 0, "causalSelfAttention: qkv must be (B, T, 3C), got \(qkv.shape)")
    let B = qkv.shape[0], T = qkv.shape[1], C = qkv.shape[2] / 3
    check(C % nHead == 0, "causalSelfAttention: C = \(C) is not divisible by nHead = \(nHead)")
    let hs = C / nHead
    let p: Float = training ? dropoutP : 0
    let inL = HeadLayout(batchStride: T * 3 * C, headStride: hs, ld: 3 * C)
    let outL = HeadLayout(batchStride: T * C, headStride: hs, ld: C)
    let shape = AttentionShape(B: B, H: nHead, T: T, hs: hs, causal: true, dropoutP: p, seed: p > 0 ? nextSeed() : 0)
    let out = Tensor(uninitialized: [B, T, C])
    let base = qkv.data
    guard Tensor.needsGrad(qkv) else {  // inference: P is not kept
        attentionForward(out.data, outL, nil, base, inL, base + C, inL, base + 2 * C, inL, shape)
        return out
    }
    let P = Tensor(uninitialized: [B, nHead, T, T])
    attentionForward(out.data, outL, P.data, base, inL, base + C, inL, base + 2 * C, inL, shape)
    return out.record([qkv]) { out in
        // Every (b, h) writes a disjoint block of dqkv and together they cover it: beta 0 on a fresh buffer.
        let (d, acc) = qkv.gradBuffer()
        attentionBackward(d, d + C, d + 2 * C, beta: acc ? 1 : 0, out.grad!.data, outL, P.data,
                          base, inL, base + C, inL, base + 2 * C, inL, shape)
    }
}

/// Causal self-attention for generation with a KV cache: writes the keys and values of the `t` new positions in
/// `qkv` (B, t, 3C) into the layer's caches `keys`, `values` (B, capacity, C) at rows `start..<start+t`, then lets
/// each new query attend over cached rows `0...start+i`. Returns (B, t, C), the same values `causalSelfAttention`
/// gives for the last `t` positions of the whole sequence. With `queries: m`, all `t` positions are cached but only
/// the last `m` attend: (B, m, C) (sampling needs the last position alone). Inference only (run it under `noGrad`).
///
/// ```swift
/// let qkv = c_attn(x)                                         // (B, 1, 3C): the newest token
/// let y = cachedCausalSelfAttention(qkv: qkv, keys: k, values: v, start: n, nHead: 4)   // (B, 1, C)
/// ```
/// PyTorch (Hugging Face GPT-2 with `use_cache=True`): `k = torch.cat([past_k, k], dim=-2)` (same for v), then
/// `F.scaled_dot_product_attention(q, k, v, attn_mask=causal_from_past)`.
public func cachedCausalSelfAttention(qkv: Tensor, keys: Tensor, values: Tensor, start: Int, nHead: Int,
                                      queries: Int? = nil) -> Tensor {
    check(qkv.ndim == 3 && qkv.shape[2] % 3 == 0, "cachedCausalSelfAttention: qkv must be (B, t, 3C), got \(qkv.shape)")
    let B = qkv.shape[0], t = qkv.shape[1], C = qkv.shape[2] / 3
    check(keys.ndim == 3 && keys.shape == values.shape && keys.shape[0] == B && keys.shape[2] == C,
          "cachedCausalSelfAttention: caches must be (B, capacity, C) = (\(B), _, \(C)), got \(keys.shape), \(values.shape)")
    let capacity = keys.shape[1]
    check(start >= 0 && start + t <= capacity,
          "cachedCausalSelfAttention: positions \(start)..<\(start + t) do not fit a cache of \(capacity)")
    check(C % nHead == 0, "cachedCausalSelfAttention: C = \(C) is not divisible by nHead = \(nHead)")
    check(!Tensor.needsGrad(qkv), "cachedCausalSelfAttention: inference only, run it under noGrad { }")
    let src = qkv.data, kd = keys.data, vd = values.data
    for b in 0..<B {
        for i in 0..<t {
            let row = src + (b * t + i) * 3 * C, dst = (b * capacity + start + i) * C
            (kd + dst).update(from: row + C, count: C)
            (vd + dst).update(from: row + 2 * C, count: C)
        }
    }
    let m = queries ?? t                                        // the last m new positions attend
    check(m >= 1 && m <= t, "cachedCausalSelfAttention: queries \(m) must be in 1...\(t)")
    let out = Tensor(uninitialized: [B, m, C])
    cachedAttentionForward(out.data, src + (t - m) * 3 * C, kd, vd, B: B, H: nHead, t: m, start: start + t - m,
                           capacity: capacity, hs: C / nHead, qRowsPerBatch: t)
    return out
}
