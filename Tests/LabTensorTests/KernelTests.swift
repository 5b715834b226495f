import Testing
@testable import LabTensor
#if canImport(Glibc)
import Glibc
#endif

// Fast SIMD kernels against their scalar references on odd sizes.

@Suite struct KernelTests {
    @Test func vexpMatchesLibm() {
        var worst: Float = 0
        var x: Float = -87
        while x < 88 {
            let v = vexp(V8(repeating: x))[0]
            worst = Swift.max(worst, Swift.abs(v - expf(x)) / expf(x))
            x += 0.0137
        }
        #expect(worst < 5e-6)
    }

    @Test(arguments: [1, 7, 8, 9, 31, 1003])
    func geluFastMatchesReference(n: Int) {
        let x = uniform([n], -6, 6, seed: UInt64(n))
        let fastExact = x.gelu().scalars, fastTanh = x.gelu(approximate: .tanh).scalars
        for i in 0..<n {
            let xi = x.scalars[i]
            #expect(Swift.abs(fastExact[i] - geluErfRef(xi)) < 2e-6)
            #expect(Swift.abs(fastTanh[i] - geluTanhRef(xi)) < 2e-6)
            #expect(Swift.abs(vgeluErfGrad(V8(repeating: xi))[0] - geluErfGradRef(xi)) < 5e-6)
            #expect(Swift.abs(vgeluTanhGrad(V8(repeating: xi))[0] - geluTanhGradRef(xi)) < 5e-6)
        }
    }

    @Test(arguments: [1, 5, 17, 65, 130])
    func softmaxFastMatchesReference(n: Int) {
        let x = uniform([3, n], -10, 10, seed: UInt64(n))
        let y = softmax(x).scalars
        for r in 0..<3 {
            #expect(close(Array(y[(r * n)..<((r + 1) * n)]), softmaxRef(Array(x.scalars[(r * n)..<((r + 1) * n)])), atol: 1e-6))
        }
    }

    @Test(arguments: [(1, 1), (2, 13), (3, 16), (1, 37)])
    func attentionMatchesNaiveLoops(b: Int, t: Int) {
        let H = 3, hs = 5, C = H * hs
        let qkv = uniform([b, t, 3 * C], -2, 2, seed: 5)
        let y = causalSelfAttention(qkv: qkv, nHead: H, dropoutP: 0, training: false)
        // Reference: split and transpose with plain loops, then naive attention.
        func heads(_ part: Int) -> [Float] { splitHeads(qkv.scalars, part, b: b, t: t, H: H, hs: hs) }
        let ref = attentionReference(heads(0), heads(1), heads(2), B: b, H: H, T: t, hs: hs, causal: true)
        let expected = mergeHeads(ref, b: b, t: t, H: H, hs: hs)
        #expect(close(y.scalars, expected, atol: 1e-5))
        // The unfused composition (nanoGPT's manual path) agrees too.
        let (q, k, v) = (qkv[.all, .all, 0..<C], qkv[.all, .all, C..<(2 * C)], qkv[.all, .all, (2 * C)...])
        func split(_ x: Tensor) -> Tensor { x.view(b, t, H, hs).transpose(1, 2) }
        var att = matmul(split(q), split(k).transpose(-2, -1)) * (1 / Float(hs).squareRoot())
        att = softmax(att.maskedFill(Tensor.tril(t) .== 0, -.infinity), dim: -1)
        let manual = matmul(att, split(v)).transpose(1, 2).contiguous().view(b, t, C)
        #expect(close(y.scalars, manual.scalars, atol: 1e-5))
        let sdpa = scaledDotProductAttention(split(q), split(k), split(v), isCausal: true).transpose(1, 2).view(b, t, C)
        #expect(close(y.scalars, sdpa.scalars, atol: 1e-5))
    }

    // Attention dropout (hashed only over the causal part the products read) against the naive loops with the mask
    // over every element; T = 45 and 70 end in partial 32-row blocks.
    @Test(arguments: [(2, 7), (1, 45), (1, 70)])
    func attentionDropoutMatchesNaiveLoops(b: Int, t: Int) {
        let H = 2, hs = 6, C = H * hs, p: Float = 0.3
        let qkv = uniform([b, t, 3 * C], -2, 2, seed: 9)
        manualSeed(21)
        let y = causalSelfAttention(qkv: qkv, nHead: H, dropoutP: p, training: true)
        manualSeed(21)
        let seed = nextSeed()
        func heads(_ part: Int) -> [Float] { splitHeads(qkv.scalars, part, b: b, t: t, H: H, hs: hs) }
        let ref = attentionReference(heads(0), heads(1), heads(2), B: b, H: H, T: t, hs: hs, causal: true,
                                     dropoutP: p, seed: seed)
        let expected = mergeHeads(ref, b: b, t: t, H: H, hs: hs)
        #expect(close(y.scalars, expected, atol: 1e-5))
        #expect(!close(y.scalars, causalSelfAttention(qkv: qkv, nHead: H, dropoutP: 0, training: false).scalars, atol: 1e-3))
    }

