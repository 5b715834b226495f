// Attention over strided heads: per (b, h) two sgemms straight from the operand buffers (no transpose copies),
// a causal softmax in place and, for dropout, a counter-hash mask regenerated in backward.
// Stores only P = softmax(scale·QKᵀ) (B, H, T, T) for backward.
//
// Layout of a head operand X for head (b, h): base + b·batchStride + h·headStride, rows of hs floats every `ld`.
//   fused qkv (B, T, 3C): q at b·T·3C + h·hs, k at +C, v at +2C, ld 3C; output (B, T, C): b·T·C + h·hs, ld C.
//   separate (B, H, T, hs): b·H·T·hs + h·T·hs, ld hs.

struct HeadLayout {
    var batchStride: Int, headStride: Int, ld: Int
    @inline(__always) func offset(_ b: Int, _ h: Int) -> Int { b * batchStride + h * headStride }
}

/// Query rows per causal block (the blocks skip the masked upper triangle in every sgemm).
let queryBlock = 32

struct AttentionShape {
    var B: Int, H: Int, T: Int, hs: Int
    var causal: Bool
    var dropoutP: Float, seed: UInt64
    var scale: Float { 1 / Float(hs).squareRoot() }
}

/// P row i in place: softmax over columns 0...i (causal) or all; zero above the diagonal.
@inline(__always) func attentionSoftmaxRows(_ p: UnsafeMutablePointer<Float>, _ T: Int, causal: Bool) {
    for i in 0..<T {
        let row = p + i * T
        let n = causal ? i + 1 : T
        let s = rowExpSum(row, row, n, rowMax(row, n))
        rowScale(row, n, 1 / s)
        if n < T { (row + n).initialize(repeating: 0, count: T - n) }
    }
}

/// Dropout mask applied to a (T, T) block: dst = src · keep/(1−p); `base` = index of the block's first element.
@inline(__always) func attentionDropout(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ count: Int,
                                        p: Float, seed: UInt64, base: Int) {
    let threshold = UInt32(Swift.min(Double(p) * 4_294_967_296.0, 4_294_967_295.0))
    let scale = V8(repeating: 1 / (1 - p))
    let lane = SIMD8<UInt32>(0, 1, 2, 3, 4, 5, 6, 7)
    var i = 0
    while i < count {
        let h = vhash(SIMD8<UInt32>(repeating: UInt32(truncatingIfNeeded: base + i)) &+ lane, seed)
        let keep = V8(repeating: 0).replacing(with: scale, where: h .>= SIMD8<UInt32>(repeating: threshold))
        let m = Swift.min(8, count - i)
        if m == 8 { vstore(vload(src + i) * keep, dst + i) } else { vstorePartial(vloadPartial(src + i, m) * keep, dst + i, m) }
        i += 8
    }
}

/// Dropout on rows [r0, r1) of a (T, T) block of attention weights, only where a product reads them: columns 0...i of
/// row i when causal (P is 0 above the diagonal, and stays 0), and 0 in columns i+1..<`zeroTo` (the rest of the causal
/// block the next sgemm reads). The same values there as `attentionDropout` over the whole block (the mask is a hash of
/// the element's index), for about half the hashing. `base` = index of the block's element (0, 0).
@inline(__always) func attentionDropoutRows(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ T: Int,
                                            rows: Range<Int>, causal: Bool, zeroTo: Int, p: Float, seed: UInt64,
                                            base: Int) {
    for i in rows {
        let n = causal ? i + 1 : T
        attentionDropout(dst + i * T, src + i * T, n, p: p, seed: seed, base: base + i * T)
        if n < zeroTo { (dst + i * T + n).initialize(repeating: 0, count: zeroTo - n) }
    }
}

/// End (exclusive) of the causal query block holding row `i`: the columns a block's sgemms read.
@inline(__always) func causalBlockEnd(_ i: Int, _ T: Int) -> Int { Swift.min(T, (i / queryBlock + 1) * queryBlock) }

