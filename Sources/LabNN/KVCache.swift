// The KV cache: generation keeps every attention layer's keys and values, so each new token runs the model on that
// token alone instead of on the whole context (slide 22's loop recomputes all of it at every step).
import LabTensor

/// Keys and values of every attention layer for the positions generated so far (Hugging Face's `past_key_values`).
///
/// ```swift
/// let cache = KVCache(model.config, batchSize: 1)
/// var logits = noGrad { model.forward(prompt, cache: cache) }     // (1, T, V); cache.length == T
/// logits = noGrad { model.forward(next, cache: cache) }           // (1, 1, V); cache.length == T + 1
/// ```
/// PyTorch (Hugging Face): `out = model(prompt, use_cache=True); model(next, past_key_values=out.past_key_values)`.
public final class KVCache {
    /// Rows per layer: the model's `blockSize` (positions beyond it have no position embedding).
    public let capacity: Int
    public let batchSize: Int
    /// Positions filled so far.
    public internal(set) var length = 0
    /// Per layer, (B, capacity, C): row p holds position p's keys (values), heads side by side as in c_attn's output.
    let keys: [Tensor], values: [Tensor]

    public init(_ config: GPTConfig, batchSize: Int) {
        capacity = config.blockSize
        self.batchSize = batchSize
        keys = (0..<config.nLayer).map { _ in Tensor.zeros([batchSize, config.blockSize, config.nEmbd]) }
        values = (0..<config.nLayer).map { _ in Tensor.zeros([batchSize, config.blockSize, config.nEmbd]) }
    }

    /// Forgets every position (the buffers are kept).
    public func reset() { length = 0 }
}

/// A transformer block that can run on new positions only, reading and extending layer `layer` of a `KVCache`.
/// The library's `Block` is one; `generate` uses the cache when every block of the GPT is.
public protocol KVCachedBlock: Module {
    /// x (B, t, C) at positions `cache.length ..< cache.length + t` → (B, t, C), eval mode (no dropout).
    func forward(_ x: Tensor, cache: KVCache, layer: Int) -> Tensor
    /// The same, caching every position's keys and values, but returning the last position's output only, (B, 1, C):
    /// all that sampling needs from the last block. The default runs `forward` and keeps the last position.
    func forwardLast(_ x: Tensor, cache: KVCache, layer: Int) -> Tensor
}

extension KVCachedBlock {
    public func forwardLast(_ x: Tensor, cache: KVCache, layer: Int) -> Tensor {
        let y = forward(x, cache: cache, layer: layer)                  // (B, t, C)
        return y.narrow(1, y.shape[1] - 1, 1)                           // (B, 1, C)
    }
}

extension CausalSelfAttention {
    /// Attention of the new positions x (B, t, C) over the cached ones and themselves; stores their keys and values.
    public func forward(_ x: Tensor, cache: KVCache, layer: Int) -> Tensor {
        let qkv = c_attn(x)                                                               // (B, t, 3C)
        let y = cachedCausalSelfAttention(qkv: qkv, keys: cache.keys[layer], values: cache.values[layer],
                                          start: cache.length, nHead: nHead)              // (B, t, C)
        return c_proj(y)                                                                  // (B, t, C)
    }

    /// The same for the last new position only: every position's keys and values are cached, one query attends.
    public func forwardLast(_ x: Tensor, cache: KVCache, layer: Int) -> Tensor {
        let qkv = c_attn(x)                                                               // (B, t, 3C)
        let y = cachedCausalSelfAttention(qkv: qkv, keys: cache.keys[layer], values: cache.values[layer],
                                          start: cache.length, nHead: nHead, queries: 1)  // (B, 1, C)
        return c_proj(y)                                                                  // (B, 1, C)
    }
}

extension Block: KVCachedBlock {
    public func forward(_ x: Tensor, cache: KVCache, layer: Int) -> Tensor {
        var x = x
        x = x + attn.forward(ln_1(x), cache: cache, layer: layer)    // (B, t, C)
        x = x + mlp(ln_2(x))                                         // (B, t, C)
        return x
    }

    /// The last position's output (B, 1, C); the other positions only get their keys and values cached (their
    /// attention output, c_proj and MLP are skipped).
    public func forwardLast(_ x: Tensor, cache: KVCache, layer: Int) -> Tensor {
        let t = x.shape[1]
        var h = x.narrow(1, t - 1, 1) + attn.forwardLast(ln_1(x), cache: cache, layer: layer)   // (B, 1, C)
        h = h + mlp(ln_2(h))                                                                   // (B, 1, C)
        return h
    }
}

