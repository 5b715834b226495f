// Elementwise kernels over raw pointers: SIMD8 maps, NumPy-broadcast iteration, reduce-to-shape, dropout.
// Big maps are split over the cores (memory-bound: ~15 GB/s on one core, ~30 on two).

/// y[i] = f(x[i]) for i in 0..<n (single thread).
@inline(__always)
func vmap(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ f: (V8) -> V8) {
    var i = 0
    while i + 8 <= n { vstore(f(vload(x + i)), y + i); i += 8 }
    if i < n { vstorePartial(f(vloadPartial(x + i, n - i)), y + i, n - i) }
}

/// y[i] = f(a[i], b[i]) (single thread).
@inline(__always)
func vmap2(_ n: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
           _ f: (V8, V8) -> V8) {
    var i = 0
    while i + 8 <= n { vstore(f(vload(a + i), vload(b + i)), y + i); i += 8 }
    if i < n { vstorePartial(f(vloadPartial(a + i, n - i), vloadPartial(b + i, n - i)), y + i, n - i) }
}

/// y[i] = f(a[i], b[i], c[i]) (single thread).
@inline(__always)
func vmap3(_ n: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>,
           _ y: UnsafeMutablePointer<Float>, _ f: (V8, V8, V8) -> V8) {
    var i = 0
    while i + 8 <= n { vstore(f(vload(a + i), vload(b + i), vload(c + i)), y + i); i += 8 }
    if i < n {
        let m = n - i
        vstorePartial(f(vloadPartial(a + i, m), vloadPartial(b + i, m), vloadPartial(c + i, m)), y + i, m)
    }
}

/// Parallel unary map.
@inline(__always)
func pmap(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, cost: Int = 1, _ f: (V8) -> V8) {
    let xs = SendPtr(x), ys = SendPtr(y)
    parallelRanges(n, costPerItem: cost) { r in vmap(r.count, xs.p + r.lowerBound, ys.p + r.lowerBound, f) }
}

/// Parallel binary map.
@inline(__always)
func pmap2(_ n: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
           cost: Int = 1, _ f: (V8, V8) -> V8) {
    let as_ = SendPtr(a), bs = SendPtr(b), ys = SendPtr(y)
    parallelRanges(n, costPerItem: cost) { r in
        vmap2(r.count, as_.p + r.lowerBound, bs.p + r.lowerBound, ys.p + r.lowerBound, f)
    }
}

/// dst += src (n). Package API: LabNN may use it for gradient arenas.
package func addInPlace(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
    pmap2(n, dst, src, dst) { $0 + $1 }
}

/// dst = src (accumulate false) or dst += src (accumulate true).
@inline(__always)
func storeOrAdd(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int, _ accumulate: Bool) {
    if accumulate { addInPlace(dst, src, n) } else { dst.update(from: src, count: n) }
}

// MARK: - Broadcasting

/// NumPy broadcast of two shapes (nil if incompatible).
func broadcastShapes(_ a: [Int], _ b: [Int]) -> [Int]? {
    let n = Swift.max(a.count, b.count)
    var out = [Int](repeating: 1, count: n)
    for i in 0..<n {
        let da = i < n - a.count ? 1 : a[i - (n - a.count)]
        let db = i < n - b.count ? 1 : b[i - (n - b.count)]
        if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
    }
    return out
}

/// Strides of a contiguous tensor of `shape` seen in the index space of `outShape` (0 on broadcast dims).
func broadcastStrides(_ shape: [Int], _ outShape: [Int]) -> [Int] {
    let n = outShape.count
    var strides = [Int](repeating: 0, count: n)
    var s = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
        let o = i + n - shape.count
        strides[o] = shape[i] == 1 && outShape[o] != 1 ? 0 : s
        s *= shape[i]
    }
    return strides
}

