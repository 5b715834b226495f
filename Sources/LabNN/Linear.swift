// Linear and Embedding: the two layers that hold the weight matrices.
import LabTensor

/// Set while `GPT.fromPretrained` builds a model whose weights are about to be overwritten: layers allocate zeros
/// instead of drawing random numbers (same memory, much less time).
nonisolated(unsafe) var skipInitialization = false

/// Uniform U(-bound, bound) tensor (PyTorch's default Linear init), filled in place: one allocation.
func uniformParameter(_ shape: [Int], bound: Float) -> Tensor {
    if skipInitialization { return Tensor.zeros(shape, requiresGrad: true) }
    let t = Tensor.rand(shape)
    t.withUnsafeMutableFloats { p, n in for i in 0..<n { p[i] = (2 * p[i] - 1) * bound } }
    t.requiresGrad = true
    return t
}

/// Normal N(0, std²) parameter (zeros while loading a checkpoint).
func normalParameter(_ shape: [Int], std: Float) -> Tensor {
    skipInitialization ? Tensor.zeros(shape, requiresGrad: true) : Tensor.randn(shape, std: std, requiresGrad: true)
}

/// y = x·Wᵀ + b. `weight` is (out, in) and `bias` (out), as in PyTorch and GPT-2 checkpoints.
/// Init as PyTorch: weight and bias U(−1/√in, 1/√in).
///
/// ```swift
/// let fc = Linear(256, 1024)
/// let y = fc(x)          // (B, T, 256) -> (B, T, 1024)
/// ```
/// PyTorch: `nn.Linear(256, 1024, bias=True)`.
open class Linear: Module {
    public var weight: Tensor     // (out, in)
    public var bias: Tensor?      // (out)

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) {
        let bound = 1 / Float(inFeatures).squareRoot()
        weight = uniformParameter([outFeatures, inFeatures], bound: bound)
        self.bias = bias ? uniformParameter([outFeatures], bound: bound) : nil
        super.init()
    }

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    open override func forward(_ x: Tensor) -> Tensor {
        linear(x, weight, bias)   // (..., in) -> (..., out)
    }
}

/// A lookup table: row `i` of `weight` (num, dim) for each id. Init N(0, 1) as PyTorch.
///
/// ```swift
/// let wte = Embedding(65, 256)
/// let x = wte(idx)       // (B, T) int32 -> (B, T, 256)
/// ```
/// PyTorch: `nn.Embedding(65, 256)`.
open class Embedding: Module {
    public var weight: Tensor     // (num, dim)

    public init(_ numEmbeddings: Int, _ embeddingDim: Int) {
        weight = normalParameter([numEmbeddings, embeddingDim], std: 1)
        super.init()
    }

    open override func forward(_ ids: Tensor) -> Tensor {
        embedding(ids, weight)    // (...) -> (..., dim)
    }
}
