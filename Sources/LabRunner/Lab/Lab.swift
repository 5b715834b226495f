// A parsed lab: front matter, cells and the prose between them.

import Foundation

/// The YAML front matter block at the top of a lab.
public struct FrontMatter: Equatable, Sendable, Codable {
    /// The slide number the lab belongs to (`labrun run 22`).
    public var slide: Int
    public var title: String
    /// Default per-cell timeout in seconds for this lab.
    public var timeout: Double?
    /// Data files the lab needs, relative to the data directory (`LABRUN_DATA_DIR`).
    public var data: [String]
}

/// One ```swift cell.
public struct Cell: Equatable, Sendable, Codable {
    /// 0-based position among the lab's swift cells.
    public var index: Int
    /// The line of the opening fence in the Markdown file (1-based).
    public var fenceLine: Int
    /// The cell's source as written (with `//# ` lines).
    public var source: String
    public var options: CellOptions

    /// The Markdown line of the cell's first code line.
    public var firstLine: Int { fenceLine + 1 }
    /// Number of code lines.
    public var lineCount: Int { lines.count }
    var lines: [Substring] {
        var l = source.split(separator: "\n", omittingEmptySubsequences: false)
        if l.last == "" { l.removeLast() }
        return l
    }

    /// The code that runs: `//# ` prefixes removed (line count unchanged, so line numbers stay right).
    public var runnableCode: String {
        lines.map { line -> Substring in
            let t = line.drop { $0 == " " || $0 == "\t" }
            if t.hasPrefix("//# ") { return line.prefix(line.count - t.count) + t.dropFirst(4) }
            if t == "//#" { return "" }
            return line
        }.joined(separator: "\n")
    }

    /// The code shown in reports: `//# ` lines left out.
    public var shownCode: String {
        lines.filter { line in
            let t = line.drop { $0 == " " || $0 == "\t" }
            return !(t.hasPrefix("//# ") || t == "//#")
        }.joined(separator: "\n")
    }

    /// Whether Markdown line `line` is inside this cell's code.
    public func contains(line: Int) -> Bool { line >= firstLine && line < firstLine + lineCount }

    public init(index: Int, fenceLine: Int, source: String, options: CellOptions) {
        self.index = index
        self.fenceLine = fenceLine
        self.source = source
        self.options = options
    }
}

/// A piece of the lab in document order: prose (already rendered to HTML by cmark) or a cell.
public enum LabBlock: Equatable, Sendable {
    case prose(html: String)
    case cell(Int)
}

/// A lab file, parsed.
public struct Lab: Equatable, Sendable {
    /// The path as given.
    public var path: String
    /// A short name for results and reports: the file name without `.md`.
    public var name: String
    public var frontMatter: FrontMatter
    public var cells: [Cell]
    public var blocks: [LabBlock]
    /// Hash of the file's bytes.
    public var contentHash: String

    /// The lab's name: its folder for `Labs/30/lab.md` ("30"), else the file name without `.md`.
    public static func name(forPath path: String) -> String {
        let file = (path as NSString).lastPathComponent
        if file == "lab.md" { return ((path as NSString).deletingLastPathComponent as NSString).lastPathComponent }
        return file.hasSuffix(".md") ? String(file.dropLast(3)) : file
    }

    /// Whether the lab has its own folder (`Labs/<name>/lab.md`), and so may have exercises.
    public var hasFolder: Bool { (path as NSString).lastPathComponent == "lab.md" }

    /// The Swift module of the lab's exercises: `Lab30` for lab "30" (letters, digits and `_` kept).
    public var moduleName: String { Lab.moduleName(forLab: name) }

    public static func moduleName(forLab lab: String) -> String {
        "Lab" + String(lab.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
    }
}
