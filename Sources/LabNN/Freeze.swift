// Freezing and unfreezing parameters by name or pattern (full fine-tuning, and the base of LoRA / prompt tuning),
// and peft's one-line count of trainable parameters.
import Foundation
import LabTensor

/// A parameter name or module name that matched nothing: the message lists what exists.
public struct FreezeError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension Module {
    /// Sets `requiresGrad` on every parameter whose dotted name (`transformer.h.0.ln_1.weight`) equals one of
    /// `names`, starts with it as a module path (`transformer.h.0` → everything in block 0), ends with "." + it
    /// (`ln_f.weight`), or contains it as whole path components (`c_proj` → attn.c_proj and mlp.c_proj in every
    /// block, as peft's target names). A name that matches nothing throws, listing the parameter names.
    /// Returns the number of parameters (tensors) changed.
    ///
    /// ```swift
    /// model.freeze()                                            // everything
    /// try model.setRequiresGrad(true, names: ["transformer.h.3", "lm_head"])   // train the last block and the head
    /// let optimizer = AdamW(model.trainableParameters(), lr: 1e-4)
    /// ```
    /// PyTorch: `for n, p in model.named_parameters(): if n.startswith("transformer.h.3"): p.requires_grad_(True)`.
    @discardableResult
    public func setRequiresGrad(_ value: Bool, names: [String]) throws -> Int {
        let params = namedParameters()
        var changed = 0
        for entry in names {
            let hits = params.filter { Module.name($0.name, matches: entry) }
            guard !hits.isEmpty else {
                throw FreezeError("no parameter or module named '\(entry)'; parameters are: "
                                  + params.map(\.name).joined(separator: ", "))
            }
            for (_, p) in hits { p.requiresGrad = value; changed += 1 }
        }
        return changed
    }

    /// Sets `requiresGrad` on every parameter whose full name matches the regular expression `pattern`
    /// (a whole-name match, like peft's `re.fullmatch`). No match throws, listing the names.
    ///
    /// ```swift
    /// try model.setRequiresGrad(false, matching: #"transformer\.h\.[0-1]\..*"#)   // freeze blocks 0 and 1
    /// ```
    /// PyTorch: `for n, p in model.named_parameters(): if re.fullmatch(pattern, n): p.requires_grad_(False)`.
    @discardableResult
    public func setRequiresGrad(_ value: Bool, matching pattern: String) throws -> Int {
        let regex: Regex<AnyRegexOutput>
        do { regex = try Regex(pattern) } catch { throw FreezeError("bad pattern '\(pattern)': \(error)") }
        let params = namedParameters()
        let hits = params.filter { (try? regex.wholeMatch(in: $0.name)) != nil }
        guard !hits.isEmpty else {
            throw FreezeError("pattern '\(pattern)' matches no parameter; parameters are: "
                              + params.map(\.name).joined(separator: ", "))
        }
        for (_, p) in hits { p.requiresGrad = value }
        return hits.count
    }

    /// Freezes the parameters named (or under the modules named) in `names`. See `setRequiresGrad(_:names:)`.
    @discardableResult
    public func freeze(_ names: [String]) throws -> Int { try setRequiresGrad(false, names: names) }

    /// Makes the parameters named (or under the modules named) in `names` trainable again.
    @discardableResult
    public func unfreeze(_ names: [String]) throws -> Int { try setRequiresGrad(true, names: names) }

    /// peft's rule for a name list: equal, or ending with "." + entry; for parameters also a module prefix.
    static func name(_ name: String, matches entry: String) -> Bool {
        name == entry || name.hasSuffix("." + entry) || name.hasPrefix(entry + ".") || name.contains("." + entry + ".")
    }

    /// (trainable, all) scalar counts; a tensor shared by two modules (tied wte / lm_head) counts once.
    /// PyTorch (peft): `model.get_nb_trainable_parameters()`.
    public func trainableParameterCounts() -> (trainable: Int, all: Int) {
        let ps = parameters()
        return (ps.filter(\.requiresGrad).reduce(0) { $0 + $1.count }, ps.reduce(0) { $0 + $1.count })
    }

    /// peft's line, character for character: `trainable params: 294,912 || all params: 124,734,720 || trainable%: 0.2364`.
    public func trainableParametersLine() -> String {
        let (t, n) = trainableParameterCounts()
        return "trainable params: \(groupedThousands(t)) || all params: \(groupedThousands(n)) || trainable%: "
            + String(format: "%.4f", n == 0 ? 0 : 100 * Double(t) / Double(n))
    }

    /// Prints `trainableParametersLine()`. PyTorch (peft): `model.print_trainable_parameters()`.
    public func printTrainableParameters() { print(trainableParametersLine()) }
}

/// 1234567 → "1,234,567" (Python's `f"{n:,}"`).
func groupedThousands(_ n: Int) -> String {
    let digits = String(abs(n))
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return n < 0 ? "-" + out : out
}
