// SGD with momentum and (coupled, L2) weight decay, PyTorch semantics.
import LabTensor

/// Stochastic gradient descent: g += wd·p; buf = momentum·buf + g (buf = g at the first step); p −= lr·buf.
///
/// ```swift
/// let optimizer = SGD(model.parameters(), lr: 0.1, momentum: 0.9)
/// loss.backward(); optimizer.step(); optimizer.zeroGrad()
/// ```
/// PyTorch: `torch.optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=0)` (dampening 0, no Nesterov).
public final class SGD: Optimizer {
    public var momentum: Float
    private var buffers: [ObjectIdentifier: Tensor] = [:]

    public init(_ groups: [ParamGroup], lr: Float, momentum: Float = 0, weightDecay: Float = 0) {
        check(momentum >= 0 && momentum < 1, "SGD: momentum \(momentum) must be in [0, 1)")
        self.momentum = momentum
        super.init(groups, learningRate: lr, weightDecay: weightDecay)
    }

    public convenience init(_ parameters: [Tensor], lr: Float, momentum: Float = 0, weightDecay: Float = 0) {
        self.init([ParamGroup(parameters)], lr: lr, momentum: momentum, weightDecay: weightDecay)
    }

    public override func step() {
        let lr = learningRate, mu = momentum
        forEachParameterWithGrad { param, p, g, n, wd in
            guard mu != 0 else {
                return Kernels.sgd(param: p, grad: g, momentumBuffer: nil, count: n, lr: lr, momentum: 0, weightDecay: wd)
            }
            let id = ObjectIdentifier(param)
            let buf = buffers[id] ?? Tensor.zeros(param.shape)      // μ·0 + g = g: PyTorch's first-step clone
            buffers[id] = buf
            buf.withUnsafeMutableFloats { b, _ in
                Kernels.sgd(param: p, grad: g, momentumBuffer: b, count: n, lr: lr, momentum: mu, weightDecay: wd)
            }
        }
    }
}
