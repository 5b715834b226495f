// Module: the base class of every layer and model (torch.nn.Module).
//
// Parameters and submodules are found by reflection over stored properties, so a layer is just a class with
// `var weight: Tensor` / `var ln_1: LayerNorm` / `var h: [Block]` properties, and the property names ARE the
// state-dict names (`transformer.h.0.attn.c_attn.weight`). Recognised property types:
//   Tensor, Tensor?, [Tensor]                  parameters            ("weight", "bias", "scales.0")
//   Module (any subclass), Module?, [Module]   submodules            ("ln_1", "h.0")
//   @Buffer var mask: Tensor                   a non-persistent buffer: not a parameter, not in the state dict
// Anything else (Int, Float, config structs, closures) is ignored.
import LabTensor

/// The base class of layers and models: callable, with reflected `parameters()` and a PyTorch-style state dict.
///
/// ```swift
/// final class TwoLayer: Module {
///     var fc1 = Linear(784, 128)
///     var fc2 = Linear(128, 10)
///     override func forward(_ x: Tensor) -> Tensor { fc2(fc1(x).relu()) }
/// }
/// let net = TwoLayer()
/// let logits = net(x)                    // (B, 10)
/// net.namedParameters().map(\.name)      // ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
/// ```
/// PyTorch: `class TwoLayer(nn.Module)` with `forward`, `net(x)`, `net.named_parameters()`.
open class Module {
    /// True in training mode (dropout active); set recursively by `train()` / `eval()`.
    public internal(set) var training = true

    public init() {}

    /// The computation; subclasses override it. Called by `module(x)`.
    open func forward(_ x: Tensor) -> Tensor {
        fatalError("\(type(of: self)) does not override forward(_:)")
    }

    /// `module(x)` runs `forward(x)`.
    public func callAsFunction(_ x: Tensor) -> Tensor { forward(x) }

    // MARK: reflection

    /// Direct submodules with their names ("ln_1", "h.0"). Override only for containers with custom naming.
    open func namedChildren() -> [(name: String, module: Module)] {
        var out: [(name: String, module: Module)] = []
        forEachProperty { label, value in
            if let m = value as? Module { out.append((label, m)) }
            else if let ms = value as? [Module] { for (i, m) in ms.enumerated() { out.append(("\(label).\(i)", m)) } }
        }
        return out
    }

    /// Parameters held directly by this module (not by submodules), with their names ("weight", "bias").
    open func namedOwnParameters() -> [(name: String, parameter: Tensor)] {
        var out: [(name: String, parameter: Tensor)] = []
        forEachProperty { label, value in
            if let t = value as? Tensor { out.append((label, t)) }
            else if let ts = value as? [Tensor] { for (i, t) in ts.enumerated() { out.append(("\(label).\(i)", t)) } }
        }
        return out
    }

    /// Every stored property of the subclasses (not of Module itself), with lazy-storage labels cleaned up.
    private func forEachProperty(_ body: (String, Any) -> Void) {
        var mirror: Mirror? = Mirror(reflecting: self)
        var levels: [Mirror] = []
        while let m = mirror, m.subjectType != Module.self { levels.append(m); mirror = m.superclassMirror }
        for m in levels.reversed() {                       // superclass properties first, like declaration order
            for child in m.children {
                guard var label = child.label else { continue }
                if child.value is BufferMarker { continue }
                if label.hasPrefix("$__lazy_storage_$_") { label.removeFirst("$__lazy_storage_$_".count) }
                body(label, child.value)
            }
        }
    }

    /// This module and all submodules, depth first, with dotted names ("" for self). Shared modules appear once.
    public func namedModules() -> [(name: String, module: Module)] {
        var seen = Set<ObjectIdentifier>()
        var out: [(name: String, module: Module)] = []
        func visit(_ m: Module, _ prefix: String) {
            guard seen.insert(ObjectIdentifier(m)).inserted else { return }
            out.append((prefix, m))
            for (name, child) in m.namedChildren() { visit(child, prefix.isEmpty ? name : "\(prefix).\(name)") }
        }
        visit(self, "")
        return out
    }

    /// All parameters with dotted names, in declaration order; a tensor shared by two modules (weight tying) is listed
    /// once, under its first name, as PyTorch does.
    public func namedParameters() -> [(name: String, parameter: Tensor)] {
        var seen = Set<ObjectIdentifier>()
        return allNamedTensors().filter { seen.insert(ObjectIdentifier($0.parameter)).inserted }
    }

