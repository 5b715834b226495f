// LayerNorm over the last dim. Forward stores mean and rstd per row; backward recomputes the normalised input from
// x (llm.c) in one fused pass per row (ATen's form), with per-thread dweight/dbias partial sums.

/// x (N, C), weight (C)?, bias (C)? → y (N, C), mean (N), rstd (N).
func layerNormForward(_ y: UnsafeMutablePointer<Float>, _ mean: UnsafeMutablePointer<Float>,
                      _ rstd: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
                      _ weight: UnsafePointer<Float>?, _ bias: UnsafePointer<Float>?, _ n: Int, _ c: Int, eps: Float) {
    let ys = SendPtr(y), ms = SendPtr(mean), rs = SendPtr(rstd), xs = SendPtr(x)
    let ws = weight.map { SendPtr($0) }, bs = bias.map { SendPtr($0) }
    parallelRanges(n, costPerItem: c * 4) { r in
        for row in r {
            let xp = xs.p + row * c, yp = ys.p + row * c
            let m = rowSum(xp, c) / Float(c)
            let mv = V8(repeating: m)
            var acc = V8(), i = 0
            while i + 8 <= c { let d = vload(xp + i) - mv; acc += d * d; i += 8 }
            var v = acc.sum()
            while i < c { let d = xp[i] - m; v += d * d; i += 1 }
            let rs_ = 1 / (v / Float(c) + eps).squareRoot()
            ms.p[row] = m; rs.p[row] = rs_
            let rv = V8(repeating: rs_)
            switch (ws, bs) {
            case let (w?, b?): vmap3(c, xp, w.p, b.p, yp) { x, w, b in (x - mv) * rv * w + b }
            case let (w?, nil): vmap2(c, xp, w.p, yp) { x, w in (x - mv) * rv * w }
            case let (nil, b?): vmap2(c, xp, b.p, yp) { x, b in (x - mv) * rv + b }
            case (nil, nil): vmap(c, xp, yp) { ($0 - mv) * rv }
            }
        }
    }
}

/// dy (N, C) → dx (N, C) (+= if accumulateX), dweight (C) +=, dbias (C) += (both pre-initialised, may be nil).
/// dx = rstd · (w·dy − mean(w·dy) − x̂ · mean(w·dy·x̂)), x̂ = (x − mean) · rstd.
func layerNormBackward(_ dx: UnsafeMutablePointer<Float>?, _ dweight: UnsafeMutablePointer<Float>?,
                       _ dbias: UnsafeMutablePointer<Float>?, _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                       _ mean: UnsafePointer<Float>, _ rstd: UnsafePointer<Float>, _ weight: UnsafePointer<Float>?,
                       _ n: Int, _ c: Int, accumulateX: Bool) {
    let parts = maxParts
    // Per-chunk partial sums for dweight, dbias: (parts, 2, C).
    let partial = UnsafeMutablePointer<Float>.allocate(capacity: parts * 2 * c)
    partial.initialize(repeating: 0, count: parts * 2 * c)
    defer { partial.deallocate() }
    let dxs = dx.map { SendPtr($0) }, dys = SendPtr(dy), xs = SendPtr(x), ms = SendPtr(mean), rs = SendPtr(rstd)
    let ws = weight.map { SendPtr($0) }, pp = SendPtr(partial)
    let ones = UnsafeMutablePointer<Float>.allocate(capacity: c)
    ones.initialize(repeating: 1, count: c)
    defer { ones.deallocate() }
    let os = SendPtr(ones)
    parallelChunks(n, costPerItem: c * 8) { k, r in
        let dwp = pp.p + k * 2 * c, dbp = dwp + c
        let w = ws?.p ?? os.p
        for row in r {
            let xp = xs.p + row * c, g = dys.p + row * c
            let mv = V8(repeating: ms.p[row]), rv = V8(repeating: rs.p[row])
            // pass 1: Σ w·dy, Σ w·dy·x̂; and dweight += dy·x̂, dbias += dy
            var s1 = V8(), s2 = V8(), i = 0
            while i + 8 <= c {
                let xh = (vload(xp + i) - mv) * rv, gv = vload(g + i), wg = gv * vload(w + i)
                s1 += wg; s2 += wg * xh
                vstore(vload(dwp + i) + gv * xh, dwp + i)
                vstore(vload(dbp + i) + gv, dbp + i)
                i += 8
            }
            var a = s1.sum(), b = s2.sum()
            while i < c {
                let xh = (xp[i] - ms.p[row]) * rs.p[row], wg = g[i] * w[i]
                a += wg; b += wg * xh
                dwp[i] += g[i] * xh; dbp[i] += g[i]
                i += 1
            }
            guard let dxp0 = dxs?.p else { continue }
            let dxp = dxp0 + row * c
            let av = V8(repeating: a / Float(c)), bv = V8(repeating: b / Float(c))
            // pass 2: dx
            if accumulateX {
                var i = 0
                while i + 8 <= c {
                    let xh = (vload(xp + i) - mv) * rv
                    vstore(vload(dxp + i) + rv * (vload(g + i) * vload(w + i) - av - xh * bv), dxp + i)
                    i += 8
                }
                while i < c { dxp[i] += rs.p[row] * (g[i] * w[i] - av[0] - (xp[i] - ms.p[row]) * rs.p[row] * bv[0]); i += 1 }
            } else {
                vmap3(c, xp, g, w, dxp) { x, g, w in rv * (g * w - av - (x - mv) * rv * bv) }
            }
        }
    }
    for k in 0..<parts {
        if let dw = dweight { vmap2(c, dw, partial + k * 2 * c, dw) { $0 + $1 } }
        if let db = dbias { vmap2(c, db, partial + k * 2 * c + c, db) { $0 + $1 } }
    }
}
