// LoRA adapters on disk in peft's format: a directory with adapter_model.safetensors (keys
// `base_model.model.<module>.lora_A.weight` (r, in) and `.lora_B.weight` (out, r), float32) and adapter_config.json.
import Foundation
import LabTensor

extension PeftModel {
    /// adapter_config.json with peft's fields for `config` (unknown to peft: `labrun_qkv_slices`).
    func writeAdapterConfig(_ config: LoraConfig, sliced: Bool, to directory: String, baseModelNameOrPath: String?) throws {
        let null = NSNull()
        let json: [String: Any] = [
            "peft_type": "LORA", "task_type": null, "peft_version": "0.21.2",
            "base_model_name_or_path": baseModelNameOrPath ?? null,
            "r": config.r, "lora_alpha": config.alpha, "lora_dropout": config.dropout,
            "target_modules": config.targetModules.jsonValue,
            // Hugging Face GPT-2 stores c_attn as Conv1D [in, out]; peft then sets fan_in_fan_out. A and B have the
            // same shapes either way (A (r, in), B (out, r)); only peft's merge transposes.
            "fan_in_fan_out": model is GPT,
            "bias": "none", "use_rslora": config.useRslora, "init_lora_weights": config.initLoraWeights,
            "inference_mode": true, "modules_to_save": null, "rank_pattern": [String: Any](),
            "alpha_pattern": [String: Any](), "layers_to_transform": null, "layers_pattern": null,
            "use_dora": false, "lora_bias": false, "exclude_modules": null, "revision": null,
            "labrun_qkv_slices": sliced,
        ]
        let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("adapter_config.json")))
    }

    /// The adapter tensors under peft's saved names (`base_model.model.transformer.h.0.attn.c_attn.lora_A.weight`).
    /// A q/k/v slice is saved as `...attn.c_attn.q_proj.lora_A.weight` (peft has no such layer on GPT-2).
    public func adapterStateDict() -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (name, p) in model.namedParameters() where name.contains(".lora_") {
            out["base_model.model." + name] = p
        }
        return out
    }

    /// Writes `adapter_model.safetensors` and `adapter_config.json` into `directory` (created if needed): only the
    /// adapter, a few KB to MB, not the base model. A `c_attn` adapter loads into peft with
    /// `PeftModel.from_pretrained(GPT2LMHeadModel..., directory)`.
    ///
    /// ```swift
    /// try peft.savePretrained("runs/lora-shakespeare")
    /// ```
    /// PyTorch (peft): `peft_model.save_pretrained("runs/lora-shakespeare")`.
    public func savePretrained(_ directory: String, baseModelNameOrPath: String? = nil) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Safetensors.save(adapterStateDict(), metadata: ["format": "pt"],
                             to: (directory as NSString).appendingPathComponent("adapter_model.safetensors"))
        try writeAdapterConfig(config, sliced: wrapped.contains { $0.layer.lora?.pairs.first?.name != nil }, to: directory,
                               baseModelNameOrPath: baseModelNameOrPath)
    }

    /// Reads `directory`'s adapter_config.json, wraps `model` as it says and loads the adapter weights (peft's or
    /// ours). Unknown config keys are ignored; a missing, unexpected or misshapen tensor throws.
    ///
    /// ```swift
    /// let peft = try PeftModel.fromPretrained(GPT.fromPretrained("gpt2"), "runs/lora-shakespeare")
    /// ```
    /// PyTorch (peft): `PeftModel.from_pretrained(model, "runs/lora-shakespeare")`.
    public static func fromPretrained(_ model: Base, _ directory: String) throws -> PeftModel<Base> {
        let configPath = (directory as NSString).appendingPathComponent("adapter_config.json")
        guard let data = FileManager.default.contents(atPath: configPath),
              let j = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw LoraError("\(configPath): cannot read a JSON object")
        }
        guard (j["peft_type"] as? String) == "LORA" else {
            throw LoraError("\(configPath): peft_type is \(j["peft_type"] ?? "missing"), expected LORA")
        }
        guard let r = (j["r"] as? NSNumber)?.intValue, let alpha = (j["lora_alpha"] as? NSNumber)?.floatValue else {
            throw LoraError("\(configPath): needs integer r and number lora_alpha")
        }
        let targets: LoraTargetModules
        if let list = j["target_modules"] as? [String] { targets = .names(list) }
        else if let s = j["target_modules"] as? String { targets = s == "all-linear" ? .allLinear : .regex(s) }
        else { throw LoraError("\(configPath): target_modules must be a list or a string") }
        let config = LoraConfig(r: r, alpha: alpha, targetModules: targets,
                                dropout: (j["lora_dropout"] as? NSNumber)?.floatValue ?? 0,
                                useRslora: (j["use_rslora"] as? Bool) ?? false)
        let peft = try getPeftModel(model, config)
        try peft.loadAdapter(directory)
        return peft
    }

    /// Copies the tensors of `directory`/adapter_model.safetensors into this model's adapters.
    public func loadAdapter(_ directory: String) throws {
        let path = (directory as NSString).appendingPathComponent("adapter_model.safetensors")
        let (tensors, _) = try Safetensors.load(path)
        let own = adapterStateDict()
        var byName: [String: Tensor] = [:]
        for (key, t) in tensors { byName[key.replacingOccurrences(of: ".default.", with: ".")] = t }
        let missing = Set(own.keys).subtracting(byName.keys).sorted()
        let unexpected = Set(byName.keys).subtracting(own.keys).sorted()
        guard missing.isEmpty && unexpected.isEmpty else {
            throw LoraError("\(path): missing adapter tensors \(missing), unexpected \(unexpected)")
        }
        for (name, p) in own { try copyValues(from: byName[name]!, into: p, name: name) }
    }
}

