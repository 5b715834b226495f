// generate: autoregressive sampling from a language model, with a KV cache (default) or the slide's loop without one.
import Foundation
import LabTensor

/// Extends `idx` (B, T) by `maxNewTokens` tokens sampled from `model`, feeding back each new token.
/// Each step crops the context to the last `blockSize` tokens, runs the model, takes the last position's logits,
/// divides by `temperature` (0 = greedy argmax), keeps the `topK` largest and/or the smallest set with cumulative
/// probability ≥ `topP`, and draws with `multinomial` from the seeded generator (`manualSeed` makes it repeatable).
/// Runs under `noGrad` in eval mode; the model's previous train/eval mode is restored afterwards.
///
/// With `useCache` (the default) and a GPT whose blocks adopt `KVCachedBlock` (the library's `Block` does), each
/// step runs the model on the new token only, reading the earlier positions' keys and values from a `KVCache`.
/// When the context outgrows `blockSize` it is cropped as in the slide's loop, which shifts every position (and so
/// every key and value: the position embeddings change), so the cache is **rebuilt** from the cropped window at each
/// such step rather than rolled. Both paths therefore give the same tokens for the same seed; the cache saves work up
/// to `blockSize` tokens of context. `useCache: false` (or a custom block) runs the slide's loop: the whole context
/// through the model at every step.
///
/// ```swift
/// manualSeed(42)
/// let out = generate(model, Tensor(ints: [0], shape: [1, 1]), maxNewTokens: 200, temperature: 0.8, topK: 40)
/// print(tokenizer.decode(out[0].ints))
/// let slide = generate(model, prompt, maxNewTokens: 200, useCache: false)   // slide 22's loop, no cache
/// ```
/// PyTorch (nanoGPT): `model.generate(idx, max_new_tokens=200, temperature=0.8, top_k=40)` (no cache);
/// Hugging Face: `model.generate(idx, max_new_tokens=200, do_sample=True, use_cache=True)`.
public func generate(_ model: Module, _ idx: Tensor, maxNewTokens: Int, temperature: Float = 1,
                     topK: Int? = nil, topP: Float? = nil, blockSize: Int? = nil, useCache: Bool = true) -> Tensor {
    checkSampling(idx, maxNewTokens: maxNewTokens, temperature: temperature, topK: topK, topP: topP)
    guard let blockSize = blockSize ?? (model as? GPT)?.config.blockSize else {
        fail("generate: a \(type(of: model)) is not a GPT, so pass its context length: generate(model, idx, maxNewTokens: n, blockSize: 128)")
    }
    let B = idx.shape[0]
    let gpt = model as? GPT
    let cache = useCache && gpt?.supportsKVCache == true && gpt!.config.blockSize >= blockSize
        ? KVCache(gpt!.config, batchSize: B) : nil
    return sampleTokens(model, idx, maxNewTokens: maxNewTokens, temperature: temperature, topK: topK, topP: topP) { rows in
        let n = rows[0].count
        if let cache, let gpt {
            if n > blockSize { cache.reset() }              // cropped: every position moved, rebuild the cache
            let first = n > blockSize ? n - blockSize : cache.length                        // tokens not in the cache
            return gpt.forward(Tensor(ints: rows.flatMap { $0[first..<n] }, shape: [B, n - first]), cache: cache,
                               lastOnly: true)                                  // (B, 1, V): sampling reads the last
        }
        let t = min(n, blockSize)
        return model(Tensor(ints: rows.flatMap { $0.suffix(t) }, shape: [B, t]))           // the slide's loop
    }
}

/// generate's argument checks (shared with `PromptTuning.generate`).
func checkSampling(_ idx: Tensor, maxNewTokens: Int, temperature: Float, topK: Int?, topP: Float?) {
    check(idx.ndim == 2 && idx.dtype == .int32 && idx.shape[1] > 0,
          "generate: idx must be (B, T) int32 token ids with T ≥ 1 (Tensor(ints: ids, shape: [1, ids.count])), got \(idx.dtype) of shape \(idx.shape)")
    check(maxNewTokens >= 0 && temperature >= 0 && temperature.isFinite && (topK ?? 1) > 0 && (topP.map { $0 > 0 && $0 <= 1 } ?? true),
          "generate: maxNewTokens \(maxNewTokens) ≥ 0, temperature \(temperature) ≥ 0, topK \(topK.map(String.init) ?? "nil") ≥ 1, topP \(topP.map { "\($0)" } ?? "nil") in (0, 1] required")
}

