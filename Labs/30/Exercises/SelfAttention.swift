// Lab 30, task 1a: causal multi-head self-attention, written out step by step as on the slide.
import LabKit

/// Multi-head causal self-attention: every position looks at itself and the positions before it, never after.
///
/// One Linear (`c_attn`) makes the queries, keys and values of all heads at once; each head attends over its own
/// `hs = C / nHead` channels; `c_proj` mixes the heads back together. The names are GPT-2's, so the weights can be
/// copied to and from the library's `CausalSelfAttention` (the fused fast version of the same layer).
///
/// ```swift
/// let attn = SelfAttention(GPTConfig(vocabSize: 65, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 16))
/// let y = attn(Tensor.randn([4, 8, 16]))     // (B, T, C) -> (B, T, C)
/// ```
/// PyTorch (nanoGPT, without flash attention):
/// ```python
/// q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
/// q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)        # same for k and v
/// att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
/// att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float('-inf'))
/// att = self.attn_dropout(F.softmax(att, dim=-1))
/// y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
/// y = self.resid_dropout(self.c_proj(y))
/// ```
public final class SelfAttention: Module {
    /// C → 3C: the queries, keys and values of every head, side by side.
    public var c_attn: Linear
    /// C → C: mixes the heads' outputs.
    public var c_proj: Linear
    /// Dropout on the attention weights (after the softmax).
    public var attn_dropout: Dropout
    /// Dropout on the output.
    public var resid_dropout: Dropout
    /// (blockSize, blockSize) lower-triangular ones: `mask[i, j] == 1` when position i may look at position j ≤ i.
    @Buffer public var mask: Tensor
    public let nHead: Int
    public let nEmbd: Int

    public init(_ config: GPTConfig) {
        c_attn = Linear(config.nEmbd, 3 * config.nEmbd, bias: config.bias)
        c_proj = Linear(config.nEmbd, config.nEmbd, bias: config.bias)
        attn_dropout = Dropout(config.dropout)
        resid_dropout = Dropout(config.dropout)
        mask = Tensor.tril(config.blockSize)
        nHead = config.nHead
        nEmbd = config.nEmbd
        super.init()
    }

    /// x (B, T, C) → (B, T, C).
    public override func forward(_ x: Tensor) -> Tensor {
        // BEGIN EXERCISE 1a: SelfAttention.forward
        todo("SelfAttention.forward")
        // END EXERCISE 1a
    }
}
