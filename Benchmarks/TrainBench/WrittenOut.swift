// --written-out: the lab's student path. Lab 30 trains with the exercise's SelfAttention, written out op by op as on
// the slide (split, view, transpose, matmul, maskedFill, softmax, dropout, transpose back), not the library's fused
// CausalSelfAttention. This is a copy of Solutions/Exercises/SelfAttention.swift so the benchmark can time that path.
import LabNN
import LabTensor

final class WrittenOutAttention: Module {
    var c_attn: Linear
    var c_proj: Linear
    var attn_dropout: Dropout
    var resid_dropout: Dropout
    @Buffer var mask: Tensor
    let nHead: Int

    init(_ config: GPTConfig) {
        c_attn = Linear(config.nEmbd, 3 * config.nEmbd, bias: config.bias)
        c_proj = Linear(config.nEmbd, config.nEmbd, bias: config.bias)
        attn_dropout = Dropout(config.dropout)
        resid_dropout = Dropout(config.dropout)
        mask = Tensor.tril(config.blockSize)
        nHead = config.nHead
        super.init()
    }

    override func forward(_ x: Tensor) -> Tensor {
        let (B, T, C) = (x.size(0), x.size(1), x.size(2))
        let hs = C / nHead
        let qkv = c_attn(x).split(C, dim: 2)                                   // 3 × (B, T, C)
        let q = qkv[0].view(B, T, nHead, hs).transpose(1, 2)                   // (B, nh, T, hs)
        let k = qkv[1].view(B, T, nHead, hs).transpose(1, 2)                   // (B, nh, T, hs)
        let v = qkv[2].view(B, T, nHead, hs).transpose(1, 2)                   // (B, nh, T, hs)
        var att = q.matmul(k.transpose(-2, -1)) * (1 / Float(hs).squareRoot())  // (B, nh, T, T)
        att = att.maskedFill(mask[0..<T, 0..<T] .== 0, -.infinity)             // (B, nh, T, T)
        att = softmax(att, dim: -1)                                            // (B, nh, T, T)
        att = attn_dropout(att)                                                // (B, nh, T, T)
        var y = att.matmul(v)                                                  // (B, nh, T, hs)
        y = y.transpose(1, 2).contiguous().view(B, T, C)                       // (B, T, C)
        return resid_dropout(c_proj(y))                                        // (B, T, C)
    }
}

final class WrittenOutBlock: Module {
    var ln_1: LayerNorm
    var attn: WrittenOutAttention
    var ln_2: LayerNorm
    var mlp: MLP

    init(_ config: GPTConfig) {
        ln_1 = LayerNorm(config.nEmbd, eps: config.layerNormEps, bias: config.bias)
        attn = WrittenOutAttention(config)
        ln_2 = LayerNorm(config.nEmbd, eps: config.layerNormEps, bias: config.bias)
        mlp = MLP(config)
        super.init()
    }

    override func forward(_ x: Tensor) -> Tensor {
        var x = x
        x = x + attn(ln_1(x))
        x = x + mlp(ln_2(x))
        return x
    }
}
