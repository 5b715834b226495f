// Clamping, elementwise max and log-sigmoid, composed from LabTensor's differentiable ops (PPO and the reward model
// need them; LabTensor has no clamp). A selection mask is computed from the values without grad, then the result
// is `x·m + c·(1 − m)`: the gradient flows to the selected operand only, as in torch.clamp / torch.maximum.
import LabTensor

/// Which elements a condition selects, as a 0/1 float tensor (no grad).
func selectMask(_ shape: [Int], _ a: [Float], _ keep: (Int) -> Bool) -> Tensor {
    Tensor((0..<a.count).map { keep($0) ? 1 : 0 }, shape: shape)
}

/// Clamps `x` into [lo, hi] elementwise; the gradient is 1 inside the interval and 0 where clipped.
///
/// ```swift
/// let clipped = clamp(ratio, min: 0.8, max: 1.2)
/// ```
/// PyTorch: `torch.clamp(ratio, 0.8, 1.2)`.
public func clamp(_ x: Tensor, min lo: Float, max hi: Float) -> Tensor {
    let v = x.scalars
    let inside = selectMask(x.shape, v) { v[$0] >= lo && v[$0] <= hi }
    let bound = Tensor(v.map { Swift.min(Swift.max($0, lo), hi) }, shape: x.shape)   // the clipped constant
    return x * inside + bound * (1 - inside)
}

/// Clamps `x` into [lo, hi] with elementwise bounds (same shape as `x`, treated as constants).
/// PyTorch (trl's `clip_by_value`): `torch.max(torch.min(x, hi), lo)`.
public func clamp(_ x: Tensor, min lo: Tensor, max hi: Tensor) -> Tensor {
    guard lo.shape == x.shape && hi.shape == x.shape else {
        fatalError("clamp: bounds \(lo.shape) and \(hi.shape) must have the shape of x \(x.shape)")
    }
    let v = x.scalars, l = lo.scalars, h = hi.scalars
    let inside = selectMask(x.shape, v) { v[$0] >= l[$0] && v[$0] <= h[$0] }
    let bound = Tensor((0..<v.count).map { Swift.max(Swift.min(v[$0], h[$0]), l[$0]) }, shape: x.shape)
    return x * inside + bound * (1 - inside)
}

/// Elementwise maximum of two tensors of the same shape; the gradient goes to the larger (to `a` on ties).
/// PyTorch: `torch.max(a, b)` (which splits the gradient on exact ties).
public func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
    guard a.shape == b.shape else { fatalError("maximum: shapes \(a.shape) and \(b.shape) differ") }
    let x = a.scalars, y = b.scalars
    let m = selectMask(a.shape, x) { x[$0] >= y[$0] }
    return a * m + b * (1 - m)
}

/// log σ(x) computed stably as min(x, 0) − log(1 + e^(−|x|)). PyTorch: `F.logsigmoid(x)`.
public func logSigmoid(_ x: Tensor) -> Tensor {
    let negPart = -1 * (-1 * x).relu()                 // min(x, 0)
    return negPart - ((-1 * x.abs()).exp() + 1).log()
}

/// Sum of `x · mask` divided by the sum of `mask` (a mean over the selected entries).
/// PyTorch (trl.core): `masked_mean(values, mask)`.
public func maskedMean(_ x: Tensor, _ mask: Tensor) -> Tensor {
    let n = mask.scalars.reduce(0, +)
    guard n > 0 else { fatalError("maskedMean: the mask \(mask.shape) selects nothing") }
    return (x * mask).sum() * (1 / n)
}
