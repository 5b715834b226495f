// Lab 30, task 1b: the transformer block (pre-LayerNorm, attention and MLP, each added back to the residual stream).
import LabKit

/// A GPT-2 block: `x + attn(ln_1(x))`, then `x + mlp(ln_2(x))`.
///
/// The LayerNorms come *before* each sub-layer (pre-LN) and the sub-layer's output is *added* to its input
/// (the residual connection), so the stream `x` carries information straight through all the blocks.
/// Dropout is inside the sub-layers (`SelfAttention`, `MLP`).
///
/// ```swift
/// let block = TransformerBlock(config)
/// let y = block(x)                                        // (B, T, C) -> (B, T, C)
/// let model = GPT(config, block: { TransformerBlock($0) }) // the library GPT built from your blocks
/// ```
/// PyTorch (nanoGPT):
/// ```python
/// x = x + self.attn(self.ln_1(x))
/// x = x + self.mlp(self.ln_2(x))
/// ```
public final class TransformerBlock: Module {
    public var ln_1: LayerNorm
    public var attn: SelfAttention
    public var ln_2: LayerNorm
    /// c_fc (C → 4C), GELU, c_proj (4C → C), dropout: the library's `MLP`.
    public var mlp: MLP

    public init(_ config: GPTConfig) {
        ln_1 = LayerNorm(config.nEmbd, eps: config.layerNormEps, bias: config.bias)
        attn = SelfAttention(config)
        ln_2 = LayerNorm(config.nEmbd, eps: config.layerNormEps, bias: config.bias)
        mlp = MLP(config)
        super.init()
    }

    /// x (B, T, C) → (B, T, C).
    public override func forward(_ x: Tensor) -> Tensor {
        // BEGIN EXERCISE 1b: TransformerBlock.forward
        todo("TransformerBlock.forward")
        // END EXERCISE 1b
    }
}