/// Iterates `outShape` (contiguous) with operands of `strides`, merging dims, calling `run(outOffset, offsets, n, inner)`
/// for each innermost run of `n` elements (`inner` = the operands' innermost strides).
func forEachRun(_ outShape: [Int], _ strides: [[Int]], _ run: (Int, [Int], Int, [Int]) -> Void) {
    // Merge adjacent dims that are contiguous for every operand.
    var shape: [Int] = []
    var st: [[Int]] = strides.map { _ in [] }
    for d in 0..<outShape.count where outShape[d] != 1 {
        if let last = shape.last, (0..<strides.count).allSatisfy({ st[$0].last! == strides[$0][d] * outShape[d] }) {
            shape[shape.count - 1] = last * outShape[d]
            for k in 0..<strides.count { st[k][st[k].count - 1] = strides[k][d] }
        } else {
            shape.append(outShape[d])
            for k in 0..<strides.count { st[k].append(strides[k][d]) }
        }
    }
    if shape.isEmpty { run(0, strides.map { _ in 0 }, 1, strides.map { _ in 1 }); return }
    let nd = shape.count
    let inner = shape[nd - 1]
    let innerStrides = st.map { $0[nd - 1] }
    let outer = shape.dropLast().reduce(1, *)
    var idx = [Int](repeating: 0, count: nd - 1)
    var offs = [Int](repeating: 0, count: strides.count)
    for o in 0..<outer {
        run(o * inner, offs, inner, innerStrides)
        // increment the multi-index
        var d = nd - 2
        while d >= 0 {
            idx[d] += 1
            for k in 0..<offs.count { offs[k] += st[k][d] }
            if idx[d] < shape[d] { break }
            for k in 0..<offs.count { offs[k] -= st[k][d] * shape[d] }
            idx[d] = 0
            d -= 1
        }
    }
}

/// out = f(a, b) with NumPy broadcasting. `out` has `outShape`.
@inline(__always)
func broadcastBinary(_ a: UnsafePointer<Float>, _ aShape: [Int], _ b: UnsafePointer<Float>, _ bShape: [Int],
                     _ out: UnsafeMutablePointer<Float>, _ outShape: [Int], _ f: (V8, V8) -> V8) {
    let n = outShape.reduce(1, *)
    if aShape == bShape { pmap2(n, a, b, out, f); return }
    let aCount = aShape.reduce(1, *), bCount = bShape.reduce(1, *)
    if bCount == 1 { let s = V8(repeating: b[0]); pmap(n, a, out) { f($0, s) }; return }
    if aCount == 1 { let s = V8(repeating: a[0]); pmap(n, b, out) { f(s, $0) }; return }
    // Row broadcast (bias, positional embedding): out[o, :] = f(a[o, :], b[:]) with b's shape a suffix of out's.
    if aShape == outShape, isSuffix(bShape, of: outShape) {
        let as_ = SendPtr(a), bs = SendPtr(b), os = SendPtr(out)
        parallelRanges(n / bCount, costPerItem: bCount) { r in
            for o in r { vmap2(bCount, as_.p + o * bCount, bs.p, os.p + o * bCount, f) }
        }
        return
    }
    let sa = broadcastStrides(aShape, outShape), sb = broadcastStrides(bShape, outShape)
    forEachRun(outShape, [sa, sb]) { o, offs, m, inner in
        let pa = a + offs[0], pb = b + offs[1], po = out + o
        switch (inner[0], inner[1]) {
        case (1, 1): vmap2(m, pa, pb, po, f)
        case (1, 0): let s = V8(repeating: pb[0]); vmap(m, pa, po) { f($0, s) }
        case (0, 1): let s = V8(repeating: pa[0]); vmap(m, pb, po) { f(s, $0) }
        default:
            for i in 0..<m { po[i] = f(V8(repeating: pa[i * inner[0]]), V8(repeating: pb[i * inner[1]]))[0] }
        }
    }
}

/// Whether `shape` (leading 1s ignored) equals the trailing dims of `full`.
func isSuffix(_ shape: [Int], of full: [Int]) -> Bool {
    let s = Array(shape.drop { $0 == 1 })
    return s.count <= full.count && Array(full.suffix(s.count)) == s
}

