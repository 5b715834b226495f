// Small layers without weight matrices: LayerNorm, Dropout, activations.
import LabTensor

/// Normalises the last dimension to zero mean and unit variance, then scales by `weight` and shifts by `bias`
/// (init 1 and 0). eps 1e-5 as PyTorch and GPT-2.
///
/// ```swift
/// let ln_1 = LayerNorm(256)
/// let y = ln_1(x)        // (B, T, 256)
/// ```
/// PyTorch: `nn.LayerNorm(256, eps=1e-5, bias=True)`.
open class LayerNorm: Module {
    public var weight: Tensor     // (dim)
    public var bias: Tensor?      // (dim)
    public let eps: Float

    public init(_ dim: Int, eps: Float = 1e-5, bias: Bool = true) {
        weight = Tensor.ones([dim], requiresGrad: true)
        self.bias = bias ? Tensor.zeros([dim], requiresGrad: true) : nil
        self.eps = eps
        super.init()
    }

    open override func forward(_ x: Tensor) -> Tensor {
        check(x.shape.last == weight.count,
              "LayerNorm(\(weight.count)): input \(x.shape) has \(x.shape.last.map(String.init) ?? "no") features in its last dimension, expected \(weight.count)")
        return layerNorm(x, weight, bias, eps: eps)
    }
}

/// Zeroes each element with probability `p` during training and scales the rest by 1/(1−p); identity in eval mode.
///
/// ```swift
/// let drop = Dropout(0.1)
/// ```
/// PyTorch: `nn.Dropout(0.1)`.
open class Dropout: Module {
    public let p: Float
    public init(_ p: Float = 0.5) {
        check(p >= 0 && p < 1, "Dropout(\(p)): p is not a probability in [0, 1)")
        self.p = p
        super.init()
    }
    open override func forward(_ x: Tensor) -> Tensor {
        p == 0 || !training ? x : dropout(x, p: p, training: true)
    }
}

/// GELU activation; `approximate: .tanh` is GPT-2's variant ("gelu_new"), `.none` the exact erf form.
///
/// ```swift
/// let act = GELU()
/// ```
/// PyTorch: `nn.GELU(approximate="none")`.
open class GELU: Module {
    public let approximate: GELUApproximation
    public init(approximate: GELUApproximation = .none) { self.approximate = approximate; super.init() }
    open override func forward(_ x: Tensor) -> Tensor { x.gelu(approximate: approximate) }
}

/// max(0, x). PyTorch: `nn.ReLU()`.
open class ReLU: Module {
    public override init() { super.init() }
    open override func forward(_ x: Tensor) -> Tensor { x.relu() }
}

/// tanh(x). PyTorch: `nn.Tanh()`.
open class Tanh: Module {
    public override init() { super.init() }
    open override func forward(_ x: Tensor) -> Tensor { x.tanh() }
}
