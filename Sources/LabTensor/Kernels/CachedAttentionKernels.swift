// Attention for generation with a KV cache: t new queries at positions start..<start+t attend over every cached key
// 0..<start+t (the new ones included), causally. Two sgemms per (b, h) straight from the strided buffers; the
// readable version the tests compare against is `attentionReference` (full causal attention, last t rows).
//
// q    : the fused c_attn output (B, qRows, 3C): head h's queries at b·qRows·3C + h·hs, rows every 3C (qRows = t,
//        or more when only the last t of the new positions attend)
// K, V : the layer's cache (B, capacity, C): head h at b·capacity·C + h·hs, rows every C (rows < start + t filled)
// out  : (B, t, C), head h at b·t·C + h·hs

/// One layer's cached attention: out (B, t, C) = softmax(scale · q Kᵀ, causal from `start`) V.
func cachedAttentionForward(_ out: UnsafeMutablePointer<Float>, _ q: UnsafePointer<Float>,
                            _ K: UnsafePointer<Float>, _ V: UnsafePointer<Float>,
                            B: Int, H: Int, t: Int, start: Int, capacity: Int, hs: Int, qRowsPerBatch: Int? = nil) {
    let C = H * hs, n = start + t, qRows = qRowsPerBatch ?? t
    let scale = 1 / Float(hs).squareRoot()
    let os = SendPtr(out), qs = SendPtr(q), ks = SendPtr(K), vs = SendPtr(V)
    parallelRanges(B * H, costPerItem: t * n * hs * 4) { r in
        let S = scratch(t * n)                                  // (t, n) scores, then probabilities
        defer { releaseScratch(S, t * n) }
        for bh in r {
            let b = bh / H, h = bh % H
            let qp = qs.p + b * qRows * 3 * C + h * hs
            let kp = ks.p + b * capacity * C + h * hs, vp = vs.p + b * capacity * C + h * hs
            sgemm(false, true, t, n, hs, scale, qp, 3 * C, kp, C, 0, S, n)         // S = scale · q Kᵀ   (t, n)
            for i in 0..<t {                                    // query i sits at position start + i
                let row = S + i * n, valid = start + i + 1
                let sum = rowExpSum(row, row, valid, rowMax(row, valid))
                rowScale(row, valid, 1 / sum)
                if valid < n { (row + valid).initialize(repeating: 0, count: n - valid) }
            }
            sgemm(false, false, t, hs, n, 1, S, n, vp, C, 0, os.p + b * t * C + h * hs, C)   // out = P V   (t, hs)
        }
    }
}
