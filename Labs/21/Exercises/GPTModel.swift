// Lab 21, exercise 1: the slide's GPTModel (token + position embeddings, a stack of blocks, ln_f, the head).
import LabKit

/// The slide's `GPTModel`, with GPT-2's names: `wte` (token embedding), `wpe` (position embedding), `h` (the
/// blocks), `ln_f` (final LayerNorm) and `lm_head` (the head that scores every vocabulary entry).
///
/// With `config.tieWeights` the head reuses the token embedding's matrix (GPT-2's weight tying), so the model
/// has V·C fewer parameters.
///
/// ```swift
/// let model = GPTModel(GPTConfig.miniShakespeare(vocabSize: 65))
/// let logits = model(Tensor(ints: [[20, 43, 50]]))        // (1, 3) -> (1, 3, 65)
/// ```
/// PyTorch (the slide):
/// ```python
/// tok = self.token_embedding(idx); pos = self.position_embedding(torch.arange(T))
/// x = self.blocks(tok + pos); x = self.ln_f(x); return self.head(x)
/// ```
public final class GPTModel: Module {
    public let config: GPTConfig
    public var wte: Embedding      // (V, C): one vector per token
    public var wpe: Embedding      // (blockSize, C): one vector per position
    public var h: [Block]          // nLayer pre-LN transformer blocks
    public var ln_f: LayerNorm     // the final LayerNorm
    public var lm_head: Linear     // C -> V, no bias; the same matrix as wte when tied

    public init(_ config: GPTConfig) {
        self.config = config
        wte = Embedding(config.vocabSize, config.nEmbd)
        wpe = Embedding(config.blockSize, config.nEmbd)
        h = (0..<config.nLayer).map { _ in Block(config) }
        ln_f = LayerNorm(config.nEmbd, eps: config.layerNormEps, bias: config.bias)
        lm_head = config.tieWeights ? Linear(weight: wte.weight) : Linear(config.nEmbd, config.vocabSize, bias: false)
        super.init()
    }

    /// idx (B, T) int32 token ids, T ≤ blockSize → logits (B, T, V).
    public override func forward(_ idx: Tensor) -> Tensor {
        // BEGIN EXERCISE 1: GPTModel.forward
        todo("GPTModel.forward")
        // END EXERCISE 1
    }
}

/// The number of parameters of a GPT built from `config`, counted from the shapes alone (nothing is allocated):
/// embeddings, `nLayer` blocks, the final LayerNorm and the head, which adds V·C unless it is `tied` to `wte`.
/// Biases in Linear and LayerNorm layers follow `config.bias`; the head never has one.
///
/// ```swift
/// parameterCount(config: .gpt2Small, tied: true)     // 124_439_808
/// parameterCount(config: .gpt2Small, tied: false)    // 163_037_184
/// ```
/// PyTorch: `sum(p.numel() for p in model.parameters())` on a built model.
public func parameterCount(config: GPTConfig, tied: Bool) -> Int {
    // BEGIN EXERCISE 2: parameterCount
    todo("parameterCount")
    // END EXERCISE 2
}