    // narrow's backward over the cores: a fresh gradient gets the slice and zeros elsewhere, a second slice adds
    // (checked element by element against the index arithmetic; big enough to split over the threads).
    @Test(arguments: [(0, 7), (3, 2), (5, 4)])
    func narrowBackwardMatchesScatter(start: Int, length: Int) {
        let (outer, n, inner) = (37, 9, 301)
        let x = uniform([outer, n, inner], seed: 4)
        x.requiresGrad = true
        let g1 = uniform([outer, length, inner], seed: 5), g2 = uniform([outer, 2, inner], seed: 6)
        x.narrow(1, start, length).backward(g1)
        x.narrow(1, 1, 2).backward(g2)
        let (d, a, b) = (x.grad!.scalars, g1.scalars, g2.scalars)
        var expected = [Float](repeating: 0, count: outer * n * inner)
        for o in 0..<outer { for j in 0..<n { for c in 0..<inner {
            var e: Float = 0
            if j >= start && j < start + length { e += a[(o * length + j - start) * inner + c] }
            if j >= 1 && j < 3 { e += b[(o * 2 + j - 1) * inner + c] }
            expected[(o * n + j) * inner + c] = e
        } } }
        #expect(d == expected)
    }

    /// The KV-cache path fed the sequence in uneven pieces (a prefill, then single tokens, then a chunk) equals naive
    /// causal attention over the whole sequence, row for row; cache rows past the filled ones are never read.
    @Test(arguments: [(1, [1]), (2, [5, 1, 1, 6]), (3, [1, 1, 1, 17, 2]), (1, [37])])
    func cachedAttentionMatchesNaiveLoops(b: Int, pieces: [Int]) {
        let H = 3, hs = 5, C = H * hs, t = pieces.reduce(0, +), capacity = t + 3
        let qkv = uniform([b, t, 3 * C], -2, 2, seed: 9)
        func heads(_ part: Int) -> [Float] { splitHeads(qkv.scalars, part, b: b, t: t, H: H, hs: hs) }
        let ref = attentionReference(heads(0), heads(1), heads(2), B: b, H: H, T: t, hs: hs, causal: true)
        let keys = Tensor.full([b, capacity, C], .nan), values = Tensor.full([b, capacity, C], .nan)
        var start = 0
        for n in pieces {
            let y = noGrad { cachedCausalSelfAttention(qkv: qkv[.all, start..<(start + n), .all], keys: keys, values: values,
                                                       start: start, nHead: H) }.scalars        // (b, n, C)
            for bi in 0..<b { for h in 0..<H { for i in 0..<n { for c in 0..<hs {
                let got = y[(bi * n + i) * C + h * hs + c], want = ref[((bi * H + h) * t + start + i) * hs + c]
                #expect(Swift.abs(got - want) < 1e-5, "b \(bi) head \(h) position \(start + i) channel \(c)")
            } } } }
            start += n
        }
    }

    @Test func dropoutMaskMatchesScalarHash() {
        let x = Tensor.ones([1001])
        let seed: UInt64 = 0xDEAD_BEEF_1234
        let y = Tensor(uninitialized: [1001])
        dropoutForward(y.data, x.data, 1001, p: 0.4, seed: seed)
        for i in 0..<1001 { #expect((y.data[i] != 0) == dropoutKeepRef(i, p: 0.4, seed: seed)) }
    }

    @Test(arguments: [(1, 1, 1), (33, 17, 65), (130, 3, 257)])
    func sgemmSplitMatchesNaive(m: Int, k: Int, n: Int) {
        let a = uniform([m, k], seed: 1), b = uniform([n, k], seed: 2)
        let c = linear(a, b)   // A · Bᵀ, split over threads when large
        let A = a.scalars, B = b.scalars
        var expected = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { var s: Float = 0; for p in 0..<k { s += A[i * k + p] * B[j * k + p] }; expected[i * n + j] = s } }
        #expect(close(c.scalars, expected, atol: 1e-4))
    }

