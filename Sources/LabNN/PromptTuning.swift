// Prompt tuning (Lester et al. 2021) as peft does it: n learned vectors prepended to the token embeddings of a
// frozen model. The virtual tokens take positions 0..n-1 and the real tokens n..n+T-1 (GPT-2 numbers the whole
// embedded sequence); the labels of the prompt positions are ignored; logits come back for all n+T positions.
import Foundation
import LabTensor

/// How the soft prompt starts (peft's `PromptTuningInit`).
public enum PromptTuningInit: Sendable, Equatable {
    /// N(0, 1) per entry, as nn.Embedding (peft's default; 50× GPT-2's wte scale).
    case random
    /// Rows of the model's wte for these token ids, repeated cyclically or truncated to n (peft's `TEXT` init with
    /// the ids of `prompt_tuning_init_text`).
    case text([Int])
    /// Rows of wte for n random vocabulary ids (peft's `SAMPLE_VOCAB`).
    case sampleVocab
}

/// A frozen GPT with a trainable soft prompt of `numVirtualTokens` vectors (the slide's `PromptTuning`).
///
/// ```swift
/// let pt = PromptTuning(model, numVirtualTokens: 8, initFrom: .text(tokenizer.encode("ROMEO:")))
/// pt.printTrainableParameters()          // trainable params: 2,048 || all params: 3,211,008 || ...
/// let (logits, loss) = pt(xb, yb)        // logits (B, 8 + T, V); the loss ignores the 8 prompt positions
/// let out = pt.generate(Tensor(ints: [0], shape: [1, 1]), maxNewTokens: 100)
/// ```
/// PyTorch (peft): `get_peft_model(model, PromptTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=8))`.
public final class PromptTuning: Module {
    /// The soft prompt (n, C): the only trainable tensor. PyTorch (peft): `prompt_encoder.default.embedding.weight`.
    public var prompt_embeddings: Tensor
    public let model: GPT
    public let numVirtualTokens: Int

    /// Freezes `model` and makes the prompt.
    public init(_ model: GPT, numVirtualTokens n: Int, initFrom: PromptTuningInit = .random) {
        let C = model.config.nEmbd
        guard n > 0 && n < model.config.blockSize else {
            fatalError("PromptTuning: numVirtualTokens must be in 1..<\(model.config.blockSize) (blockSize), got \(n)")
        }
        self.model = model
        numVirtualTokens = n
        model.freeze()
        switch initFrom {
        case .random:
            prompt_embeddings = Tensor.randn([n, C], std: 1, requiresGrad: true)
        case .text, .sampleVocab:
            var rows: [Int] = []
            if case .text(let ids) = initFrom { rows = ids } else { rows = (0..<n).map { _ in randomInt(model.config.vocabSize) } }
            guard !rows.isEmpty, rows.allSatisfy({ $0 >= 0 && $0 < model.config.vocabSize }) else {
                fatalError("PromptTuning: init text ids must be non-empty and in 0..<\(model.config.vocabSize), got \(rows)")
            }
            let picked = (0..<n).map { rows[$0 % rows.count] }
            let rowsCopy = noGrad { model.transformer.wte.weight[Tensor(ints: picked)].clone() }     // (n, C)
            rowsCopy.requiresGrad = true
            prompt_embeddings = rowsCopy
        }
        super.init()
    }

    /// The model's input: the soft prompt in front of the token embeddings. idx (B, T) -> (B, n + T, C).
    /// PyTorch (peft): `torch.cat((prompts, self.word_embeddings(input_ids)), dim=1)`.
    public func inputsEmbeds(_ idx: Tensor) -> Tensor {
        guard idx.ndim == 2 else { fatalError("PromptTuning: idx must be (B, T) token ids, got \(idx.shape)") }
        let B = idx.shape[0]
        let tok = model.transformer.wte(idx)                                          // (B, T, C)
        let prompt = prompt_embeddings.unsqueeze(0) + Tensor.zeros([B, numVirtualTokens, model.config.nEmbd])   // (B, n, C)
        return cat([prompt, tok], dim: 1)                                              // (B, n + T, C)
    }

    /// Logits (B, n + T, V) and, with targets (B, T), the cross-entropy over the real positions only (the prompt's
    /// n labels are -1, peft's -100).
    public func forward(_ idx: Tensor, targets: Tensor?) -> (logits: Tensor, loss: Tensor?) {
        let fullTargets = targets.map { t -> Tensor in
            guard t.shape == idx.shape else { fatalError("PromptTuning: targets \(t.shape) must match idx \(idx.shape)") }
            let B = t.shape[0], T = t.shape[1]
            let ignore = [Int](repeating: -1, count: numVirtualTokens)
            let rows = t.ints
            return Tensor(ints: (0..<B).flatMap { b in ignore + rows[(b * T)..<((b + 1) * T)] }, shape: [B, numVirtualTokens + T])
        }
        return model.forward(inputsEmbeds: inputsEmbeds(idx), targets: fullTargets)
    }

    /// `pt(idx)`: logits (B, n + T, V); the last position predicts the next real token.
    public override func forward(_ idx: Tensor) -> Tensor { forward(idx, targets: nil).logits }

