// The Swift program for a lab: all runnable cells as top-level code in order, each behind a
// `#sourceLocation` pointing at the Markdown file so diagnostics and fatalError lines name the .md line.

/// Generates `main.swift` for a set of cells.
public struct ProgramGenerator {
    public var lab: Lab
    /// The file name diagnostics should show (the lab path relative to the project root).
    public var sourcePath: String
    /// The lab's exercises module (`Lab30`), imported by the program when the lab has one.
    public var exercisesModule: String?

    public init(lab: Lab, sourcePath: String, exercisesModule: String?) {
        self.lab = lab
        self.sourcePath = sourcePath
        self.exercisesModule = exercisesModule
    }

    /// The program running `cells` (indices into `lab.cells`) in order.
    public func source(cells: [Int]) -> String {
        var out = "import LabKit\n"
        if let m = exercisesModule { out += "import \(m)\n" }
        out += "LabChannel.startProgram()\n"
        let file = swiftStringLiteral(sourcePath)
        for i in cells {
            let cell = lab.cells[i]
            out += "LabChannel.beginCell(\(i))\n"
            if cell.options.shouldFail { out += "LabChannel.expectFailure(\(i)) {\n" }
            // Code at column 1 (no indent), so columns in diagnostics match the Markdown file.
            out += "#sourceLocation(file: \(file), line: \(cell.firstLine))\n"
            out += cell.runnableCode + "\n"
            out += "#sourceLocation()\n"
            if cell.options.shouldFail { out += "}\n" }
        }
        out += "LabChannel.endProgram()\n"
        return out
    }
}

/// A Swift string literal for `s`.
func swiftStringLiteral(_ s: String) -> String {
    var out = "\""
    for ch in s.unicodeScalars {
        switch ch {
        case "\\": out += "\\\\"
        case "\"": out += "\\\""
        case "\n": out += "\\n"
        default: out.unicodeScalars.append(ch)
        }
    }
    return out + "\""
}

extension Lab {
    /// Replaces parameter values (papermill style): in the cell marked `parameters`, each `let name = value`
    /// (or `var name: Type = value`) whose name is in `overrides` gets the new value. A string parameter given
    /// without quotes is quoted. Throws for an unknown name or a lab without a parameters cell.
    public func applying(overrides: [(name: String, value: String)]) throws -> Lab {
        guard !overrides.isEmpty else { return self }
        guard let idx = cells.firstIndex(where: { $0.options.parameters }) else {
            throw LabError(path, "--set needs a cell marked `parameters` (```swift parameters) declaring the values")
        }
        var lab = self
        var lines = cells[idx].source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var declared: [String] = []
        for (name, value) in overrides {
            var found = false
            for (j, line) in lines.enumerated() {
                guard let decl = ParameterLine(line) else { continue }
                if !declared.contains(decl.name) { declared.append(decl.name) }
                guard decl.name == name else { continue }
                if let problem = decl.literalProblem(value) {
                    throw LabError(path, line: cells[idx].fenceLine + 1 + j, "--set \(name)=\(value): \(problem)")
                }
                var v = value
                if decl.value.hasPrefix("\""), !v.hasPrefix("\"") { v = swiftStringLiteral(v) }
                lines[j] = decl.prefix + v
                found = true
            }
            if !found {
                throw LabError(path, line: cells[idx].fenceLine, "no parameter '\(name)' in the parameters cell (declared: \(declared.isEmpty ? "none" : declared.joined(separator: ", ")))")
            }
        }
        lab.cells[idx].source = lines.joined(separator: "\n")
        return lab
    }
}

/// `let name: Type = value` split into `prefix` (up to and including `= `), `name`, the declared `type` (if any)
/// and `value`.
struct ParameterLine {
    var prefix: String
    var name: String
    var type: String?
    var value: String

    /// Why `value` cannot be this parameter's new value, for the standard types a parameters cell declares
    /// (`Int`, `Double`, `Float`, `Bool`); nil when it can, or when the type is not one of them (the compiler checks).
    func literalProblem(_ value: String) -> String? {
        let v = value.replacingOccurrences(of: "_", with: "")
        switch type {
        case "Int": return Int(v) == nil ? "\(name) is an Int: give a whole number, e.g. --set \(name)=\(self.value)" : nil
        case "Double", "Float": return Double(v) == nil ? "\(name) is a \(type!): give a number, e.g. --set \(name)=\(self.value)" : nil
        case "Bool": return v != "true" && v != "false" ? "\(name) is a Bool: give true or false" : nil
        default: return nil
        }
    }

    init?(_ line: String) {
        let t = line.drop { $0 == " " || $0 == "\t" }
        guard t.hasPrefix("let ") || t.hasPrefix("var ") else { return nil }
        let afterKeyword = t.dropFirst(4).drop { $0 == " " }
        let name = afterKeyword.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        guard !name.isEmpty, let eq = afterKeyword.firstIndex(of: "=") else { return nil }
        var valueStart = afterKeyword.index(after: eq)
        while valueStart < afterKeyword.endIndex, afterKeyword[valueStart] == " " { valueStart = afterKeyword.index(after: valueStart) }
        self.prefix = String(line[..<valueStart])
        self.name = String(name)
        let annotation = afterKeyword[name.endIndex..<eq].drop { $0 == " " }
        self.type = annotation.hasPrefix(":") ? annotation.dropFirst().trimmingCharacters(in: .whitespaces) : nil
        var value = String(afterKeyword[valueStart...])
        if let c = value.range(of: " //") { value = String(value[..<c.lowerBound]) }
        self.value = value.trimmingCharacters(in: .whitespaces)
    }
}

import Foundation
