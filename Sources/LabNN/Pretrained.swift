// GPT.fromPretrained: load a Hugging Face GPT-2 directory (config.json + model.safetensors).
import Foundation
import LabTensor

extension GPT {
    /// Loads a Hugging Face GPT-2 checkpoint: `path` is a directory with `config.json` and `model.safetensors`
    /// (or the .safetensors file itself, with config.json beside it). Names with or without the `transformer.` prefix
    /// are accepted, the `attn.bias` / `attn.masked_bias` buffers are skipped, the Conv1D weights (stored [in, out])
    /// are transposed into Linear's [out, in], and a missing `lm_head.weight` means it is tied to `wte`.
    ///
    /// ```swift
    /// let model = try GPT.fromPretrained("/data/gpt2")      // 124M parameters
    /// ```
    /// Python: `GPT2LMHeadModel.from_pretrained("gpt2")` (nanoGPT: `GPT.from_pretrained("gpt2")`).
    public static func fromPretrained(_ path: String) throws -> GPT {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw SafetensorsError(path, "no such file or directory")
        }
        let dir = isDir.boolValue ? path : (path as NSString).deletingLastPathComponent
        let weightsPath = isDir.boolValue ? (path as NSString).appendingPathComponent("model.safetensors") : path
        let configPath = (dir as NSString).appendingPathComponent("config.json")
        let config = try readGPT2Config(configPath)
        let file = try SafetensorsReader(weightsPath)

        let model = withParameterInit(.zeros) { GPT(config) }

        let params = Dictionary(model.stateDict().map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        var loaded = Set<String>()
        let conv1D = ["attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight"]
        for key in file.entries.keys {
            if key.hasSuffix(".attn.bias") || key.hasSuffix(".attn.masked_bias") { continue }
            let name = key.hasPrefix("transformer.") || key == "lm_head.weight" ? key : "transformer." + key
            guard let p = params[name] else { throw SafetensorsError(weightsPath, "unexpected tensor '\(key)' for a GPT-2 model") }
            let shape = file.entries[key]!.shape
            if conv1D.contains(where: { name.hasSuffix($0) }) {
                guard shape == [p.shape[1], p.shape[0]] else {
                    throw SafetensorsError(weightsPath, "'\(key)' has shape \(shape), expected \([p.shape[1], p.shape[0]]) (Conv1D [in, out])")
                }
                var tmp = [Float](repeating: 0, count: p.count)
                try tmp.withUnsafeMutableBufferPointer { try file.readFloats(key, into: $0.baseAddress!, count: p.count) }
                let (rows, cols) = (shape[0], shape[1])          // [in, out] -> [out, in]
                p.withUnsafeMutableFloats { d, _ in
                    for r in 0..<rows { for c in 0..<cols { d[c * rows + r] = tmp[r * cols + c] } }
                }
            } else {
                guard shape == p.shape else {
                    throw SafetensorsError(weightsPath, "'\(key)' has shape \(shape), the model expects \(p.shape)")
                }
                try p.withUnsafeMutableFloats { d, n in try file.readFloats(key, into: d, count: n) }
            }
            loaded.insert(name)
        }
        if config.tieWeights { loaded.insert("lm_head.weight") }
        if loaded.contains("lm_head.weight") && config.tieWeights { loaded.insert("transformer.wte.weight") }
        let missing = Set(params.keys).subtracting(loaded).sorted()
        guard missing.isEmpty else { throw SafetensorsError(weightsPath, "missing tensors \(missing)") }
        return model
    }
}

/// GPTConfig from a Hugging Face GPT-2 config.json.
func readGPT2Config(_ path: String) throws -> GPTConfig {
    guard let data = FileManager.default.contents(atPath: path) else { throw SafetensorsError(path, "cannot read config.json") }
    guard let j = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
        throw SafetensorsError(path, "config.json is not a JSON object")
    }
    func int(_ keys: String...) throws -> Int {
        for k in keys { if let v = j[k] as? NSNumber { return v.intValue } }
        throw SafetensorsError(path, "config.json has no integer \(keys.joined(separator: " / "))")
    }
    let activation = j["activation_function"] as? String ?? "gelu_new"
    let gelu: GELUApproximation
    switch activation {
    case "gelu_new", "gelu_pytorch_tanh", "gelu_fast": gelu = .tanh
    case "gelu": gelu = .none
    default: throw SafetensorsError(path, "unsupported activation_function '\(activation)' (GPT-2 uses gelu_new)")
    }
    let (nEmbd, nHead) = (try int("n_embd"), try int("n_head"))
    guard nHead > 0, nEmbd % nHead == 0 else {
        throw SafetensorsError(path, "n_embd \(nEmbd) is not a multiple of n_head \(nHead) (each head gets n_embd / n_head channels)")
    }
    for k in ["vocab_size", "n_layer"] where try int(k) <= 0 { throw SafetensorsError(path, "\(k) must be positive") }
    return GPTConfig(vocabSize: try int("vocab_size"), blockSize: try int("n_positions", "n_ctx"), nLayer: try int("n_layer"),
                     nHead: try int("n_head"), nEmbd: try int("n_embd"),
                     dropout: (j["resid_pdrop"] as? NSNumber)?.floatValue ?? 0.1, bias: true,
                     tieWeights: (j["tie_word_embeddings"] as? Bool) ?? true, gelu: gelu,
                     layerNormEps: (j["layer_norm_epsilon"] as? NSNumber)?.floatValue ?? 1e-5)
}
