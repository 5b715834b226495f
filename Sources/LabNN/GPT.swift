// GPT: token + position embeddings, a stack of blocks, a final LayerNorm and the language-model head (nanoGPT's GPT).
import Foundation
import LabTensor

/// A GPT-2-style decoder-only language model. Parameter names match GPT-2 / nanoGPT checkpoints:
/// `transformer.wte.weight`, `transformer.h.0.attn.c_attn.weight`, ..., `lm_head.weight`.
/// Init as nanoGPT: Linear and Embedding weights N(0, 0.02), biases 0, LayerNorm (1, 0),
/// every `c_proj.weight` N(0, 0.02/√(2·nLayer)).
///
/// ```swift
/// let model = GPT(.miniShakespeare(vocabSize: 65))
/// let (logits, loss) = model(xb, yb)            // (B, T, V), scalar
/// // a student's block in place of the built-in one:
/// let custom = GPT(config, block: { cfg in MyTransformerBlock(cfg) })
/// ```
/// PyTorch (nanoGPT): `model = GPT(GPTConfig(...)); logits, loss = model(xb, yb)`.
open class GPT: Module {
    /// nanoGPT's `transformer` ModuleDict.
    public final class Transformer: Module {
        public var wte: Embedding     // (V, C)
        public var wpe: Embedding     // (blockSize, C)
        public var drop: Dropout
        public var h: [Module]
        public var ln_f: LayerNorm

        init(_ config: GPTConfig, block: (GPTConfig) -> Module) {
            wte = Embedding(config.vocabSize, config.nEmbd)
            wpe = Embedding(config.blockSize, config.nEmbd)
            drop = Dropout(config.dropout)
            h = (0..<config.nLayer).map { _ in block(config) }
            ln_f = LayerNorm(config.nEmbd, eps: config.layerNormEps, bias: config.bias)
            super.init()
        }
    }

    public let config: GPTConfig
    public var transformer: Transformer
    public var lm_head: Linear        // (V, C), no bias; the same tensor as wte.weight when tied

    /// Builds the model; `block` makes each of the `nLayer` blocks (default: the built-in pre-LN `Block`).
    /// Every weight is drawn once, at its final init (peak memory = the weights).
    public init(_ config: GPTConfig, block: ((GPTConfig) -> Module)? = nil) {
        self.config = config
        let mode = parameterInit.isPyTorch ? ParameterInit.normal(std: 0.02) : parameterInit
        transformer = withParameterInit(mode) { Transformer(config, block: block ?? { Block($0) }) }
        lm_head = config.tieWeights ? Linear(weight: transformer.wte.weight)
                                    : withParameterInit(mode) { Linear(config.nEmbd, config.vocabSize, bias: false) }
        super.init()
        if block != nil, case .normal = mode {
            // nanoGPT's rule by name for a custom block's residual projections.
            for (name, m) in namedModules() where name.hasSuffix("c_proj") {
                if let l = m as? Linear { l.weight = Tensor.randn(l.weight.shape, std: 0.02 * residualScale(config), requiresGrad: true) }
            }
        }
    }

    /// Logits for every position and, with `targets`, the mean cross-entropy (targets == -1 are ignored).
    /// idx, targets: (B, T) int32 with T ≤ blockSize.
    public func forward(_ idx: Tensor, targets: Tensor?) -> (logits: Tensor, loss: Tensor?) {
        check(idx.ndim == 2 && idx.dtype == .int32,
              "GPT: idx must be (B, T) int32 token ids (Tensor(ints:shape:)), got \(idx.dtype) of shape \(idx.shape)")
        let (B, T) = (idx.shape[0], idx.shape[1])
        check(T <= config.blockSize,
              "GPT: the input has T = \(T) tokens (idx \(idx.shape)) but the model's context is blockSize = \(config.blockSize); crop it to the last \(config.blockSize) tokens first")
        check(T > 0, "GPT: the input idx \(idx.shape) has no tokens (T = 0)")
        if let targets {
            check(targets.count == B * T && targets.dtype == .int32,
                  "GPT: targets must be (B, T) int32 like idx \(idx.shape), got \(targets.dtype) of shape \(targets.shape)")
        }
        let pos = Tensor.arange(T)                                     // (T)
        let tok_emb = transformer.wte(idx)                             // (B, T, C)
        let pos_emb = transformer.wpe(pos)                             // (T, C)
        var x = transformer.drop(tok_emb + pos_emb)                    // (B, T, C)
        for block in transformer.h { x = block(x) }                    // (B, T, C)
        x = transformer.ln_f(x)                                        // (B, T, C)
        let logits = lm_head(x)                                        // (B, T, V)
        guard let targets else { return (logits, nil) }
        let V = config.vocabSize
        let loss = crossEntropy(logits.view([B * T, V]), targets.view([B * T]), ignoreIndex: -1)
        return (logits, loss)
    }

    /// `model(idx)`: the logits (B, T, V).
    open override func forward(_ idx: Tensor) -> Tensor { forward(idx, targets: nil).logits }

    /// `let (logits, loss) = model(xb, yb)`.
    public func callAsFunction(_ idx: Tensor, _ targets: Tensor) -> (logits: Tensor, loss: Tensor?) {
        forward(idx, targets: targets)
    }

    /// `let (logits, loss) = model(idx, targets: yb)` (loss is nil when targets is nil).
    public func callAsFunction(_ idx: Tensor, targets: Tensor?) -> (logits: Tensor, loss: Tensor?) {
        forward(idx, targets: targets)
    }
}
