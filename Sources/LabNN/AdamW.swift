// AdamW: Adam with decoupled weight decay, PyTorch semantics (torch.optim.AdamW, single-tensor path).
import Foundation
import LabTensor

/// Per-parameter AdamW state: first and second moment estimates and the number of steps taken.
public final class AdamWState {
    public let expAvg: Tensor       // m, like the parameter
    public let expAvgSq: Tensor     // v, like the parameter
    public internal(set) var step: Int
    init(expAvg: Tensor, expAvgSq: Tensor, step: Int) { self.expAvg = expAvg; self.expAvgSq = expAvgSq; self.step = step }
}

/// AdamW. For each parameter with a gradient, at step t:
///   p ← p·(1 − lr·wd);  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
///   p ← p − lr/(1−β1ᵗ) · m / (√v / √(1−β2ᵗ) + eps)
///
/// ```swift
/// let optimizer = AdamW(model.parameters(), lr: 3e-4)
/// for step in 0..<steps {
///     let (_, loss) = model(xb, yb)
///     optimizer.zeroGrad()
///     loss!.backward()
///     clipGradNorm(model.parameters(), maxNorm: 1)
///     optimizer.step()
/// }
/// ```
/// PyTorch: `torch.optim.AdamW(model.parameters(), lr=3e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)`.
public final class AdamW: Optimizer {
    public var betas: (Float, Float)
    public var eps: Float
    var states: [ObjectIdentifier: AdamWState] = [:]

    public init(_ groups: [ParamGroup], lr: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999), eps: Float = 1e-8,
                weightDecay: Float = 0.01) {
        check(betas.0 >= 0 && betas.0 < 1 && betas.1 >= 0 && betas.1 < 1,
              "AdamW: betas (\(betas.0), \(betas.1)) must each be in [0, 1) (PyTorch's default is (0.9, 0.999))")
        check(eps >= 0 && eps.isFinite, "AdamW: eps \(eps) must be a finite number ≥ 0")
        self.betas = betas
        self.eps = eps
        super.init(groups, learningRate: lr, weightDecay: weightDecay)
    }

    public convenience init(_ parameters: [Tensor], lr: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
                            eps: Float = 1e-8, weightDecay: Float = 0.01) {
        self.init([ParamGroup(parameters)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay)
    }

    /// The state of `parameter` (nil before its first step). PyTorch: `optimizer.state[p]`.
    public func state(for parameter: Tensor) -> AdamWState? { states[ObjectIdentifier(parameter)] }

    /// Replaces the state of `parameter` (copies the moments; used when loading a checkpoint).
    public func setState(for parameter: Tensor, expAvg: Tensor, expAvgSq: Tensor, step: Int) {
        check(expAvg.shape == parameter.shape && expAvgSq.shape == parameter.shape,
              "AdamW.setState: moments of shape \(expAvg.shape) and \(expAvgSq.shape) for a parameter of shape \(parameter.shape)")
        states[ObjectIdentifier(parameter)] = AdamWState(expAvg: expAvg.clone(), expAvgSq: expAvgSq.clone(), step: step)
    }

    public override func step() {
        let lr = learningRate, (b1, b2) = betas, eps = eps
        forEachParameterWithGrad { param, p, g, n, wd in
            let id = ObjectIdentifier(param)
            let s: AdamWState
            if let existing = states[id] { s = existing } else {
                s = AdamWState(expAvg: Tensor.zeros(param.shape), expAvgSq: Tensor.zeros(param.shape), step: 0)
                states[id] = s
            }
            s.step += 1
            s.expAvg.withUnsafeMutableFloats { m, _ in
                s.expAvgSq.withUnsafeMutableFloats { v, _ in
                    Kernels.adamw(param: p, grad: g, m: m, v: v, count: n, lr: lr, beta1: b1, beta2: b2, eps: eps,
                                  weightDecay: wd, step: s.step)
                }
            }
        }
    }
}
