// LoRA (Hu et al. 2021) as Hugging Face peft does it: y = W x + b + s · B A dropout(x), s = alpha / r
// (alpha / √r with rsLoRA), A kaiming-uniform (r, in), B zeros (out, r), base weights frozen, dropout only on the
// adapter's input. See ../shared/notes/finetuning.md §2 for what peft 0.21.2 does, measured.
import Foundation
import LabTensor

/// Which Linear layers get an adapter: a list of names (a module matches when its full name equals an entry or
/// ends with "." + entry, as peft), a regular expression over full module names (whole match), or every Linear
/// except the output layer `lm_head`. `q_proj`, `k_proj`, `v_proj` are aliases for the q, k and v column slices of
/// GPT-2's fused `c_attn` (one A and B per slice; peft cannot do this on GPT-2).
///
/// ```swift
/// let a: LoraTargetModules = ["c_attn"]             // peft's GPT-2 default
/// let b: LoraTargetModules = ["q_proj", "v_proj"]   // the slide's config, on slices of c_attn
/// let c = LoraTargetModules.regex(#".*\.h\.[0-1]\.attn\.c_attn"#)
/// ```
/// PyTorch (peft): `target_modules=["c_attn"]`, `target_modules=r".*\.h\.[0-1]\.attn\.c_attn"`, `"all-linear"`.
public enum LoraTargetModules: Equatable, Sendable, ExpressibleByArrayLiteral {
    case names([String])
    case regex(String)
    case allLinear

    public init(arrayLiteral elements: String...) { self = .names(elements) }

    /// What adapter_config.json stores (`target_modules`).
    var jsonValue: Any {
        switch self {
        case .names(let n): return n
        case .regex(let r): return r
        case .allLinear: return "all-linear"
        }
    }
}

/// LoRA hyperparameters; defaults as peft's `LoraConfig()` except `targetModules` (peft picks `c_attn` for GPT-2).
///
/// ```swift
/// let config = LoraConfig(r: 8, alpha: 32, targetModules: ["c_attn"], dropout: 0.05)
/// ```
/// PyTorch (peft): `LoraConfig(r=8, lora_alpha=32, target_modules=["c_attn"], lora_dropout=0.05)`.
public struct LoraConfig: Equatable, Sendable {
    public var r: Int
    public var alpha: Float
    public var targetModules: LoraTargetModules
    public var dropout: Float
    /// Scale by alpha/√r instead of alpha/r (Kalajdzievski 2023). PyTorch (peft): `use_rslora=True`.
    public var useRslora: Bool
    /// true: A kaiming-uniform, B zeros (an identity at start); false: both random (peft's testing option).
    public var initLoraWeights: Bool

    public init(r: Int = 8, alpha: Float = 8, targetModules: LoraTargetModules = ["c_attn"], dropout: Float = 0,
                useRslora: Bool = false, initLoraWeights: Bool = true) {
        guard r > 0 else { fatalError("LoraConfig: r must be positive, got \(r)") }
        guard dropout >= 0 && dropout < 1 else { fatalError("LoraConfig: dropout must be in [0, 1), got \(dropout)") }
        self.r = r
        self.alpha = alpha
        self.targetModules = targetModules
        self.dropout = dropout
        self.useRslora = useRslora
        self.initLoraWeights = initLoraWeights
    }

    /// s in y = W x + s · B A x: alpha / r, or alpha / √r with rsLoRA. PyTorch (peft): `layer.scaling["default"]`.
    public var scaling: Float { useRslora ? alpha / Float(r).squareRoot() : alpha / Float(r) }
}

/// A Linear target, or a q/k/v slice of a fused c_attn, that matched nothing or cannot be wrapped.
public struct LoraError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// One LoRA pair on the output rows `rows` of a Linear: `lora_A` (r, in) and `lora_B` (rows.count, r).
public final class LoraPair: Module {
    public var lora_A: Linear      // weight (r, in)
    public var lora_B: Linear      // weight (out, r)
    /// The output rows of the base layer this pair adds to (all rows, or the q/k/v slice of c_attn).
    public let rows: Range<Int>

    init(inFeatures: Int, rows: Range<Int>, r: Int, initLoraWeights: Bool) {
        let bound = 1 / Float(inFeatures).squareRoot()    // kaiming_uniform_(a=√5) on (r, in) = U(±1/√in)
        lora_A = Linear(weight: uniformParameter([r, inFeatures], bound: bound))
        lora_B = initLoraWeights ? Linear(weight: Tensor.zeros([rows.count, r], requiresGrad: true))
                                 : Linear(weight: uniformParameter([rows.count, r], bound: 1 / Float(r).squareRoot()))
        self.rows = rows
        super.init()
    }

