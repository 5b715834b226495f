import Testing
@testable import LabTensor

/// Central finite differences of L(x) = Σ R ⊙ f(inputs) (R fixed random weights) against autograd, accumulated in Double.
/// `inputs` must be float leaves; they get requiresGrad. `reseed` runs before every evaluation (for dropout).
func gradCheck(_ inputs: [Tensor], h: Float = 1e-2, atol: Double = 2e-3, rtol: Double = 2e-2,
               reseed: (() -> Void)? = nil, sourceLocation: SourceLocation = #_sourceLocation,
               _ f: ([Tensor]) -> Tensor) {
    for x in inputs { x.requiresGrad = true; x.zeroGrad() }
    reseed?()
    let out0 = f(inputs)
    manualSeed(424242)
    let r = noGrad { Tensor.randn(out0.shape) }
    func loss() -> Double {
        reseed?()
        let o = noGrad { f(inputs) }
        var s = 0.0
        for i in 0..<o.count { s += Double(o.data[i]) * Double(r.data[i]) }
        return s
    }
    (out0 * r).sum().backward()
    for (k, x) in inputs.enumerated() {
        guard let g = x.grad else {
            Issue.record("input \(k) got no gradient", sourceLocation: sourceLocation)
            continue
        }
        #expect(g.shape == x.shape, sourceLocation: sourceLocation)
        var worst = 0.0
        for i in 0..<x.count {
            let saved = x.data[i]
            x.data[i] = saved + h
            let lp = loss()
            x.data[i] = saved - h
            let lm = loss()
            x.data[i] = saved
            let numeric = (lp - lm) / (2 * Double(h))
            let analytic = Double(g.data[i])
            let err = Swift.abs(numeric - analytic)
            if err > atol + rtol * Swift.abs(numeric) { worst = Swift.max(worst, err) }
            if err > atol + rtol * Swift.abs(numeric) && worst == err {
                Issue.record("input \(k) element \(i): autograd \(analytic) vs finite difference \(numeric)",
                             sourceLocation: sourceLocation)
            }
        }
    }
}

/// Uniform values in [lo, hi) from the seeded generator (Float leaves).
func uniform(_ shape: [Int], _ lo: Float = -1, _ hi: Float = 1, seed: UInt64 = 1) -> Tensor {
    manualSeed(seed)
    return Tensor.rand(shape) * (hi - lo) + lo
}

func close(_ a: [Float], _ b: [Float], atol: Float = 1e-5, rtol: Float = 1e-4) -> Bool {
    guard a.count == b.count else { return false }
    for (x, y) in zip(a, b) where !(Swift.abs(x - y) <= atol + rtol * Swift.abs(y)) { return false }
    return true
}

func close(_ a: [Float], _ b: [Double], atol: Double = 1e-5, rtol: Double = 1e-4) -> Bool {
    guard a.count == b.count else { return false }
    for (x, y) in zip(a, b) where !(Swift.abs(Double(x) - y) <= atol + rtol * Swift.abs(y)) { return false }
    return true
}
