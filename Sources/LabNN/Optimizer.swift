// Optimizer: the base class of SGD and AdamW, parameter groups and gradient clipping.
import Foundation
import LabTensor

/// A set of parameters with its own weight decay (nil: the optimizer's default).
///
/// ```swift
/// let groups = ParamGroup.decayMatricesOnly(model.parameters(), weightDecay: 0.1)   // nanoGPT's split
/// let optimizer = AdamW(groups, lr: 1e-3)
/// ```
/// PyTorch: `torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}])`.
public struct ParamGroup {
    public var parameters: [Tensor]
    public var weightDecay: Float?

    public init(_ parameters: [Tensor], weightDecay: Float? = nil) {
        self.parameters = parameters
        self.weightDecay = weightDecay
    }

    /// nanoGPT's `configure_optimizers`: weight decay on tensors with ≥ 2 dimensions (matmul weights, embeddings),
    /// none on biases and LayerNorm parameters.
    public static func decayMatricesOnly(_ parameters: [Tensor], weightDecay: Float) -> [ParamGroup] {
        [ParamGroup(parameters.filter { $0.ndim >= 2 }, weightDecay: weightDecay),
         ParamGroup(parameters.filter { $0.ndim < 2 }, weightDecay: 0)]
    }
}

/// Base class of the optimizers: holds the parameter groups and the (schedulable) learning rate.
open class Optimizer {
    public var paramGroups: [ParamGroup]
    /// The learning rate of the next `step()`; set it from a schedule each step. PyTorch: `group["lr"]`.
    public var learningRate: Float
    /// The default weight decay for groups that do not set their own.
    public var weightDecay: Float

    public init(_ groups: [ParamGroup], learningRate: Float, weightDecay: Float) {
        var seen = Set<ObjectIdentifier>()
        for (gi, g) in groups.enumerated() { for p in g.parameters {
            check(seen.insert(ObjectIdentifier(p)).inserted,
                  "optimizer: a parameter of shape \(p.shape) appears twice (again in group \(gi)); pass each tensor once (model.parameters() lists a tied weight once)")
        } }
        check(!seen.isEmpty, "optimizer: got an empty parameter list (\(groups.count) groups); pass model.parameters() after the model is built")
        check(learningRate.isFinite && learningRate >= 0, "optimizer: learning rate \(learningRate) must be a finite number ≥ 0")
        check(weightDecay.isFinite && weightDecay >= 0, "optimizer: weight decay \(weightDecay) must be a finite number ≥ 0")
        paramGroups = groups
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }

    /// All parameters, group by group.
    public var parameters: [Tensor] { paramGroups.flatMap(\.parameters) }

    /// One update of every trainable parameter that has a gradient (`grad == nil` or frozen: skipped, like PyTorch).
    open func step() { fatalError("\(type(of: self)) does not override step()") }

    /// Drops every parameter's gradient. PyTorch: `optimizer.zero_grad(set_to_none=True)`.
    public func zeroGrad() { for p in parameters { p.zeroGrad() } }

    /// Calls `body(param, grad pointer, param pointer, count, weightDecay)` for each parameter with a gradient.
    /// Frozen parameters (`requiresGrad == false`) are skipped even if a stale gradient is left on them, so freezing
    /// after building the optimizer works (no update, no weight decay). PyTorch checks only `p.grad is None`, so there
    /// a frozen parameter with a stale gradient would still move; here freezing alone is enough.
    func forEachParameterWithGrad(_ body: (Tensor, UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int, Float) -> Void) {
        for g in paramGroups {
            let wd = g.weightDecay ?? weightDecay
            for p in g.parameters {
                guard p.requiresGrad, let grad = p.grad else { continue }
                check(grad.count == p.count, "optimizer.step: gradient of shape \(grad.shape) for a parameter of shape \(p.shape)")
                p.withUnsafeMutableFloats { pp, n in grad.withUnsafeFloats { gp, _ in body(p, pp, gp, n, wd) } }
            }
        }
    }
}

/// Scales all gradients so that their global L2 norm is at most `maxNorm`; returns the norm before clipping.
/// Same semantics as PyTorch: coefficient maxNorm / (norm + 1e-6), applied only when it is below 1.
///
/// ```swift
/// loss.backward()
/// let norm = clipGradNorm(model.parameters(), maxNorm: 1.0)
/// optimizer.step()
/// ```
/// PyTorch: `torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)`.
@discardableResult
public func clipGradNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    // As in PyTorch, `.infinity` clips nothing and only measures the norm.
    check(maxNorm > 0 && !maxNorm.isNaN, "clipGradNorm: maxNorm \(maxNorm) must be a positive number (1.0 in the course; .infinity only measures the norm)")
    var seenParams = Set<ObjectIdentifier>(), seenGrads = Set<ObjectIdentifier>()
    let params = parameters.filter { seenParams.insert(ObjectIdentifier($0)).inserted }     // a tied weight counts once
    var total: Double = 0
    for p in params { if let g = p.grad { total += g.withUnsafeFloats { x, n in Kernels.sumOfSquares(x, n) } } }
    let grads = params.compactMap(\.grad).filter { seenGrads.insert(ObjectIdentifier($0)).inserted }
    let norm = Float(total.squareRoot())
    let coef = maxNorm / (norm + 1e-6)
    if coef < 1 {
        for g in grads { g.withUnsafeMutableFloats { p, n in Kernels.scale(p, n, by: coef) } }
    }
    return norm
}