    /// B A (out, in): the low-rank update before scaling. PyTorch (peft): `lora_B.weight @ lora_A.weight`.
    public var product: Tensor { noGrad { matmul(lora_B.weight, lora_A.weight) } }
}

/// The adapter a wrapped Linear carries: one `LoraPair` over all its outputs (peft), or one per q/k/v slice of a
/// fused c_attn, plus the dropout on the adapter's input. Its parameters appear under the Linear's name:
/// `...c_attn.lora_A.weight` (peft's names), or `...c_attn.q_proj.lora_A.weight` for a slice.
public final class LoraLayer: Module {
    /// Pairs with their slice names (nil: the whole layer).
    public let pairs: [(name: String?, pair: LoraPair)]
    public var lora_dropout: Dropout
    public let scaling: Float
    /// True after `merge()`: the update is in the base weight and the forward skips the adapter.
    public internal(set) var merged = false
    let outFeatures: Int

    init(pairs: [(name: String?, pair: LoraPair)], dropout: Float, scaling: Float, outFeatures: Int) {
        self.pairs = pairs
        lora_dropout = Dropout(dropout)
        self.scaling = scaling
        self.outFeatures = outFeatures
        super.init()
    }

    public override func namedChildren() -> [(name: String, module: Module)] {
        var out: [(name: String, module: Module)] = []
        for (name, pair) in pairs {
            if let name { out.append((name, pair)) } else { out += pair.namedChildren() }
        }
        out.append(("lora_dropout", lora_dropout))
        return out
    }

    public override func namedOwnParameters() -> [(name: String, parameter: Tensor)] { [] }

    /// s · B A dropout(x) over the layer's full output width (zeros in slices without a pair).
    /// x (..., in) -> (..., out).
    public override func forward(_ x: Tensor) -> Tensor {
        let xd = lora_dropout(x)                                                 // (..., in), dropout on this branch only
        if pairs.count == 1, pairs[0].pair.rows == 0..<outFeatures {
            let p = pairs[0].pair
            return p.lora_B(p.lora_A(xd)) * scaling                              // (..., out)
        }
        let lead = Array(x.shape.dropLast())
        var pieces: [Tensor] = []
        var next = 0
        for (_, p) in pairs.sorted(by: { $0.pair.rows.lowerBound < $1.pair.rows.lowerBound }) {
            if p.rows.lowerBound > next { pieces.append(Tensor.zeros(lead + [p.rows.lowerBound - next])) }
            pieces.append(p.lora_B(p.lora_A(xd)))                                // (..., slice)
            next = p.rows.upperBound
        }
        if next < outFeatures { pieces.append(Tensor.zeros(lead + [outFeatures - next])) }
        return cat(pieces, dim: -1) * scaling                                    // (..., out)
    }

    /// s · B A placed in the rows it updates: (out, in). PyTorch (peft): `get_delta_weight("default")`.
    public func deltaWeight(inFeatures: Int) -> Tensor {
        noGrad {
            var d = [Float](repeating: 0, count: outFeatures * inFeatures)
            for (_, p) in pairs {
                let ba = p.product.scalars                                       // (rows, in)
                for (i, row) in p.rows.enumerated() {
                    for j in 0..<inFeatures { d[row * inFeatures + j] = scaling * ba[i * inFeatures + j] }
                }
            }
            return Tensor(d, shape: [outFeatures, inFeatures])
        }
    }
}

extension Linear {
    /// W += s·BA (in place: optimizers and tied references keep the same tensor); the forward then skips the adapter.
    func mergeLora() {
        guard let lora, !lora.merged else { return }
        addToWeight(lora.deltaWeight(inFeatures: inFeatures), sign: 1)
        lora.merged = true
    }

    /// W -= s·BA, undoing `mergeLora()`.
    func unmergeLora() {
        guard let lora, lora.merged else { return }
        addToWeight(lora.deltaWeight(inFeatures: inFeatures), sign: -1)
        lora.merged = false
    }

    private func addToWeight(_ delta: Tensor, sign: Float) {
        delta.withUnsafeFloats { d, n in weight.withUnsafeMutableFloats { w, _ in for i in 0..<n { w[i] += sign * d[i] } } }
    }
}

