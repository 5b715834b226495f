// Lab 28, exercise 2: prompt tuning (Lester et al. 2021), the way Hugging Face peft runs it on GPT-2.
import LabKit

/// Puts the soft prompt in front of every row's token embeddings: prompt (n, C), tokenEmbeddings (B, T, C) ->
/// (B, n + T, C). The same n vectors go in front of each row.
///
/// ```swift
/// let embeds = prependSoftPrompt(prompt, to: model.transformer.wte(idx))   // (B, n + T, C)
/// ```
/// PyTorch (peft): `torch.cat((prompts.expand(B, -1, -1), inputs_embeds), dim=1)`.
public func prependSoftPrompt(_ prompt: Tensor, to tokenEmbeddings: Tensor) -> Tensor {
    // BEGIN EXERCISE 2: prependSoftPrompt
    todo("prependSoftPrompt")
    // END EXERCISE 2
}

/// The frozen model run on [soft prompt; tokens]: logits (B, n + T, V) and, with targets (B, T), the mean
/// cross-entropy over the T real positions only (the prompt has nothing to predict). The virtual tokens take
/// positions 0..n-1, the real tokens n..n+T-1 (`model.forward(inputsEmbeds:)` adds the position embeddings).
///
/// ```swift
/// let (logits, loss) = softPromptForward(model, prompt: prompt, idx: xb, targets: yb)
/// ```
/// PyTorch (peft): `model(inputs_embeds=embeds, labels=torch.cat([torch.full((B, n), -100), labels], 1))`.
public func softPromptForward(_ model: GPT, prompt: Tensor, idx: Tensor, targets: Tensor?) -> (logits: Tensor, loss: Tensor?) {
    let embeds = prependSoftPrompt(prompt, to: model.transformer.wte(idx))     // (B, n + T, C)
    let logits = model.forward(inputsEmbeds: embeds, targets: nil).logits       // (B, n + T, V)
    guard let targets else { return (logits, nil) }
    // BEGIN EXERCISE 2: softPromptLoss
    todo("softPromptLoss")
    // END EXERCISE 2
}