    /// One-row products (generation through a Linear) go through sgemv: x · Wᵀ, x · W and a strided row of a
    /// transposed operand against naive sums, into uninitialised outputs.
    @Test(arguments: [(1, 1), (37, 65), (256, 768), (257, 1031), (3, 1)])
    func oneRowProductsMatchNaive(k: Int, n: Int) {
        let x = uniform([1, k], seed: 11), w = uniform([n, k], seed: 12), v = uniform([k, n], seed: 13)
        let X = x.scalars, W = w.scalars, Vv = v.scalars
        let xw = (0..<n).map { j in (0..<k).reduce(Float(0)) { $0 + X[$1] * W[j * k + $1] } }
        let xv = (0..<n).map { j in (0..<k).reduce(Float(0)) { $0 + X[$1] * Vv[$1 * n + j] } }
        #expect(close(linear(x, w).scalars, xw, atol: 1e-4))                        // B stored (n, k)
        #expect(close(matmul(x, v).scalars, xv, atol: 1e-4))                        // B stored (k, n)
        let xT = uniform([k, 3], seed: 14)                                         // a row read with stride 3
        let col = xT.narrow(1, 2, 1).T                                              // (1, k), transposed view
        let C = xT.scalars
        let cv = (0..<n).map { j in (0..<k).reduce(Float(0)) { $0 + C[$1 * 3 + 2] * Vv[$1 * n + j] } }
        #expect(close(matmul(col, v).scalars, cv, atol: 1e-4))
    }

    @Test func largeParallelKernelsMatchSerialReference() {
        // Big enough to be split over threads.
        let x = uniform([300, 257], -3, 3, seed: 4), w = uniform([257], seed: 5), b = uniform([257], seed: 6)
        let y = layerNorm(x, w, b).scalars
        let xs = x.scalars, ws = w.scalars, bs = b.scalars
        for r in stride(from: 0, to: 300, by: 37) {
            let row = Array(xs[(r * 257)..<((r + 1) * 257)]).map(Double.init)
            let m = row.reduce(0, +) / 257
            let v = row.map { ($0 - m) * ($0 - m) }.reduce(0, +) / 257
            for j in 0..<257 {
                let e = (row[j] - m) / (v + 1e-5).squareRoot() * Double(ws[j]) + Double(bs[j])
                #expect(Swift.abs(Double(y[r * 257 + j]) - e) < 1e-4)
            }
        }
    }

    @Test func optimizerKernelMatchesFormula() {
        var p: [Float] = [1, -2, 0.5], g: [Float] = [0.1, -0.3, 2], m: [Float] = [0, 0, 0], v: [Float] = [0, 0, 0]
        let (lr, b1, b2, eps, wd): (Double, Double, Double, Double, Double) = (0.01, 0.9, 0.999, 1e-8, 0.1)
        var expected: [Double] = []
        for i in 0..<3 {
            let mi = (1 - b1) * Double(g[i]), vi = (1 - b2) * Double(g[i]) * Double(g[i])
            let mh = mi / (1 - b1), vh = vi / (1 - b2)
            expected.append(Double(p[i]) * (1 - lr * wd) - lr * mh / (vh.squareRoot() + eps))
        }
        Kernels.adamw(param: &p, grad: &g, m: &m, v: &v, count: 3, lr: Float(lr), beta1: Float(b1), beta2: Float(b2),
                      eps: Float(eps), weightDecay: Float(wd), step: 1)
        #expect(close(p, expected, atol: 1e-6))
        #expect(Swift.abs(Kernels.sumOfSquares(g, 3) - (0.01 + 0.09 + 4)) < 1e-6)
    }