extension GPT {
    /// Whether every block can use a `KVCache` (the library's `Block` can; a custom block must adopt `KVCachedBlock`).
    public var supportsKVCache: Bool { transformer.h.allSatisfy { $0 is KVCachedBlock } }

    /// Logits (B, t, V) for the new tokens `idx` (B, t) at positions `cache.length ..< cache.length + t`, attending
    /// over the cached positions too; appends their keys and values to `cache`. Run under `noGrad` in eval mode.
    ///
    /// ```swift
    /// model.eval()
    /// let cache = KVCache(model.config, batchSize: 1)
    /// let logits = noGrad { model.forward(idx, cache: cache) }     // (1, t, V)
    /// ```
    /// With `lastOnly`, only the last position's logits (B, 1, V) (what sampling needs): the last block's attention
    /// output and MLP, `ln_f` and `lm_head` then run on that position alone. PyTorch (nanoGPT's inference shortcut):
    /// `logits = self.lm_head(x[:, [-1], :])`.
    ///
    /// PyTorch (Hugging Face): `model(idx, past_key_values=cache, use_cache=True).logits`.
    public func forward(_ idx: Tensor, cache: KVCache, lastOnly: Bool = false) -> Tensor {
        checkCachedInput("forward(_:cache:)", "idx", idx.shape, embedded: false, cache: cache)
        return forward(inputsEmbeds: transformer.wte(idx), cache: cache, lastOnly: lastOnly)  // (B, t or 1, V)
    }

    /// Logits (B, t, V) for input embeddings (B, t, C) at positions `cache.length ..< cache.length + t` (their
    /// position embeddings are added here), attending over the cached positions too; appends their keys and values
    /// to `cache`. Prompt tuning prefills with [soft prompt; wte(prompt)] this way, then goes on token by token.
    ///
    /// ```swift
    /// let cache = KVCache(model.config, batchSize: 1)
    /// let embeds = cat([prompt.unsqueeze(0), model.transformer.wte(idx)], dim: 1)    // (1, n + T, C)
    /// var logits = noGrad { model.forward(inputsEmbeds: embeds, cache: cache) }      // (1, n + T, V)
    /// logits = noGrad { model.forward(next, cache: cache) }                          // (1, 1, V) at position n + T
    /// ```
    /// `lastOnly`: as in `forward(_:cache:lastOnly:)`, the last position's logits (B, 1, V) only.
    ///
    /// PyTorch (Hugging Face): `model(inputs_embeds=embeds, use_cache=True)`, then `past_key_values=out.past_key_values`.
    public func forward(inputsEmbeds: Tensor, cache: KVCache, lastOnly: Bool = false) -> Tensor {
        checkCachedInput("forward(inputsEmbeds:cache:)", "input embeddings", inputsEmbeds.shape, embedded: true, cache: cache)
        let t = inputsEmbeds.shape[1]
        let pos = Tensor(ints: Array(cache.length..<(cache.length + t)))  // (t)
        var x = inputsEmbeds + transformer.wpe(pos)                       // (B, t, C)
        for (i, block) in transformer.h.enumerated() {
            let block = block as! KVCachedBlock
            x = lastOnly && i == transformer.h.count - 1 ? block.forwardLast(x, cache: cache, layer: i)   // (B, 1, C)
                                                          : block.forward(x, cache: cache, layer: i)       // (B, t, C)
        }
        cache.length += t
        return lm_head(transformer.ln_f(x))                               // (B, t or 1, V)
    }

    /// The cached forwards' check: `shape` is (B, t) token ids (`embedded` false) or (B, t, C) embeddings, with B the
    /// cache's batch and t ≥ 1; positions cache.length..<cache.length+t fit the cache; every block is a `KVCachedBlock`.
    func checkCachedInput(_ call: String, _ name: String, _ shape: [Int], embedded: Bool, cache: KVCache) {
        let want = embedded ? "(B, t, \(config.nEmbd))" : "(B, t) token ids"
        let rank = embedded ? 3 : 2
        let t = shape.count == rank ? shape[1] : 0
        if shape.count != rank || shape[0] != cache.batchSize || t < 1 || (embedded && shape[2] != config.nEmbd)
            || cache.length + t > cache.capacity || !supportsKVCache {
            fatalError("GPT.\(call): \(name) \(shape) (want \(want), t ≥ 1) at positions \(cache.length)..<\(cache.length + t) "
                       + "for a cache of batch \(cache.batchSize) and \(cache.capacity) positions"
                       + (supportsKVCache ? "" : "; a block does not adopt KVCachedBlock"))
        }
    }
}
