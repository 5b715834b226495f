// Checkpoint: model weights + AdamW state + step in one safetensors file.
import Foundation
import LabTensor

/// Saves and restores training state in a single safetensors file:
///   `<state-dict name>`                        model tensors (loadable on their own with `loadStateDict`)
///   `optimizer.exp_avg.<name>`, `optimizer.exp_avg_sq.<name>`   AdamW moments, bit-exact
///   metadata `step`, `optimizer` ("AdamW"), `optimizer.lr`, `optimizer.step.<name>` and any extra entries.
///
/// ```swift
/// try Checkpoint.save(model: model, optimizer: optimizer, step: 1000, to: "ckpt.safetensors")
/// let step = try Checkpoint.load("ckpt.safetensors", into: model, optimizer: optimizer)
/// ```
/// PyTorch (nanoGPT): `torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "iter_num": it}, path)`.
public enum Checkpoint {
    static let prefix = "optimizer."

    /// Writes the checkpoint atomically (temporary file + rename).
    public static func save(model: Module, optimizer: AdamW? = nil, step: Int, to path: String,
                            metadata: [String: String] = [:]) throws {
        var tensors = model.stateDict()
        var meta = metadata
        meta["step"] = String(step)
        if let optimizer {
            let names = Dictionary(model.namedParameters().map { (ObjectIdentifier($0.parameter), $0.name) },
                                   uniquingKeysWith: { a, _ in a })
            meta["optimizer"] = "AdamW"
            meta["optimizer.lr"] = String(optimizer.learningRate)
            for p in optimizer.parameters {
                guard let s = optimizer.state(for: p) else { continue }
                guard let name = names[ObjectIdentifier(p)] else {
                    throw SafetensorsError(path, "optimizer holds a parameter of shape \(p.shape) that is not in the model")
                }
                tensors[prefix + "exp_avg." + name] = s.expAvg
                tensors[prefix + "exp_avg_sq." + name] = s.expAvgSq
                meta[prefix + "step." + name] = String(s.step)
            }
        }
        try Safetensors.save(tensors, metadata: meta, to: path)
    }

    /// Loads the model weights (strict) and, if given, the optimizer state; returns the saved step.
    @discardableResult
    public static func load(_ path: String, into model: Module, optimizer: AdamW? = nil) throws -> Int {
        let file = try SafetensorsReader(path)
        var weights: [String: Tensor] = [:]
        for name in file.entries.keys where !name.hasPrefix(prefix) { weights[name] = try file.tensor(name) }
        do { try model.loadStateDict(weights) } catch { throw SafetensorsError(path, "\(error)") }
        if let optimizer {
            if let lr = file.metadata["optimizer.lr"].flatMap(Float.init) { optimizer.learningRate = lr }
            for (name, p) in model.namedParameters() {
                guard let stepString = file.metadata[prefix + "step." + name] else { continue }
                guard let s = Int(stepString) else { throw SafetensorsError(path, "metadata \(prefix)step.\(name) is not an integer") }
                optimizer.setState(for: p, expAvg: try file.tensor(prefix + "exp_avg." + name),
                                   expAvgSq: try file.tensor(prefix + "exp_avg_sq." + name), step: s)
            }
        }
        guard let step = file.metadata["step"].flatMap(Int.init) else {
            throw SafetensorsError(path, "no integer 'step' in __metadata__ (not a LabNN checkpoint?)")
        }
        return step
    }
}