    // The SIMD AdamW kernel gives bitwise the values of the readable loop, on lengths with and without a tail and
    // split over the cores (100_003), at a later step with a clip factor.
    @Test(arguments: [5, 8, 1003, 100_003])
    func optimizerKernelMatchesReferenceLoop(count: Int) {
        let p0 = uniform([count], -1, 1, seed: 1).scalars, g = uniform([count], -2, 2, seed: 2).scalars
        let m0 = uniform([count], -0.1, 0.1, seed: 3).scalars, v0 = uniform([count], 0, 0.01, seed: 4).scalars
        var (p, m, v) = (p0, m0, v0)
        var (pr, mr, vr) = (p0, m0, v0)
        let (lr, b1, b2, eps, wd, step, clip): (Float, Float, Float, Float, Float, Int, Float) = (3e-4, 0.9, 0.99, 1e-8, 0.1, 7, 0.37)
        Kernels.adamw(param: &p, grad: g, m: &m, v: &v, count: count, lr: lr, beta1: b1, beta2: b2, eps: eps,
                      weightDecay: wd, step: step, gradScale: clip)
        var bc1: Double = 1, bc2: Double = 1
        for _ in 0..<step { bc1 *= Double(b1); bc2 *= Double(b2) }
        let (c1, c2) = (1 - Float(bc1), 1 - Float(bc2))
        Kernels.adamwReference(&pr, g, &mr, &vr, count, beta1: b1, beta2: b2, eps: eps, decay: 1 - lr * wd,
                               stepSize: lr / c1, invSqrtBc2: 1 / c2.squareRoot(), gradScale: clip)
        #expect(p == pr && m == mr && v == vr)
        #expect(p != p0)
    }

    /// All permutations of 0..<n.
    static func permutations(_ n: Int) -> [[Int]] {
        if n == 0 { return [[]] }
        return permutations(n - 1).flatMap { p in (0...p.count).map { i in var q = p; q.insert(n - 1, at: i); return q } }
    }

    @Test(arguments: [[7, 3], [2, 3, 5], [1, 13, 1], [2, 3, 5, 7], [3, 17, 4, 9], [2, 130, 4, 64], [1, 2, 200, 67]])
    func permuteFastPathsMatchReference(shape: [Int]) {
        // Every permutation, including the two fast paths (last dim kept; last two dims swapped), odd and
        // parallel-sized shapes; the copies must be bit-identical to the readable walk.
        let x = uniform(shape, -5, 5, seed: UInt64(shape.reduce(1, *)))
        for dims in Self.permutations(shape.count) where dims != Array(0..<shape.count) {
            let fast = x.permute(dims)
            var ref = [Float](repeating: .nan, count: x.count)
            ref.withUnsafeMutableBytes { r in
                x.scalars.withUnsafeBytes { s in
                    permuteCopyReference(UnsafeMutableRawPointer(mutating: s.baseAddress!), shape, dims, r.baseAddress!)
                }
            }
            #expect(fast.shape == dims.map { shape[$0] })
            let got = fast.scalars
            let bad = (0..<got.count).first { got[$0] != ref[$0] }
            #expect(bad == nil, "permute \(shape) by \(dims): element \(bad ?? -1) differs from the reference walk")
        }
        // One case by explicit indices, independent of both: (a, b, c, d) -> (a, c, b, d) and (a, b, d, c).
        if shape.count == 4 {
            let (A, B, C, D) = (shape[0], shape[1], shape[2], shape[3])
            let xs = x.scalars, y1 = x.transpose(1, 2).scalars, y2 = x.transpose(-2, -1).scalars
            var ok = true
            for a in 0..<A { for b in 0..<B { for c in 0..<C { for d in 0..<D {
                let v = xs[((a * B + b) * C + c) * D + d]
                ok = ok && y1[((a * C + c) * B + b) * D + d] == v && y2[((a * B + b) * D + d) * C + c] == v
            } } } }
            #expect(ok)
        }
    }
}

/// Part `part` (0 q, 1 k, 2 v) of a fused (b, t, 3·H·hs) qkv as (b, H, t, hs), with plain loops.
private func splitHeads(_ s: [Float], _ part: Int, b: Int, t: Int, H: Int, hs: Int) -> [Float] {
    let C = H * hs
    var out = [Float](repeating: 0, count: b * H * t * hs)
    for bi in 0..<b { for h in 0..<H { for ti in 0..<t { for c in 0..<hs {
        out[((bi * H + h) * t + ti) * hs + c] = s[(bi * t + ti) * 3 * C + part * C + h * hs + c]
    } } } }
    return out
}

/// (b, H, t, hs) back to (b, t, H·hs): the heads side by side, with plain loops.
private func mergeHeads(_ r: [Float], b: Int, t: Int, H: Int, hs: Int) -> [Float] {
    let C = H * hs
    var out = [Float](repeating: 0, count: b * t * C)
    for bi in 0..<b { for h in 0..<H { for ti in 0..<t { for c in 0..<hs {
        out[(bi * t + ti) * C + h * hs + c] = r[((bi * H + h) * t + ti) * hs + c]
    } } } }
    return out
}