/// A model whose target Linear layers carry LoRA adapters, with every base parameter frozen (peft's `PeftModel`).
/// The wrapping is in place: `model` is the same object that was passed to `getPeftModel`.
///
/// ```swift
/// let peft = try getPeftModel(model, LoraConfig(r: 8, alpha: 32, targetModules: ["c_attn"]))
/// peft.printTrainableParameters()   // trainable params: 294,912 || all params: 124,734,720 || trainable%: 0.2364
/// let optimizer = AdamW(peft.trainableParameters(), lr: 1e-3)
/// let (_, loss) = peft(xb, yb)
/// ```
/// PyTorch (peft): `peft_model = get_peft_model(model, config)`.
public final class PeftModel<Base: Module>: Module {
    public let model: Base
    public let config: LoraConfig
    /// The wrapped layers: full module name, target ("c_attn", "q_proj", ...) and the Linear.
    public let wrapped: [(name: String, targets: [String], layer: Linear)]

    init(model: Base, config: LoraConfig, wrapped: [(name: String, targets: [String], layer: Linear)]) {
        self.model = model
        self.config = config
        self.wrapped = wrapped
        super.init()
    }

    public override func namedChildren() -> [(name: String, module: Module)] { [("model", model)] }

    public override func forward(_ x: Tensor) -> Tensor { model(x) }

    /// Adds s·BA into every wrapped base weight (the forward is then the base layers alone).
    /// PyTorch (peft): `peft_model.merge_adapter()`.
    public func merge() { for w in wrapped { w.layer.mergeLora() } }

    /// Subtracts the merged update again. PyTorch (peft): `peft_model.unmerge_adapter()`.
    public func unmerge() { for w in wrapped { w.layer.unmergeLora() } }

    /// Merges and removes the adapters; returns the plain model (its base parameters stay frozen).
    /// PyTorch (peft): `model = peft_model.merge_and_unload()`.
    public func mergeAndUnload() -> Base {
        for w in wrapped { w.layer.mergeLora(); w.layer.lora = nil }
        return model
    }