/// q, k, v (strided heads) → out (strided heads), P (B, H, T, T) (nil: not kept, inference).
func attentionForward(_ out: UnsafeMutablePointer<Float>, _ oL: HeadLayout, _ P: UnsafeMutablePointer<Float>?,
                      _ q: UnsafePointer<Float>, _ qL: HeadLayout, _ k: UnsafePointer<Float>, _ kL: HeadLayout,
                      _ v: UnsafePointer<Float>, _ vL: HeadLayout, _ s: AttentionShape) {
    let T = s.T, hs = s.hs, H = s.H
    let os = SendPtr(out), ps = P.map { SendPtr($0) }, qs = SendPtr(q), ks = SendPtr(k), vs = SendPtr(v)
    let dropout = s.dropoutP > 0
    parallelRanges(s.B * H, costPerItem: T * T * hs * 4) { r in
        let scratch = dropout ? LabTensor.scratch(T * T) : nil
        let pTask = ps == nil ? LabTensor.scratch(T * T) : nil  // inference: one (T, T) block per task
        defer {
            if let sc = scratch { releaseScratch(sc, T * T) }
            if let pt = pTask { releaseScratch(pt, T * T) }
        }
        for bh in r {
            let b = bh / H, h = bh % H
            let p = pTask ?? ps!.p + bh * T * T
            let qp = qs.p + qL.offset(b, h), kp = ks.p + kL.offset(b, h), vp = vs.p + vL.offset(b, h)
            // S = scale · Q Kᵀ (T, T), by blocks of query rows: causal rows [r0, r1) only need keys [0, r1).
            var r0 = 0
            while r0 < T {
                let r1 = s.causal ? Swift.min(T, r0 + queryBlock) : T
                let kn = s.causal ? r1 : T
                sgemm(false, true, r1 - r0, kn, hs, s.scale, qp + r0 * qL.ld, qL.ld, kp, kL.ld, 0, p + r0 * T, T)
                r0 = r1
            }
            attentionSoftmaxRows(p, T, causal: s.causal)
            var pa = UnsafePointer(p)
            if let sc = scratch {   // (the causal part only: P V reads rows [r0, r1) up to column r1)
                for i0 in stride(from: 0, to: T, by: s.causal ? queryBlock : T) {
                    let i1 = s.causal ? causalBlockEnd(i0, T) : T
                    attentionDropoutRows(sc, p, T, rows: i0..<i1, causal: s.causal, zeroTo: i1, p: s.dropoutP,
                                         seed: s.seed, base: bh * T * T)
                }
                pa = UnsafePointer(sc)
            }
            // O = P V   (T, hs), written straight into the strided output (causal blocks skip the zero columns)
            let op = os.p + oL.offset(b, h)
            r0 = 0
            while r0 < T {
                let r1 = s.causal ? Swift.min(T, r0 + queryBlock) : T
                sgemm(false, false, r1 - r0, hs, s.causal ? r1 : T, 1, pa + r0 * T, T, vp, vL.ld, 0, op + r0 * oL.ld, oL.ld)
                r0 = r1
            }
        }
    }
}

