// Lab 28, exercise 1: a LoRA layer (Hu et al. 2021), the way Hugging Face peft builds it.
import LabKit

/// The starting weights of a LoRA pair for a Linear layer with `inFeatures` inputs and `outFeatures` outputs:
/// A (r, in) drawn from U(−1/√in, 1/√in) (kaiming-uniform with a = √5, PyTorch's Linear init) and B (out, r) all
/// zeros, both trainable. B = 0 makes the wrapped layer start exactly as the pre-trained one.
///
/// ```swift
/// let (A, B) = loraInitialWeights(r: 8, inFeatures: 256, outFeatures: 768)   // (8, 256), (768, 8)
/// ```
/// PyTorch (peft): `nn.init.kaiming_uniform_(lora_A.weight, a=math.sqrt(5)); nn.init.zeros_(lora_B.weight)`.
public func loraInitialWeights(r: Int, inFeatures: Int, outFeatures: Int) -> (A: Tensor, B: Tensor) {
    // BEGIN EXERCISE 1: loraInitialWeights
    todo("loraInitialWeights")
    // END EXERCISE 1
}

/// The factor s in y = W x + b + s · B A x: alpha / r, so that changing r does not change how strongly the
/// adapter acts at the same alpha.
///
/// ```swift
/// loraScaling(alpha: 16, r: 8)    // 2
/// ```
/// PyTorch (peft): `self.scaling[adapter_name] = lora_alpha / r`.
public func loraScaling(alpha: Float, r: Int) -> Float {
    // BEGIN EXERCISE 1: loraScaling
    todo("loraScaling")
    // END EXERCISE 1
}

/// A frozen Linear plus a trainable low-rank update: y = W x + b + s · B A dropout(x). The base weight and bias are
/// the wrapped layer's own tensors (shared, not copied); dropout acts on the adapter's input only.
///
/// ```swift
/// let layer = LoRALinear(block.attn.c_attn, r: 8, alpha: 16, dropout: 0.05)
/// let y = layer(x)          // (B, T, C) -> (B, T, 3C)
/// ```
/// PyTorch (peft `lora.Linear.forward`): `result = self.base_layer(x) + lora_B(lora_A(dropout(x))) * scaling`.
public final class LoRALinear: Linear {
    public var lora_A: Linear          // weight (r, in)
    public var lora_B: Linear          // weight (out, r)
    public var lora_dropout: Dropout
    public let scaling: Float
    public let r: Int

    public init(_ base: Linear, r: Int, alpha: Float, dropout: Float = 0) {
        let (A, B) = loraInitialWeights(r: r, inFeatures: base.inFeatures, outFeatures: base.outFeatures)
        lora_A = Linear(weight: A)
        lora_B = Linear(weight: B)
        lora_dropout = Dropout(dropout)
        scaling = loraScaling(alpha: alpha, r: r)
        self.r = r
        super.init(weight: base.weight, bias: base.bias)
    }

    /// x (..., in) -> (..., out).
    public override func forward(_ x: Tensor) -> Tensor {
        // BEGIN EXERCISE 1: LoRALinear.forward
        todo("LoRALinear.forward")
        // END EXERCISE 1
    }
}

/// Makes `model` a LoRA model: every pre-trained parameter frozen, and every block's `attn.c_attn` replaced by a
/// `LoRALinear` around it (peft's `target_modules=["c_attn"]`). Returns the new layers.
///
/// ```swift
/// let layers = addLoRA(to: model, r: 8, alpha: 16, dropout: 0.05)
/// let optimizer = AdamW(model.trainableParameters(), lr: 1e-3)
/// ```
/// PyTorch (peft): `model = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, target_modules=["c_attn"]))`.
public func addLoRA(to model: GPT, r: Int, alpha: Float, dropout: Float = 0) -> [LoRALinear] {
    // BEGIN EXERCISE 1: addLoRA
    todo("addLoRA")
    // END EXERCISE 1
}
