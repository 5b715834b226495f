// Softmax, log-softmax and the fused softmax + cross-entropy, over the last dim of row-major (rows, n).
// Three SIMD passes per row (max, exp+sum, scale), as ATen's vectorised softmax. Rows are split over the cores.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@inline(__always) func rowMax(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var m = V8(repeating: -.infinity), i = 0
    while i + 8 <= n { m = vmax(m, vload(p + i)); i += 8 }
    var r = m.max()
    while i < n { r = Swift.max(r, p[i]); i += 1 }
    return r
}

@inline(__always) func rowSum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var a = V8(), b = V8(), i = 0
    while i + 16 <= n { a += vload(p + i); b += vload(p + i + 8); i += 16 }
    if i + 8 <= n { a += vload(p + i); i += 8 }
    var r = (a + b).sum()
    while i < n { r += p[i]; i += 1 }
    return r
}

@inline(__always) func rowDot(_ p: UnsafePointer<Float>, _ q: UnsafePointer<Float>, _ n: Int) -> Float {
    var a = V8(), i = 0
    while i + 8 <= n { a += vload(p + i) * vload(q + i); i += 8 }
    var r = a.sum()
    while i < n { r += p[i] * q[i]; i += 1 }
    return r
}

/// y[j] = exp(x[j] - m); returns Σ y.
@inline(__always) func rowExpSum(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int, _ m: Float) -> Float {
    let mv = V8(repeating: m)
    var acc = V8(), i = 0
    while i + 8 <= n { let e = vexp(vload(x + i) - mv); vstore(e, y + i); acc += e; i += 8 }
    if i < n {
        let e = vexp(vloadPartial(x + i, n - i) - mv)
        vstorePartial(e, y + i, n - i)
        for j in 0..<(n - i) { acc[j] += e[j] }
    }
    return acc.sum()
}

@inline(__always) func rowScale(_ y: UnsafeMutablePointer<Float>, _ n: Int, _ s: Float) {
    vmap(n, y, y) { $0 * s }
}

/// x (rows, n) → y (rows, n) = softmax over the last dim.
func softmaxForward(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ rows: Int, _ n: Int) {
    let ys = SendPtr(y), xs = SendPtr(x)
    parallelRanges(rows, costPerItem: n * 8) { r in
        for row in r {
            let xp = xs.p + row * n, yp = ys.p + row * n
            let s = rowExpSum(yp, xp, n, rowMax(xp, n))
            rowScale(yp, n, 1 / s)
        }
    }
}

/// dy (rows, n), y = softmax output → dx (+)= y ⊙ (dy − Σ dy⊙y).
func softmaxBackward(_ dx: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                     _ rows: Int, _ n: Int, accumulate: Bool) {
    let dxs = SendPtr(dx), dys = SendPtr(dy), ys = SendPtr(y)
    parallelRanges(rows, costPerItem: n * 4) { r in
        for row in r {
            let g = dys.p + row * n, yp = ys.p + row * n, d = dxs.p + row * n
            let dot = V8(repeating: rowDot(g, yp, n))
            if accumulate { vmap3(n, g, yp, d, d) { g, y, d in d + y * (g - dot) } } else { vmap2(n, g, yp, d) { g, y in y * (g - dot) } }
        }
    }
}

/// x (rows, n) → y (rows, n) = log-softmax over the last dim.
func logSoftmaxForward(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ rows: Int, _ n: Int) {
    let ys = SendPtr(y), xs = SendPtr(x)
    parallelRanges(rows, costPerItem: n * 8) { r in
        for row in r {
            let xp = xs.p + row * n, yp = ys.p + row * n
            let m = rowMax(xp, n)
            let lse = V8(repeating: m + logf(rowExpSum(yp, xp, n, m)))
            vmap(n, xp, yp) { $0 - lse }
        }
    }
}

/// dy (rows, n), y = log-softmax output → dx (+)= dy − exp(y) Σ dy.
func logSoftmaxBackward(_ dx: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                        _ rows: Int, _ n: Int, accumulate: Bool) {
    let dxs = SendPtr(dx), dys = SendPtr(dy), ys = SendPtr(y)
    parallelRanges(rows, costPerItem: n * 8) { r in
        for row in r {
            let g = dys.p + row * n, yp = ys.p + row * n, d = dxs.p + row * n
            let s = V8(repeating: rowSum(g, n))
            if accumulate { vmap3(n, g, yp, d, d) { g, y, d in d + g - vexp(y) * s } } else { vmap2(n, g, yp, d) { g, y in g - vexp(y) * s } }
        }
    }
}

/// Fused softmax + cross-entropy. logits (N, V), targets (N) → losses (N) (0 for ignored rows), probs (N, V).
/// Each row's loss m + log Σ exp(x − m) − x[target] is formed in Double (the exp sum itself is exact for a uniform row),
/// so a uniform model over V classes gives exactly log V after rounding, and the caller sums the rows in Double.
func crossEntropyForward(_ losses: UnsafeMutablePointer<Double>, _ probs: UnsafeMutablePointer<Float>,
                         _ logits: UnsafePointer<Float>, _ targets: UnsafePointer<Int32>, _ n: Int, _ v: Int,
                         ignoreIndex: Int32?) {
    let ls = SendPtr(losses), ps = SendPtr(probs), xs = SendPtr(logits), ts = SendPtr(targets)
    parallelRanges(n, costPerItem: v * 8) { r in
        for row in r {
            let xp = xs.p + row * v, pp = ps.p + row * v
            let m = rowMax(xp, v)
            let s = rowExpSum(pp, xp, v, m)
            rowScale(pp, v, 1 / s)
            let t = ts.p[row]
            if let ig = ignoreIndex, t == ig { ls.p[row] = 0; continue }
            ls.p[row] = (Double(m) - Double(xp[Int(t)])) + log(Double(s))
        }
    }
}

/// dlogits (N, V) (+)= (probs − onehot(target)) · dloss for counted rows, 0 for ignored rows.
func crossEntropyBackward(_ dlogits: UnsafeMutablePointer<Float>, _ probs: UnsafePointer<Float>,
                          _ targets: UnsafePointer<Int32>, _ n: Int, _ v: Int, dloss: Float, ignoreIndex: Int32?,
                          accumulate: Bool) {
    let ds = SendPtr(dlogits), ps = SendPtr(probs), ts = SendPtr(targets)
    parallelRanges(n, costPerItem: v * 2) { r in
        let g = V8(repeating: dloss)
        for row in r {
            let d = ds.p + row * v, pp = ps.p + row * v
            let t = ts.p[row]
            if let ig = ignoreIndex, t == ig {
                if !accumulate { d.initialize(repeating: 0, count: v) }
                continue
            }
            if accumulate { vmap2(v, pp, d, d) { p, d in d + p * g } } else { vmap(v, pp, d) { $0 * g } }
            d[Int(t)] -= dloss
        }
    }
}

// Scalar references for tests.
func softmaxRef(_ x: [Float]) -> [Float] {
    let m = x.max() ?? 0
    let e = x.map { expf($0 - m) }
    let s = e.reduce(0, +)
    return e.map { $0 / s }
}
