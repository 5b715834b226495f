// GPT's forward from input embeddings and its final hidden states: what prompt tuning (a soft prompt prepended to
// the token embeddings), the reward model and PPO's value head need. Additive: GPT.forward(idx) is unchanged.
import LabTensor

extension GPT {
    /// The final hidden states (after `ln_f`) for input embeddings `inputsEmbeds` (B, T, C); position embeddings
    /// 0..T-1 are added here, as Hugging Face GPT-2 does for `inputs_embeds`.
    ///
    /// ```swift
    /// let h = model.hiddenStates(inputsEmbeds: cat([prompt, model.transformer.wte(idx)], dim: 1))   // (B, n+T, C)
    /// ```
    /// PyTorch (transformers): `model.transformer(inputs_embeds=embeds).last_hidden_state`.
    public func hiddenStates(inputsEmbeds: Tensor) -> Tensor {
        guard inputsEmbeds.ndim == 3, inputsEmbeds.shape[2] == config.nEmbd else {
            fatalError("GPT: inputsEmbeds must be (B, T, \(config.nEmbd)), got \(inputsEmbeds.shape)")
        }
        let T = inputsEmbeds.shape[1]
        guard T <= config.blockSize else {
            fatalError("GPT: sequence length \(T) (soft prompt included) exceeds blockSize \(config.blockSize)")
        }
        let pos_emb = transformer.wpe(Tensor.arange(T))                // (T, C)
        var x = transformer.drop(inputsEmbeds + pos_emb)               // (B, T, C)
        for block in transformer.h { x = block(x) }                    // (B, T, C)
        return transformer.ln_f(x)                                     // (B, T, C)
    }

    /// The final hidden states for token ids `idx` (B, T). PyTorch: `model.transformer(idx).last_hidden_state`.
    public func hiddenStates(_ idx: Tensor) -> Tensor {
        guard idx.ndim == 2 else { fatalError("GPT: idx must be (B, T) token ids, got shape \(idx.shape)") }
        return hiddenStates(inputsEmbeds: transformer.wte(idx))        // (B, T, C)
    }

    /// Logits (B, T, V) for input embeddings (B, T, C) and, with `targets` (B, T), the mean cross-entropy over the
    /// targets that are not -1.
    ///
    /// ```swift
    /// let (logits, loss) = model.forward(inputsEmbeds: embeds, targets: yb)
    /// ```
    /// PyTorch (transformers): `model(inputs_embeds=embeds, labels=...)` (without the internal label shift).
    public func forward(inputsEmbeds: Tensor, targets: Tensor?) -> (logits: Tensor, loss: Tensor?) {
        let logits = lm_head(hiddenStates(inputsEmbeds: inputsEmbeds))                       // (B, T, V)
        guard let targets else { return (logits, nil) }
        let (B, T, V) = (logits.shape[0], logits.shape[1], logits.shape[2])
        guard targets.shape == [B, T] else { fatalError("GPT: targets must be \([B, T]), got \(targets.shape)") }
        return (logits, crossEntropy(logits.view([B * T, V]), targets.view([B * T]), ignoreIndex: -1))
    }
}