    /// Every (name, tensor) pair including duplicates from weight tying (what the state dict holds).
    private func allNamedTensors() -> [(name: String, parameter: Tensor)] {
        var out: [(name: String, parameter: Tensor)] = []
        for (prefix, m) in namedModules() {
            for (name, p) in m.namedOwnParameters() { out.append((prefix.isEmpty ? name : "\(prefix).\(name)", p)) }
        }
        return out
    }

    /// All parameters (deduplicated). PyTorch: `model.parameters()`.
    public func parameters() -> [Tensor] { namedParameters().map(\.parameter) }

    /// The parameters with `requiresGrad` (not frozen): what an optimizer for fine-tuning should get.
    public func trainableParameters() -> [Tensor] { parameters().filter(\.requiresGrad) }

    /// Number of scalars in all (deduplicated) parameters. PyTorch: `sum(p.numel() for p in model.parameters())`.
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }

    // MARK: modes and gradients

    /// Training mode (dropout on) for this module and every submodule. PyTorch: `model.train()`.
    public func train(_ mode: Bool = true) { for (_, m) in namedModules() { m.training = mode } }

    /// Evaluation mode (dropout off). PyTorch: `model.eval()`.
    public func eval() { train(false) }

    /// Sets every parameter's gradient to nil. PyTorch: `model.zero_grad(set_to_none=True)`.
    public func zeroGrad() { for p in parameters() { p.zeroGrad() } }

    /// Freezes every parameter (requiresGrad = false), e.g. before adding LoRA adapters or a soft prompt.
    /// PyTorch: `for p in model.parameters(): p.requires_grad_(False)`.
    public func freeze() { for p in parameters() { p.requiresGrad = false } }

    /// Makes every parameter trainable again.
    public func unfreeze() { for p in parameters() { p.requiresGrad = true } }

    // MARK: state dict

    /// Name → parameter tensor (the live tensors, not copies); tied weights appear under both names.
    /// PyTorch: `model.state_dict()`.
    public func stateDict() -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (name, p) in allNamedTensors() { out[name] = p }
        return out
    }

    /// Copies values into the existing parameters (so optimizers and tied weights keep pointing at them).
    /// With `strict`, missing or unexpected names are an error; a shape mismatch always is.
    /// PyTorch: `model.load_state_dict(sd, strict=True)`.
    public func loadStateDict(_ dict: [String: Tensor], strict: Bool = true) throws {
        let own = allNamedTensors()
        if strict {
            let names = Set(own.map(\.name))
            let missing = names.subtracting(dict.keys).sorted()
            let unexpected = Set(dict.keys).subtracting(names).sorted()
            if !missing.isEmpty || !unexpected.isEmpty {
                func list(_ names: [String]) -> String {
                    names.prefix(6).joined(separator: ", ") + (names.count > 6 ? " and \(names.count - 6) more" : "")
                }
                var parts: [String] = []
                if !missing.isEmpty { parts.append("\(missing.count) missing (in the model, not in the state dict): \(list(missing))") }
                if !unexpected.isEmpty { parts.append("\(unexpected.count) unexpected (in the state dict, not in the model): \(list(unexpected))") }
                throw StateDictError("loadStateDict: the names do not match; " + parts.joined(separator: "; "))
            }
        }
        for (name, p) in own {
            guard let src = dict[name] else { continue }
            try copyValues(from: src, into: p, name: name)
        }
    }
}

/// A state dict that does not fit the model (names or shapes).
public struct StateDictError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Copies `src` into `dst` in place (same shape required).
func copyValues(from src: Tensor, into dst: Tensor, name: String) throws {
    guard src.shape == dst.shape else {
        throw StateDictError("loadStateDict: '\(name)' has shape \(src.shape) in the state dict but \(dst.shape) in the model (another config?)")
    }
    let values = src.dtype == .float32 ? src : Tensor(src.scalars, shape: src.shape)
    values.withUnsafeFloats { s, n in dst.withUnsafeMutableFloats { d, _ in d.update(from: s, count: n) } }
}

protocol BufferMarker {}

/// A tensor a module keeps that is not a parameter (a mask, running statistics); skipped by `parameters()` and the
/// state dict. PyTorch: `self.register_buffer("mask", torch.tril(...), persistent=False)`.
///
/// ```swift
/// @Buffer var mask = Tensor.tril(128)
/// ```
@propertyWrapper
public struct Buffer: BufferMarker {
    public var wrappedValue: Tensor
    public init(wrappedValue: Tensor) { self.wrappedValue = wrappedValue }
}