    /// `let (logits, loss) = pt(xb, yb)`.
    public func callAsFunction(_ idx: Tensor, _ targets: Tensor) -> (logits: Tensor, loss: Tensor?) {
        forward(idx, targets: targets)
    }

    /// Samples with the soft prompt in place: the n virtual tokens always sit at positions 0..n-1 and the real
    /// context follows at n.., cropped to its last blockSize − n tokens, so prompt + context fit the position table.
    ///
    /// With `useCache` (the default) the first step prefills a `KVCache` with [soft prompt; wte(context)] at
    /// positions 0..n+T-1 and each later step runs the new token alone. Once the real context outgrows
    /// blockSize − n it is cropped exactly as the uncached path crops it: the prompt stays in front and every real
    /// token moves one position down, so their keys and values change and the cache is **rebuilt** from
    /// [soft prompt; cropped context] at each such step (not rolled: rolling would push the prompt out of the window,
    /// or leave stale positions). Both paths therefore give the same tokens for the same seed. `useCache: false`
    /// (or a model with custom blocks) recomputes [soft prompt; wte(context)] at every step.
    ///
    /// ```swift
    /// manualSeed(7)
    /// let out = pt.generate(Tensor(ints: [0], shape: [1, 1]), maxNewTokens: 200, temperature: 0.8)
    /// let slow = pt.generate(Tensor(ints: [0], shape: [1, 1]), maxNewTokens: 200, temperature: 0.8, useCache: false)
    /// ```
    /// PyTorch (peft): `peft_model.generate(input_ids=ids, max_new_tokens=200, do_sample=True, temperature=0.8)`.
    public func generate(_ idx: Tensor, maxNewTokens: Int, temperature: Float = 1, topK: Int? = nil,
                         topP: Float? = nil, useCache: Bool = true) -> Tensor {
        let n = numVirtualTokens, window = model.config.blockSize - numVirtualTokens     // real tokens after the prompt
        guard useCache && model.supportsKVCache else {
            return LabNN.generate(RealPositions(self), idx, maxNewTokens: maxNewTokens, temperature: temperature,
                                  topK: topK, topP: topP, blockSize: window)
        }
        checkSampling(idx, maxNewTokens: maxNewTokens, temperature: temperature, topK: topK, topP: topP)
        let B = idx.shape[0]
        let cache = KVCache(model.config, batchSize: B)
        return sampleTokens(self, idx, maxNewTokens: maxNewTokens, temperature: temperature, topK: topK, topP: topP) { rows in
            let T = rows[0].count
            if cache.length == 0 || T > window {                 // prefill, or the window slid: rebuild the cache
                cache.reset()
                let t = min(T, window)
                let context = Tensor(ints: rows.flatMap { $0.suffix(t) }, shape: [B, t])          // (B, t)
                return model.forward(inputsEmbeds: inputsEmbeds(context), cache: cache, lastOnly: true)   // (B, 1, V)
            }
            let first = cache.length - n                         // real tokens already in the cache
            return model.forward(Tensor(ints: rows.flatMap { $0[first..<T] }, shape: [B, T - first]), cache: cache,
                                 lastOnly: true)                                                             // (B, 1, V)
        }
    }

    /// The prompt-tuned model seen by `generate`: logits for the real positions only, (B, T, V).
    final class RealPositions: Module {
        let tuned: PromptTuning
        init(_ tuned: PromptTuning) { self.tuned = tuned; super.init() }
        override func forward(_ idx: Tensor) -> Tensor {
            tuned(idx).narrow(1, tuned.numVirtualTokens, idx.shape[1])         // (B, n + T, V) -> (B, T, V)
        }
    }

    /// Writes peft's files: adapter_model.safetensors with `prompt_embeddings` (n, C) and adapter_config.json.
    /// PyTorch (peft): `peft_model.save_pretrained(directory)`.
    public func savePretrained(_ directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Safetensors.save(["prompt_embeddings": prompt_embeddings], metadata: ["format": "pt"],
                             to: (directory as NSString).appendingPathComponent("adapter_model.safetensors"))
        let json: [String: Any] = [
            "peft_type": "PROMPT_TUNING", "task_type": "CAUSAL_LM", "peft_version": "0.21.2",
            "num_virtual_tokens": numVirtualTokens, "token_dim": model.config.nEmbd, "num_transformer_submodules": 1,
            "num_attention_heads": model.config.nHead, "num_layers": model.config.nLayer,
            "prompt_tuning_init": "RANDOM", "inference_mode": true, "base_model_name_or_path": NSNull(),
        ]
        let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("adapter_config.json")))
    }

    /// Loads `prompt_embeddings` from a peft prompt-tuning directory (or a .safetensors file) into this prompt.
    public func loadPrompt(_ path: String) throws {
        var isDir: ObjCBool = false
        let file = FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
            ? (path as NSString).appendingPathComponent("adapter_model.safetensors") : path
        let t = try SafetensorsReader(file).tensor("prompt_embeddings")
        try copyValues(from: t, into: prompt_embeddings, name: "prompt_embeddings")
    }
}