extension PeftModel {
    /// Writes q/k/v slice adapters (`["q_proj", "v_proj"]`) as an exactly equivalent peft `c_attn` adapter, which
    /// peft can load on GPT-2: per layer, rank k·r with A' = [A_q; A_v] (k·r, in) and B' (3C, k·r) block-sparse
    /// (B_q in the q rows and the first r columns, B_v in the v rows and the next r; zeros elsewhere), and
    /// lora_alpha' = k·alpha (alpha·√k under rsLoRA) so the scaling is unchanged. peft then counts k·r·(C + 3C)
    /// parameters, the zeros included. Layers adapted whole are written as they are; mixing the two throws.
    ///
    /// ```swift
    /// try peft.savePeftCompatible("runs/lora-qv-for-peft")
    /// ```
    /// PyTorch (peft): `PeftModel.from_pretrained(GPT2LMHeadModel.from_pretrained(...), "runs/lora-qv-for-peft")`.
    public func savePeftCompatible(_ directory: String, baseModelNameOrPath: String? = nil) throws {
        let sliced = wrapped.filter { $0.layer.lora?.pairs.first?.name != nil }
        guard !sliced.isEmpty else { return try savePretrained(directory, baseModelNameOrPath: baseModelNameOrPath) }
        guard sliced.count == wrapped.count else {
            throw LoraError("savePeftCompatible: q/k/v slices and whole layers in one adapter need peft's rank_pattern; not supported")
        }
        let ks = Set(sliced.map { $0.layer.lora!.pairs.count })
        guard ks.count == 1, let k = ks.first else { throw LoraError("savePeftCompatible: layers adapt different numbers of slices \(ks)") }
        let r = config.r
        var tensors: [String: Tensor] = [:]
        for w in sliced {
            let lora = w.layer.lora!, out = w.layer.outFeatures
            let A = cat(lora.pairs.map { $0.pair.lora_A.weight.detach() }, dim: 0)            // (k r, in)
            var B = [Float](repeating: 0, count: out * k * r)                                  // (out, k r)
            for (j, (_, p)) in lora.pairs.enumerated() {
                let b = p.lora_B.weight.scalars                                                // (slice, r)
                for (i, row) in p.rows.enumerated() { for c in 0..<r { B[row * k * r + j * r + c] = b[i * r + c] } }
            }
            tensors["base_model.model.\(w.name).lora_A.weight"] = A
            tensors["base_model.model.\(w.name).lora_B.weight"] = Tensor(B, shape: [out, k * r])
        }
        let fused = LoraConfig(r: k * r, alpha: config.useRslora ? config.alpha * Float(k).squareRoot() : config.alpha * Float(k),
                               targetModules: ["c_attn"], dropout: config.dropout, useRslora: config.useRslora,
                               initLoraWeights: config.initLoraWeights)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Safetensors.save(tensors, metadata: ["format": "pt"],
                             to: (directory as NSString).appendingPathComponent("adapter_model.safetensors"))
        try writeAdapterConfig(fused, sliced: false, to: directory, baseModelNameOrPath: baseModelNameOrPath)
    }
}