/// Backward of `attentionForward` (same argument order, d-prefixed outputs first). beta 1 adds into dq, dk, dv.
///   dP' = dO Vᵀ; dV += P'ᵀ dO; dP = dP' ⊙ mask; dS = P ⊙ (dP − rowsum(dP ⊙ P)); dQ += s·dS K; dK += s·dSᵀ Q.
func attentionBackward(_ dq: UnsafeMutablePointer<Float>, _ dk: UnsafeMutablePointer<Float>,
                       _ dv: UnsafeMutablePointer<Float>, beta: Float, _ dout: UnsafePointer<Float>, _ oL: HeadLayout,
                       _ P: UnsafePointer<Float>, _ q: UnsafePointer<Float>, _ qL: HeadLayout,
                       _ k: UnsafePointer<Float>, _ kL: HeadLayout, _ v: UnsafePointer<Float>, _ vL: HeadLayout,
                       _ s: AttentionShape) {
    let T = s.T, hs = s.hs, H = s.H
    let dqs = SendPtr(dq), dks = SendPtr(dk), dvs = SendPtr(dv), dos = SendPtr(dout), ps = SendPtr(P)
    let qs = SendPtr(q), ks = SendPtr(k), vs = SendPtr(v)
    let dropout = s.dropoutP > 0
    parallelRanges(s.B * H, costPerItem: T * T * hs * 8) { r in
        let dP = scratch(T * T)
        let pd = dropout ? scratch(T * T) : nil
        defer { releaseScratch(dP, T * T); if let pd { releaseScratch(pd, T * T) } }
        for bh in r {
            let b = bh / H, h = bh % H
            let p = ps.p + bh * T * T
            let qo = qL.offset(b, h), ko = kL.offset(b, h), vo = vL.offset(b, h)
            let g = dos.p + oL.offset(b, h)
            // Blocks of query rows [r0, r1) see keys [0, kn). Walk them last-first: the last block covers every key row,
            // so it applies `beta` to all of dK/dV and the others accumulate.
            let nBlocks = s.causal ? (T + queryBlock - 1) / queryBlock : 1
            if let pd {             // P' = dropout(P) where the dV products read it (as in the forward)
                for i0 in stride(from: 0, to: T, by: s.causal ? queryBlock : T) {
                    let i1 = s.causal ? causalBlockEnd(i0, T) : T
                    attentionDropoutRows(pd, p, T, rows: i0..<i1, causal: s.causal, zeroTo: i1, p: s.dropoutP,
                                         seed: s.seed, base: bh * T * T)
                }
            }
            let pa = pd.map { UnsafePointer($0) } ?? UnsafePointer(p)
            for blk in stride(from: nBlocks - 1, through: 0, by: -1) {
                let r0 = s.causal ? blk * queryBlock : 0
                let r1 = s.causal ? Swift.min(T, r0 + queryBlock) : T
                let m = r1 - r0, kn = s.causal ? r1 : T
                let kvBeta: Float = blk == nBlocks - 1 ? beta : 1
                let gb = g + r0 * oL.ld, dPb = dP + r0 * T, pb = p + r0 * T
                // dP' = dO Vᵀ   (m, kn)
                sgemm(false, true, m, kn, hs, 1, gb, oL.ld, vs.p + vo, vL.ld, 0, dPb, T)
                // dV[0..<kn] += P'ᵀ dO   (kn, hs)
                sgemm(true, false, kn, hs, m, 1, pa + r0 * T, T, gb, oL.ld, kvBeta, dvs.p + vo, vL.ld)
                if dropout {  // dP = dP' ⊙ mask on the columns dS uses (0...i when causal)
                    attentionDropoutRows(dP, dP, T, rows: r0..<r1, causal: s.causal, zeroTo: 0, p: s.dropoutP,
                                         seed: s.seed, base: bh * T * T)
                }
                // dS = P ⊙ (dP − Σ dP⊙P), row by row over the unmasked part
                for i in 0..<m {
                    let n = s.causal ? r0 + i + 1 : T
                    let pr = pb + i * T, dr = dPb + i * T
                    let dot = V8(repeating: rowDot(pr, dr, n))
                    vmap2(n, pr, dr, dr) { p, d in p * (d - dot) }
                    if n < kn { (dr + n).initialize(repeating: 0, count: kn - n) }
                }
                // dQ[r0..<r1] (+)= scale · dS K ; dK[0..<kn] += scale · dSᵀ Q[r0..<r1]
                sgemm(false, false, m, hs, kn, s.scale, dPb, T, ks.p + ko, kL.ld, beta, dqs.p + qo + r0 * qL.ld, qL.ld)
                sgemm(true, false, kn, hs, m, s.scale, dPb, T, qs.p + qo + r0 * qL.ld, qL.ld, kvBeta, dks.p + ko, kL.ld)
            }
        }
    }
}

/// Reference attention (naive loops, llm.c style) for tests: q, k, v (B, H, T, hs) → out (B, H, T, hs). With
/// `dropoutP` > 0, weight j of query i in head bh is kept when `dropoutKeepRef(bh·T·T + i·T + j)` and scaled by 1/(1−p).
func attentionReference(_ q: [Float], _ k: [Float], _ v: [Float], B: Int, H: Int, T: Int, hs: Int, causal: Bool,
                        dropoutP: Float = 0, seed: UInt64 = 0) -> [Float] {
    var out = [Float](repeating: 0, count: B * H * T * hs)
    let scale = 1 / Float(hs).squareRoot()
    for bh in 0..<(B * H) {
        let base = bh * T * hs
        for i in 0..<T {
            let n = causal ? i + 1 : T
            var sc = [Float](repeating: 0, count: n)
            for j in 0..<n {
                var d: Float = 0
                for c in 0..<hs { d += q[base + i * hs + c] * k[base + j * hs + c] }
                sc[j] = d * scale
            }
            var p = softmaxRef(sc)
            if dropoutP > 0 {
                for j in 0..<n { p[j] *= dropoutKeepRef(bh * T * T + i * T + j, p: dropoutP, seed: seed) ? 1 / (1 - dropoutP) : 0 }
            }
            for c in 0..<hs {
                var acc: Float = 0
                for j in 0..<n { acc += p[j] * v[base + j * hs + c] }
                out[base + i * hs + c] = acc
            }
        }
    }
    return out
}
