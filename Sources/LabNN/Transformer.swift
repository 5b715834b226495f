// The transformer block of GPT-2 / nanoGPT: CausalSelfAttention, MLP and the pre-LayerNorm Block.
import Foundation
import LabTensor

/// GPT-2's scaling of the residual projections' init: 1/√(2·nLayer) (only under GPT's normal init).
func residualScale(_ config: GPTConfig) -> Float { 1 / Float(2 * config.nLayer).squareRoot() }

/// Multi-head causal self-attention with one fused qkv projection (GPT-2's `attn`).
/// c_attn (C → 3C), the fused attention kernel over the (B, T, 3C) buffer, c_proj (C → C), residual dropout.
///
/// ```swift
/// let attn = CausalSelfAttention(config)
/// let y = attn(x)        // (B, T, C) -> (B, T, C)
/// ```
/// PyTorch (nanoGPT): `CausalSelfAttention(config)` with `F.scaled_dot_product_attention(q, k, v, is_causal=True)`.
open class CausalSelfAttention: Module {
    public var c_attn: Linear
    public var c_proj: Linear
    public var resid_dropout: Dropout
    public let nHead: Int
    public let dropoutP: Float

    public init(_ config: GPTConfig) {
        c_attn = Linear(config.nEmbd, 3 * config.nEmbd, bias: config.bias)
        c_proj = withParameterInit(parameterInit.scaled(residualScale(config))) { Linear(config.nEmbd, config.nEmbd, bias: config.bias) }
        resid_dropout = Dropout(config.dropout)
        nHead = config.nHead
        dropoutP = config.dropout
        super.init()
    }

    open override func forward(_ x: Tensor) -> Tensor {
        let qkv = c_attn(x)                                                               // (B, T, 3C)
        let y = causalSelfAttention(qkv: qkv, nHead: nHead, dropoutP: dropoutP, training: training)  // (B, T, C)
        return resid_dropout(c_proj(y))                                                   // (B, T, C)
    }
}

/// The feed-forward part: c_fc (C → 4C), GELU, c_proj (4C → C), dropout.
///
/// PyTorch (nanoGPT): `MLP(config)`.
open class MLP: Module {
    public var c_fc: Linear
    public var gelu: GELU
    public var c_proj: Linear
    public var dropout: Dropout

    public init(_ config: GPTConfig) {
        c_fc = Linear(config.nEmbd, 4 * config.nEmbd, bias: config.bias)
        gelu = GELU(approximate: config.gelu)
        c_proj = withParameterInit(parameterInit.scaled(residualScale(config))) { Linear(4 * config.nEmbd, config.nEmbd, bias: config.bias) }
        dropout = Dropout(config.dropout)
        super.init()
    }

    open override func forward(_ x: Tensor) -> Tensor {
        dropout(c_proj(gelu(c_fc(x))))     // (B, T, C) -> (B, T, 4C) -> (B, T, C)
    }
}

/// A pre-LayerNorm transformer block: x = x + attn(ln_1(x)); x = x + mlp(ln_2(x)).
///
/// ```swift
/// let block = Block(config)
/// let y = block(x)       // (B, T, C)
/// ```
/// PyTorch (nanoGPT): `Block(config)`.
open class Block: Module {
    public var ln_1: LayerNorm
    public var attn: CausalSelfAttention
    public var ln_2: LayerNorm
    public var mlp: MLP

    public init(_ config: GPTConfig) {
        ln_1 = LayerNorm(config.nEmbd, eps: config.layerNormEps, bias: config.bias)
        attn = CausalSelfAttention(config)
        ln_2 = LayerNorm(config.nEmbd, eps: config.layerNormEps, bias: config.bias)
        mlp = MLP(config)
        super.init()
    }

    open override func forward(_ x: Tensor) -> Tensor {
        var x = x
        x = x + attn(ln_1(x))              // (B, T, C)
        x = x + mlp(ln_2(x))               // (B, T, C)
        return x
    }
}