/// The sampling loop of `generate` and `PromptTuning.generate`: `maxNewTokens` times, `logits(rows)` gives the
/// logits (B, t, V) whose last position predicts each row's next token (rows: the B token lists so far), and the
/// sampled tokens are appended. Runs under `noGrad` with `model` in eval mode (its mode is restored afterwards).
func sampleTokens(_ model: Module, _ idx: Tensor, maxNewTokens: Int, temperature: Float, topK: Int?, topP: Float?,
                  logits: ([[Int]]) -> Tensor) -> Tensor {
    let (B, T) = (idx.shape[0], idx.shape[1])
    let all = idx.ints
    var rows = (0..<B).map { b in Array(all[(b * T)..<((b + 1) * T)]) }                 // B × T token lists
    let wasTraining = model.training
    model.eval()
    defer { model.train(wasTraining) }
    noGrad {
        for _ in 0..<maxNewTokens {
            let next = sampleLast(logits(rows), temperature: temperature, topK: topK, topP: topP)
            for b in 0..<B { rows[b].append(next[b]) }
        }
    }
    return Tensor(ints: rows.flatMap { $0 }, shape: [B, rows[0].count])
}

/// One token per row from the last position's logits of (B, t, V).
func sampleLast(_ logits: Tensor, temperature: Float, topK: Int?, topP: Float?) -> [Int] {
    let B = logits.shape[0], t = logits.shape[1], V = logits.shape[logits.ndim - 1]
    var next = [Int](repeating: 0, count: B)
    var probs = [Float](repeating: 0, count: B * V)
    logits.withUnsafeFloats { p, _ in
        for b in 0..<B {
            let last = p + (b * t + t - 1) * V                                     // logits[b, -1, :]
            var row = Array(UnsafeBufferPointer(start: last, count: V))
            if temperature == 0 { next[b] = argmaxIndex(row); continue }
            for i in 0..<V { row[i] /= temperature }
            let pr = filteredProbabilities(row, topK: topK, topP: topP)
            for i in 0..<V { probs[b * V + i] = pr[i] }
        }
    }
    if temperature != 0 {
        next = multinomial(Tensor(probs, shape: [B, V]), numSamples: 1).ints   // (B, 1)
    }
    return next
}

/// Index of the largest value (first on ties, as torch.argmax).
func argmaxIndex(_ x: [Float]) -> Int {
    var best = 0
    for i in 1..<x.count where x[i] > x[best] { best = i }
    return best
}

/// softmax(logits) restricted to the top-k logits and then to the top-p nucleus, renormalised.
func filteredProbabilities(_ logits: [Float], topK: Int?, topP: Float?) -> [Float] {
    let V = logits.count
    var x = logits
    if let k = topK, k < V {
        let kth = x.sorted(by: >)[max(k, 1) - 1]            // nanoGPT: logits[logits < v[:, [-1]]] = -inf
        for i in 0..<V where x[i] < kth { x[i] = -.infinity }
    }
    let m = x.max()!
    var p = x.map { $0 == -.infinity ? 0 : Float(exp(Double($0 - m))) }
    var s = p.reduce(0, +)
    for i in 0..<V { p[i] /= s }
    if let topP, topP < 1 {
        // Keep the most probable tokens until their cumulative probability reaches topP (at least one token).
        let order = (0..<V).sorted { p[$0] > p[$1] }
        var cum: Float = 0
        var keep = [Bool](repeating: false, count: V)
        for i in order {
            keep[i] = true
            cum += p[i]
            if cum >= topP { break }
        }
        for i in 0..<V where !keep[i] { p[i] = 0 }
        s = p.reduce(0, +)
        for i in 0..<V { p[i] /= s }
    }
    return p
}
