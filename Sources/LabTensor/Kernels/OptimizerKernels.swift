// Package-level kernels for LabNN's optimizers and gradient clipping (flat loops over raw pointers).

/// Optimizer and gradient-norm kernels for LabNN (package access; not part of the public API).
package enum Kernels {
    /// One AdamW step on `count` parameters, PyTorch's formulation (decoupled decay, bias correction):
    /// p ← p·(1 − lr·wd); m ← β1·m + (1−β1)·g·gs; v ← β2·v + (1−β2)·(g·gs)²;
    /// p ← p − lr · (m / (1−β1^step)) / (√(v / (1−β2^step)) + eps).  `gs` = gradScale (clip factor), `step` ≥ 1.
    package static func adamw(param: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>,
                              m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int,
                              lr: Float, beta1: Float, beta2: Float, eps: Float, weightDecay: Float, step: Int,
                              gradScale: Float = 1) {
        let bc1 = 1 - powTo(beta1, step), bc2 = 1 - powTo(beta2, step)
        let decay = 1 - lr * weightDecay
        let stepSize = lr / bc1, invSqrtBc2 = 1 / bc2.squareRoot()
        let ps = SendPtr(param), gs = SendPtr(grad), ms = SendPtr(m), vs = SendPtr(v)
        // SIMD8 lanes, the same operations in the same order as `adamwReference` (no fused multiply-adds), so the
        // results are bitwise equal; the square root stays per lane (Swift's SIMD squareRoot is a libm call per lane).
        let gsV = V8(repeating: gradScale), b1 = V8(repeating: beta1), ob1 = V8(repeating: 1 - beta1)
        let b2 = V8(repeating: beta2), ob2 = V8(repeating: 1 - beta2), decayV = V8(repeating: decay)
        let stepV = V8(repeating: stepSize), invV = V8(repeating: invSqrtBc2), epsV = V8(repeating: eps)
        parallelRanges(count, costPerItem: 16) { r in
            var i = r.lowerBound
            while i + 8 <= r.upperBound {
                let g = vload(gs.p + i) * gsV
                let mi = b1 * vload(ms.p + i) + ob1 * g
                let vi = b2 * vload(vs.p + i) + ob2 * g * g
                vstore(mi, ms.p + i); vstore(vi, vs.p + i)
                var root = V8()
                for j in 0..<8 { root[j] = vi[j].squareRoot() }
                vstore(vload(ps.p + i) * decayV - stepV * mi / (root * invV + epsV), ps.p + i)
                i += 8
            }
            adamwReference(ps.p + i, gs.p + i, ms.p + i, vs.p + i, r.upperBound - i, beta1: beta1, beta2: beta2,
                           eps: eps, decay: decay, stepSize: stepSize, invSqrtBc2: invSqrtBc2, gradScale: gradScale)
        }
    }

    /// The readable AdamW loop (after the bias corrections): the tail of `adamw` and the reference its test compares.
    package static func adamwReference(_ p: UnsafeMutablePointer<Float>, _ grad: UnsafePointer<Float>,
                                       _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>, _ count: Int,
                                       beta1: Float, beta2: Float, eps: Float, decay: Float, stepSize: Float,
                                       invSqrtBc2: Float, gradScale: Float) {
        for i in 0..<count {
            let g = grad[i] * gradScale
            let mi = beta1 * m[i] + (1 - beta1) * g
            let vi = beta2 * v[i] + (1 - beta2) * g * g
            m[i] = mi; v[i] = vi
            p[i] = p[i] * decay - stepSize * mi / (vi.squareRoot() * invSqrtBc2 + eps)
        }
    }

    /// Plain SGD with momentum (PyTorch's `torch.optim.SGD`): buf ← μ·buf + g; p ← p − lr·buf (buf nil: no momentum).
    package static func sgd(param: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>,
                            momentumBuffer: UnsafeMutablePointer<Float>?, count: Int, lr: Float, momentum: Float,
                            weightDecay: Float = 0) {
        for i in 0..<count {
            var g = grad[i] + weightDecay * param[i]
            if let b = momentumBuffer { b[i] = momentum * b[i] + g; g = b[i] }
            param[i] -= lr * g
        }
    }

    /// Σ x² in Double (for the global gradient norm).
    package static func sumOfSquares(_ x: UnsafePointer<Float>, _ count: Int) -> Double {
        var acc = V8(), acc2 = V8(), i = 0
        var total = 0.0
        while i + 16 <= count {
            let a = vload(x + i), b = vload(x + i + 8)
            acc += a * a; acc2 += b * b
            i += 16
            if i % 65_536 == 0 { total += Double((acc + acc2).sum()); acc = V8(); acc2 = V8() }
        }
        total += Double((acc + acc2).sum())
        while i < count { total += Double(x[i] * x[i]); i += 1 }
        return total
    }

    /// x ← x · s.
    package static func scale(_ x: UnsafeMutablePointer<Float>, _ count: Int, by s: Float) {
        let v = V8(repeating: s)
        pmap(count, x, x) { $0 * v }
    }

    /// y ← y + a·x.
    package static func axpy(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
        let v = V8(repeating: a)
        pmap2(count, x, y, y) { x, y in y + v * x }
    }

    private static func powTo(_ b: Float, _ n: Int) -> Float {
        var r: Double = 1
        for _ in 0..<n { r *= Double(b) }
        return Float(r)
    }
}