/// dst (shape `dstShape`, broadcastable to `srcShape`) += sum of src over the broadcast dims.
/// dst must be initialised (zeros or an existing gradient).
func reduceAdd(_ src: UnsafePointer<Float>, _ srcShape: [Int], into dst: UnsafeMutablePointer<Float>, _ dstShape: [Int]) {
    let n = srcShape.reduce(1, *)
    let m = dstShape.reduce(1, *)
    if n == m { addInPlace(dst, src, n); return }
    if isSuffix(dstShape, of: srcShape) {  // column sums (bias-like gradients)
        columnSum(src, rows: n / m, cols: m, into: dst, accumulate: true)
        return
    }
    let sd = broadcastStrides(dstShape, srcShape)
    let ss = broadcastStrides(srcShape, srcShape)
    forEachRun(srcShape, [ss, sd]) { _, offs, m, inner in
        let ps = src + offs[0], pd = dst + offs[1]
        if inner[1] == 1 {
            vmap2(m, pd, ps, pd) { $0 + $1 }
        } else if inner[1] == 0 {
            var acc = V8(), i = 0
            while i + 8 <= m { acc += vload(ps + i); i += 8 }
            var s = acc.sum()
            while i < m { s += ps[i]; i += 1 }
            pd[0] += s
        } else {
            for i in 0..<m { pd[i * inner[1]] += ps[i] }
        }
    }
}

// MARK: - Dropout
// y = x · keep / (1 − p), keep[i] = hash(seed, i) ≥ p·2³². The mask is regenerated from the seed in backward.

/// x (n) → y (n); i0 = index of x[0] in the whole tensor (for the counter).
func dropoutForward(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int, p: Float, seed: UInt64) {
    let threshold = UInt32(Swift.min(Double(p) * 4_294_967_296.0, 4_294_967_295.0))
    let scale = V8(repeating: 1 / (1 - p))
    let xs = SendPtr(x), ys = SendPtr(y)
    parallelRanges(n / 8 + 1, costPerItem: 8) { r in
        let lane = SIMD8<UInt32>(0, 1, 2, 3, 4, 5, 6, 7)
        for c in r {
            let i = c * 8
            if i >= n { break }
            let h = vhash(SIMD8<UInt32>(repeating: UInt32(truncatingIfNeeded: i)) &+ lane, seed)
            let keep = V8(repeating: 0).replacing(with: scale, where: h .>= SIMD8<UInt32>(repeating: threshold))
            if i + 8 <= n { vstore(vload(xs.p + i) * keep, ys.p + i) } else {
                vstorePartial(vloadPartial(xs.p + i, n - i) * keep, ys.p + i, n - i)
            }
        }
    }
}

/// dy (n) → dx (n): dx (+)= dy · keep / (1 − p), the same mask as `dropoutForward` for `seed`.
func dropoutBackward(_ dx: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>, _ n: Int, p: Float, seed: UInt64,
                     accumulate: Bool) {
    let threshold = UInt32(Swift.min(Double(p) * 4_294_967_296.0, 4_294_967_295.0))
    let scale = V8(repeating: 1 / (1 - p))
    let xs = SendPtr(dy), ys = SendPtr(dx)
    parallelRanges(n / 8 + 1, costPerItem: 8) { r in
        let lane = SIMD8<UInt32>(0, 1, 2, 3, 4, 5, 6, 7)
        for c in r {
            let i = c * 8
            if i >= n { break }
            let h = vhash(SIMD8<UInt32>(repeating: UInt32(truncatingIfNeeded: i)) &+ lane, seed)
            let keep = V8(repeating: 0).replacing(with: scale, where: h .>= SIMD8<UInt32>(repeating: threshold))
            let m = Swift.min(8, n - i)
            var v = (m == 8 ? vload(xs.p + i) : vloadPartial(xs.p + i, m)) * keep
            if accumulate { v += m == 8 ? vload(ys.p + i) : vloadPartial(ys.p + i, m) }
            if m == 8 { vstore(v, ys.p + i) } else { vstorePartial(v, ys.p + i, m) }
        }
    }
}

/// Reference dropout mask value for element i (tests).
func dropoutKeepRef(_ i: Int, p: Float, seed: UInt64) -> Bool {
    hashScalar(UInt32(truncatingIfNeeded: i), seed) >= UInt32(Swift.min(Double(p) * 4_294_967_296.0, 4_294_967_295.0))
}