    /// One row per adapter pair: module, target, A and B shapes, trainable scalars; and a total line.
    ///
    /// ```swift
    /// print(peft.wrappedModulesTable())
    /// ```
    public func wrappedModulesTable() -> String {
        var rows: [[String]] = [["module", "target", "rows", "lora_A", "lora_B", "params"]]
        var total = 0
        for w in wrapped {
            guard let lora = w.layer.lora else { continue }
            for (i, (name, p)) in lora.pairs.enumerated() {
                let n = p.lora_A.weight.count + p.lora_B.weight.count
                total += n
                rows.append([w.name, name ?? w.targets[min(i, w.targets.count - 1)],
                             "\(p.rows.lowerBound)..<\(p.rows.upperBound)",
                             "\(p.lora_A.weight.shape)", "\(p.lora_B.weight.shape)", groupedThousands(n)])
            }
        }
        rows.append(["total (\(wrapped.count) layers)", "", "", "", "", groupedThousands(total)])
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max()! }
        return rows.map { r in
            r.enumerated().map { c, s in
                c == r.count - 1 ? String(repeating: " ", count: widths[c] - s.count) + s
                                 : s + String(repeating: " ", count: widths[c] - s.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

extension PeftModel where Base == GPT {
    /// `let (logits, loss) = peft(xb, yb)`.
    public func callAsFunction(_ idx: Tensor, _ targets: Tensor) -> (logits: Tensor, loss: Tensor?) {
        model.forward(idx, targets: targets)
    }
}

/// The q, k, v aliases and which third of a fused c_attn's rows each names.
let qkvAliases = ["q_proj": 0, "k_proj": 1, "v_proj": 2]

/// Wraps the Linear layers named by `config.targetModules` with LoRA adapters (in place) and freezes every base
/// parameter (embeddings, LayerNorms, biases: peft's `bias="none"`). Throws when an entry matches nothing (the
/// message lists the names that can be targeted), when c_attn and a q/k/v alias are both given, or when a layer
/// already has an adapter.
///
/// ```swift
/// let peft = try getPeftModel(model, LoraConfig(r: 8, alpha: 16, targetModules: ["q_proj", "v_proj"]))
/// print(peft.wrappedModulesTable())
/// ```
/// PyTorch (peft): `get_peft_model(model, LoraConfig(r=8, lora_alpha=16, target_modules=["c_attn"]))`.
public func getPeftModel<M: Module>(_ model: M, _ config: LoraConfig) throws -> PeftModel<M> {
    let linears = model.namedModules().compactMap { (name, m) -> (String, Linear)? in
        guard let l = m as? Linear, !name.isEmpty, !name.split(separator: ".").contains(where: { $0.hasPrefix("lora_") })
        else { return nil }
        return (name, l)
    }
    // Per module: the q/k/v slices wanted (empty: the whole layer).
    var plan: [(name: String, layer: Linear, slices: [Int], targets: [String])] = []
    func add(_ name: String, _ layer: Linear, slice: Int?, target: String) throws {
        if let i = plan.firstIndex(where: { $0.layer === layer }) {
            if let slice, !plan[i].slices.isEmpty {
                if !plan[i].slices.contains(slice) { plan[i].slices.append(slice); plan[i].targets.append(target) }
            } else if (slice == nil) != plan[i].slices.isEmpty {
                throw LoraError("'\(name)' is targeted both whole and through a q/k/v alias (\(plan[i].targets + [target])); pick one")
            }
        } else {
            plan.append((name, layer, slice.map { [$0] } ?? [], [target]))
        }
    }
    func fusedQKV(_ name: String, _ l: Linear) -> Bool {
        (name == "c_attn" || name.hasSuffix(".c_attn")) && l.outFeatures % 3 == 0
    }
    func aliasName(_ name: String, _ alias: String) -> String { String(name.dropLast("c_attn".count)) + alias }
    func candidates() -> String {
        let leaves = Set(linears.map { String($0.0.split(separator: ".").last!) })
        let aliases = linears.contains { fusedQKV($0.0, $0.1) } ? qkvAliases.keys.sorted() : []
        return "targetable names: " + (leaves.sorted() + aliases).joined(separator: ", ")
            + " (full names such as " + linears.prefix(3).map(\.0).joined(separator: ", ") + ")"
    }

    switch config.targetModules {
    case .names(let entries):
        guard !entries.isEmpty else { throw LoraError("targetModules is empty; \(candidates())") }
        for entry in entries {
            var hit = false
            for (name, l) in linears {
                if name == entry || name.hasSuffix("." + entry) { try add(name, l, slice: nil, target: entry); hit = true }
                if fusedQKV(name, l) {
                    for (alias, i) in qkvAliases {
                        let a = aliasName(name, alias)
                        if a == entry || a.hasSuffix("." + entry) { try add(name, l, slice: i, target: alias); hit = true }
                    }
                }
            }
            guard hit else { throw LoraError("target module '\(entry)' matches no Linear layer; \(candidates())") }
        }
    case .regex(let pattern):
        let regex: Regex<AnyRegexOutput>
        do { regex = try Regex(pattern) } catch { throw LoraError("bad targetModules pattern '\(pattern)': \(error)") }
        for (name, l) in linears where (try? regex.wholeMatch(in: name)) != nil { try add(name, l, slice: nil, target: name) }
        guard !plan.isEmpty else { throw LoraError("pattern '\(pattern)' matches no Linear layer; \(candidates())") }
    case .allLinear:
        for (name, l) in linears where name != "lm_head" && !name.hasSuffix(".lm_head") {
            try add(name, l, slice: nil, target: String(name.split(separator: ".").last!))
        }
    }
    for p in plan where p.layer.lora != nil {
        throw LoraError("'\(p.name)' already has a LoRA adapter (call getPeftModel once, or mergeAndUnload() first)")
    }

    model.freeze()
    var wrapped: [(name: String, targets: [String], layer: Linear)] = []
    for p in plan.sorted(by: { a, b in linears.firstIndex { $0.1 === a.layer }! < linears.firstIndex { $0.1 === b.layer }! }) {
        let l = p.layer
        let pairs: [(name: String?, pair: LoraPair)]
        if p.slices.isEmpty {
            pairs = [(nil, LoraPair(inFeatures: l.inFeatures, rows: 0..<l.outFeatures, r: config.r,
                                    initLoraWeights: config.initLoraWeights))]
        } else {
            let c = l.outFeatures / 3
            pairs = p.slices.sorted().map { i in
                (qkvAliases.first { $0.value == i }!.key,
                 LoraPair(inFeatures: l.inFeatures, rows: (i * c)..<((i + 1) * c), r: config.r,
                          initLoraWeights: config.initLoraWeights))
            }
        }
        l.lora = LoraLayer(pairs: pairs, dropout: config.dropout, scaling: config.scaling, outFeatures: l.outFeatures)
        l.lora!.train(model.training)
        wrapped.append((p.name, p.targets.sorted(), l))
    }
    return PeftModel(model: model, config: config, wrapped: wrapped)
}
