// Linear and Embedding: the two layers that hold the weight matrices.
import LabTensor

/// How new Linear and Embedding layers draw their weights. GPT builds its layers under `.normal(0.02)` (nanoGPT's
/// init, drawn once, no second copy) and `fromPretrained` under `.zeros` (the checkpoint overwrites them).
enum ParameterInit {
    case pytorch            // Linear U(±1/√in) for weight and bias, Embedding N(0, 1)
    case zeros
    case normal(std: Float) // weights N(0, std²), Linear biases 0

    /// The same policy with the normal std scaled (GPT-2's residual projections: 0.02/√(2·nLayer)).
    func scaled(_ f: Float) -> ParameterInit {
        if case .normal(let std) = self { return .normal(std: std * f) }
        return self
    }
}

nonisolated(unsafe) var parameterInit = ParameterInit.pytorch

/// Runs `body` with layers initialised by `mode`.
func withParameterInit<R>(_ mode: ParameterInit, _ body: () throws -> R) rethrows -> R {
    let saved = parameterInit
    parameterInit = mode
    defer { parameterInit = saved }
    return try body()
}

/// Uniform U(-bound, bound) tensor (PyTorch's default Linear init), filled in place: one allocation.
func uniformParameter(_ shape: [Int], bound: Float) -> Tensor {
    let t = Tensor.rand(shape)
    t.withUnsafeMutableFloats { p, n in for i in 0..<n { p[i] = (2 * p[i] - 1) * bound } }
    t.requiresGrad = true
    return t
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
        check(inFeatures > 0 && outFeatures > 0, "Linear(\(inFeatures), \(outFeatures)): both sizes must be positive")
        let bound = 1 / Float(inFeatures).squareRoot()
        switch parameterInit {
        case .pytorch:
            weight = uniformParameter([outFeatures, inFeatures], bound: bound)
            self.bias = bias ? uniformParameter([outFeatures], bound: bound) : nil
        case .zeros:
            weight = Tensor.zeros([outFeatures, inFeatures], requiresGrad: true)
            self.bias = bias ? Tensor.zeros([outFeatures], requiresGrad: true) : nil
        case .normal(let std):
            weight = Tensor.randn([outFeatures, inFeatures], std: std, requiresGrad: true)
            self.bias = bias ? Tensor.zeros([outFeatures], requiresGrad: true) : nil
        }
        super.init()
    }

    /// A Linear layer around existing tensors (e.g. a tied lm_head sharing the embedding matrix).
    ///
    /// PyTorch: `lm_head.weight = wte.weight`.
    public init(weight: Tensor, bias: Tensor? = nil) {
        check(weight.ndim == 2, "Linear(weight:): weight must be (out, in), got shape \(weight.shape)")
        check(bias == nil || bias!.shape == [weight.shape[0]],
              "Linear(weight:bias:): bias must be (out) = [\(weight.shape[0])] for weight \(weight.shape), got \(bias!.shape)")
        self.weight = weight
        self.bias = bias
        super.init()
    }

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    /// The LoRA adapter `getPeftModel` attached (nil: a plain Linear). Its parameters are listed under this layer's
    /// name (`c_attn.lora_A.weight`), as peft's.
    public internal(set) var lora: LoraLayer?

    open override func forward(_ x: Tensor) -> Tensor {
        check(x.ndim >= 1 && x.shape.last == inFeatures,
              "Linear(in \(inFeatures), out \(outFeatures)): input \(x.shape) has \(x.shape.last.map(String.init) ?? "no") features in its last dimension, expected \(inFeatures)")
        let y = linear(x, weight, bias)   // (..., in) -> (..., out)
        guard let lora, !lora.merged else { return y }
        return y + lora(x)                // + s · B A dropout(x): dropout on the adapter's branch only
    }

    open override func namedChildren() -> [(name: String, module: Module)] {
        super.namedChildren().filter { $0.name != "lora" } + (lora?.namedChildren() ?? [])
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
        check(numEmbeddings > 0 && embeddingDim > 0, "Embedding(\(numEmbeddings), \(embeddingDim)): both sizes must be positive")
        switch parameterInit {
        case .pytorch: weight = Tensor.randn([numEmbeddings, embeddingDim], std: 1, requiresGrad: true)
        case .zeros: weight = Tensor.zeros([numEmbeddings, embeddingDim], requiresGrad: true)
        case .normal(let std): weight = Tensor.randn([numEmbeddings, embeddingDim], std: std, requiresGrad: true)
        }
        super.init()
    }

    open override func forward(_ ids: Tensor) -> Tensor {
        let (num, dim) = (weight.shape[0], weight.shape[1])
        check(ids.dtype == .int32, "Embedding(\(num), \(dim)): ids must be int32 token ids (Tensor(ints:)), got \(ids.dtype) of shape \(ids.shape)")
        let values = ids.ints
        if let bad = values.firstIndex(where: { $0 < 0 || $0 >= num }) {
            fail("Embedding(\(num), \(dim)): id \(values[bad]) at flat position \(bad) of ids \(ids.shape) is out of range 0..<\(num) (is the vocabulary larger than the embedding table?)")
        }
        return embedding(ids, weight)    // (...) -> (..., dim)
    }
}

extension ParameterInit {
    var isPyTorch: Bool { if case .pytorch = self { return true } else { return false } }
}
