// Lab 23, exercises 1 and 2: the slide's compute_loss and one training step.
import LabKit

/// The slide's `compute_loss`: the model reads every token of each row but the last and is scored on predicting
/// the next one, so the targets are the same rows shifted left by one. Logits (B, T, V) and targets (B, T) are
/// flattened alike to (B·T, V) and (B·T) for one mean cross-entropy over every position of every row.
///
/// `batch` is (B, T + 1) int32 token ids; `model` maps (B, T) ids to (B, T, V) logits (a `GPT` does).
///
/// ```swift
/// let batch = Tensor(ints: [5, 1, 4, 2, 3, 0], shape: [2, 3])      // (B, T + 1) = (2, 3)
/// let loss = computeLoss(model: model, batch: batch)                // scalar
/// ```
/// PyTorch (the slide):
/// ```python
/// inputs, targets = batch[:, :-1], batch[:, 1:]
/// logits = model(inputs)
/// loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.reshape(-1))
/// ```
public func computeLoss(model: Module, batch: Tensor) -> Tensor {
    // BEGIN EXERCISE 1: computeLoss
    todo("computeLoss")
    // END EXERCISE 1
}

/// One step of the slide's training loop: clear the old gradients, compute the loss, backpropagate, clip the
/// gradients' global norm to `maxNorm` (nil: no clipping), update the weights. Returns the loss and the gradient
/// norm *before* clipping.
///
/// ```swift
/// let optimizer = AdamW(model.parameters(), lr: 3e-4)
/// let (loss, norm) = trainStep(model: model, optimizer: optimizer, batch: batch, maxNorm: 1.0)
/// ```
/// PyTorch (the slide):
/// ```python
/// optimizer.zero_grad()
/// loss = compute_loss(model, batch)
/// loss.backward()
/// torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
/// optimizer.step()
/// ```
public func trainStep(model: Module, optimizer: Optimizer, batch: Tensor, maxNorm: Float?) -> (loss: Float, gradNorm: Float) {
    // BEGIN EXERCISE 2: trainStep
    todo("trainStep")
    // END EXERCISE 2
}
