import Testing
@testable import LabTensor
#if canImport(Glibc)
import Glibc
#endif

// Pending tensors (strided views, scaled and masked sources) against eager references: the strided copy against the
// element-by-element walk, matmul on strided operands against matmul on copies, the fused masked softmax against
// maskedFill then the scalar softmax reference.

@Suite struct PendingTests {
    /// Narrow + view + transpose chains (the written-out attention's q, k, v and kᵀ) on odd shapes: the copy-out is
    /// bit-identical to the readable walk, and views of views stay pending while their dims can be merged.
    @Test(arguments: [(1, 1, 1, 1), (2, 13, 3, 5), (3, 37, 4, 16), (2, 130, 4, 64)])
    func stridedViewsCopyOutLikeTheReferenceWalk(b: Int, t: Int, nh: Int, hs: Int) {
        let C = nh * hs
        let qkv = uniform([b, t, 3 * C], -3, 3, seed: UInt64(t))
        let parts = qkv.split(C, dim: 2)
        for (i, part) in parts.enumerated() {
            let heads = part.view(b, t, nh, hs)
            #expect(!heads.isMaterialized, "a view of a narrow along the last dim needs no copy")
            let layouts = [heads.transpose(1, 2), heads.transpose(1, 2).transpose(-2, -1), heads.permute(2, 0, 3, 1)]
            for v in layouts {
                let (base, offset, strides) = v.stridedLayout
                var ref = [Float](repeating: .nan, count: v.count)
                ref.withUnsafeMutableBytes { stridedCopyReference(base.raw + offset * 4, v.shape, strides, $0.baseAddress!) }
                let got = v.scalars
                let bad = (0..<got.count).first { got[$0] != ref[$0] }
                #expect(bad == nil, "part \(i) shape \(v.shape) strides \(strides): element \(bad ?? -1)")
            }
            // Independent index check of (B, nh, T, hs) against the fused buffer.
            let q = heads.transpose(1, 2).scalars, s = qkv.scalars
            var ok = true
            for bi in 0..<b { for h in 0..<nh { for ti in 0..<t { for c in 0..<hs {
                ok = ok && q[((bi * nh + h) * t + ti) * hs + c] == s[(bi * t + ti) * 3 * C + i * C + h * hs + c]
            } } } }
            #expect(ok)
        }
    }

    /// matmul reading strided operands (transposed, narrowed, broadcast) equals matmul of contiguous copies, values
    /// and both gradients.
    @Test(arguments: [(1, 1, 1, 1), (2, 5, 3, 7), (3, 17, 16, 33), (2, 128, 64, 128)])
    func matmulOnStridedOperandsMatchesCopies(batch: Int, m: Int, k: Int, n: Int) {
        let qkv = uniform([batch, m, 3 * k], seed: 3), kv = uniform([batch, n, 2 * k], seed: 4)
        func run(_ copy: Bool) -> (Tensor, Tensor, Tensor) {
            let x = qkv.clone(), y = kv.clone()
            x.requiresGrad = true; y.requiresGrad = true
            var a = x.narrow(2, k, k)                            // (batch, m, k), row stride 3k
            var b = y.narrow(2, 0, k).transpose(-2, -1)          // (batch, k, n), transposed, ld 2k
            if copy { a = a.clone(); b = b.clone(); a.requiresGrad = true; b.requiresGrad = true }
            let c = matmul(a, b)                                 // (batch, m, n)
            let w = uniform(c.shape, seed: 5)
            (c * w).sum().backward()
            return copy ? (c, a.grad!, b.grad!.transpose(-2, -1)) : (c, x.grad!.narrow(2, k, k), y.grad!.narrow(2, 0, k))
        }
        let (c1, da1, db1) = run(false), (c2, da2, db2) = run(true)
        #expect(close(c1.scalars, c2.scalars, atol: 1e-4))
        #expect(close(da1.scalars, da2.scalars, atol: 1e-4))
        #expect(close(db1.scalars, db2.scalars, atol: 1e-4))
        // Broadcast batch: (batch, m, k) strided @ (k, n) transposed 2-D weight, and a (1, k, n) operand.
        let wT = uniform([n, k], seed: 6).T
        #expect(close(matmul(qkv.narrow(2, 0, k), wT).scalars, matmul(qkv.narrow(2, 0, k).clone(), wT.clone()).scalars, atol: 1e-4))
        let w3 = uniform([1, n, k], seed: 7).transpose(-2, -1)
        #expect(close(matmul(qkv.narrow(2, 2 * k, k), w3).scalars, matmul(qkv.narrow(2, 2 * k, k).clone(), w3.clone()).scalars, atol: 1e-4))
    }

    /// softmax(maskedFill(x · s, tril == 0, −∞)) fused in one pass equals the three ops done eagerly with the scalar
    /// softmax reference; masked entries are exactly 0; the gradient matches finite differences.
    @Test(arguments: [1, 7, 13, 37])
    func fusedMaskedSoftmaxMatchesEagerReference(t: Int) {
        let x = uniform([2, 3, t, t], -4, 4, seed: UInt64(t))
        let mask = Tensor.tril(t) .== 0
        let scale: Float = 0.37
        let fused = softmax((x * scale).maskedFill(mask, -.infinity), dim: -1).scalars
        let xs = x.scalars
        for row in 0..<(6 * t) {
            let i = row % t
            let scores = (0...i).map { xs[row * t + $0] * scale }       // the unmasked part of the row
            let ref = softmaxRef(scores) + [Float](repeating: 0, count: t - i - 1)
            let got = Array(fused[(row * t)..<((row + 1) * t)])
            #expect(close(got, ref, atol: 1e-6), "row \(row)")
            #expect(got[(i + 1)...].allSatisfy { $0 == 0 })
        }
        gradCheck([uniform([2, t, t], -2, 2, seed: 9)]) { softmax(($0[0] * scale).maskedFill(mask, -.infinity), dim: -1) }
        // A finite fill (masked entries keep probability, but no gradient reaches the source there), and the source
        // used again (its gradient already exists when the fused backward adds into it).
        gradCheck([uniform([2, t, t], -2, 2, seed: 10)]) { softmax(($0[0] * scale).maskedFill(mask, 1.5), dim: -1) + $0[0] }
        // A finite fill value takes part in the softmax.
        let filled = softmax(x.maskedFill(mask, -1), dim: -1).scalars
        let eager = softmax(x.maskedFill(mask, -1).clone(), dim: -1).scalars
        #expect(close(filled, eager, atol: 1e-6))
    }

    /// Views of strided views: merging dims that are adjacent in memory keeps the view; others copy out.
    @Test func viewStridesFollowPyTorch() {
        #expect(viewStrides([2, 3, 4], [36, 12, 1], [2, 12]) == nil)            // (3, 4) rows of 12 with gaps: copy
        #expect(viewStrides([2, 3, 4], [36, 12, 1], [2, 3, 2, 2]) == [36, 12, 2, 1])
        #expect(viewStrides([2, 3, 4], [12, 4, 1], [6, 4]) == [4, 1])
        #expect(viewStrides([4, 3], [1, 4], [12]) == nil)                        // a transpose cannot be flattened
        #expect(viewStrides([4, 3], [1, 4], [4, 1, 3]) == [1, 12, 4])
        let x = uniform([4, 3], seed: 2)
        #expect(x.T.view(12).scalars == x.T.clone().view(12).scalars)
    }
}
