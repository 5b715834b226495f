// Reads a lab file: YAML front matter (Yams), then Markdown (cmark's C API) for cells and prose.

import Ccmark
import Foundation
import Yams

extension Lab {
    /// Reads and parses the lab at `path`. Every problem is a `LabError` naming the file and line.
    public static func load(path: String) throws -> Lab {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw LabError(path, "no such file")
        }
        guard !isDir.boolValue else { throw LabError(path, "is a directory, not a lab file (a .md file)") }
        guard let data = FileManager.default.contents(atPath: path) else { throw LabError(path, "cannot read the file") }
        return try parse(bytes: [UInt8](data), path: path)
    }

    /// Parses lab text; `path` is used in messages and as the lab's name.
    public static func parse(bytes: [UInt8], path: String) throws -> Lab {
        if let nul = bytes.firstIndex(of: 0) {
            throw LabError(path, line: lineOf(offset: nul, in: bytes), "binary data (a NUL byte): not a Markdown lab file")
        }
        guard let text = String(validatingUTF8Bytes: bytes) else {
            throw LabError(path, "not valid UTF-8 text: not a Markdown lab file")
        }
        let (frontMatter, body) = try parseFrontMatter(text, path: path)
        let (cells, blocks) = try parseMarkdown(body, path: path)
        guard !cells.isEmpty else {
            throw LabError(path, "no ```swift cells: a lab needs at least one fenced swift code block")
        }
        let name = Lab.name(forPath: path)
        return Lab(path: path, name: name, frontMatter: frontMatter, cells: cells, blocks: blocks,
                   contentHash: ContentHash.of(bytes))
    }

    static func lineOf(offset: Int, in bytes: [UInt8]) -> Int {
        bytes[..<offset].reduce(1) { $0 + ($1 == 10 ? 1 : 0) }
    }

    static let frontMatterKeys = ["slide", "title", "timeout", "data"]

    /// Splits off the `---` block; the body keeps the same line numbers (front matter lines become blank).
    static func parseFrontMatter(_ text: String, path: String) throws -> (FrontMatter, String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first?.trimmingCharacters(in: .whitespaces) == "---" else {
            throw LabError(path, line: 1, "missing front matter: start the file with a '---' block holding at least 'slide:' and 'title:'")
        }
        guard let end = lines.indices.dropFirst().first(where: {
            let l = lines[$0].trimmingCharacters(in: .whitespaces)
            return l == "---" || l == "..."
        }) else {
            throw LabError(path, line: 1, "front matter is not closed: add a '---' line after it")
        }
        let yaml = lines[1..<end].joined(separator: "\n")
        let loaded: Any?
        do {
            loaded = try Yams.load(yaml: yaml)
        } catch let error as YamlError {
            let (line, problem) = describe(error)
            // Yams counts lines from 1 within the block (which starts on file line 2); errors at the end of
            // input point past the block, so clamp to its last line.
            throw LabError(path, line: line.map { min($0 + 1, end) }, "malformed front matter: \(problem)")
        } catch {
            throw LabError(path, line: 2, "malformed front matter: \(error)")
        }
        guard let dict = loaded as? [String: Any] else {
            throw LabError(path, line: 2, "malformed front matter: expected 'key: value' lines (slide, title, ...)")
        }
        func lineOfKey(_ key: String) -> Int {
            for i in 1..<end where lines[i].hasPrefix("\(key):") { return i + 1 }
            return 2
        }
        for key in dict.keys.sorted() where !frontMatterKeys.contains(key) {
            throw LabError(path, line: lineOfKey(key),
                           "unknown front matter key '\(key)' (known: \(frontMatterKeys.joined(separator: ", ")))")
        }
        guard let slide = dict["slide"] as? Int else {
            throw LabError(path, line: lineOfKey("slide"), dict["slide"] == nil
                ? "front matter needs 'slide: <number>'" : "front matter 'slide' must be a whole number")
        }
        guard let titleValue = dict["title"], !(titleValue is [Any]), !(titleValue is [String: Any]) else {
            throw LabError(path, line: lineOfKey("title"), "front matter needs 'title: <text>'")
        }
        var timeout: Double? = nil
        if let t = dict["timeout"] {
            guard let v = (t as? Double) ?? (t as? Int).map(Double.init), v > 0 else {
                throw LabError(path, line: lineOfKey("timeout"), "front matter 'timeout' must be a number of seconds")
            }
            timeout = v
        }
        var data: [String] = []
        if let d = dict["data"] {
            if let s = d as? String { data = [s] } else if let a = d as? [Any], a.allSatisfy({ $0 is String }) {
                data = a as! [String]
            } else {
                throw LabError(path, line: lineOfKey("data"), "front matter 'data' must be a file name or a list of file names")
            }
        }
        let fm = FrontMatter(slide: slide, title: "\(titleValue)", timeout: timeout, data: data)
        var body = Array(repeating: "", count: end + 1)
        body += lines[(end + 1)...].map(String.init)
        return (fm, body.joined(separator: "\n"))
    }

    static func describe(_ error: YamlError) -> (Int?, String) {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
            return (mark.line, problem)
        case .composer(_, let problem, let mark, _):
            return (mark.line, problem)
        case .reader(let problem, _, let offset, _):
            return (nil, "\(problem) at byte \(offset)")
        default:
            return (nil, "\(error)".split(separator: "\n").first.map(String.init) ?? "invalid YAML")
        }
    }

    /// Walks the cmark tree: top-level ```swift blocks become cells, everything else is rendered as prose.
    static func parseMarkdown(_ body: String, path: String) throws -> ([Cell], [LabBlock]) {
        let doc: OpaquePointer = body.withCString {
            cmark_parse_document($0, body.utf8.count, CMARK_OPT_SMART | CMARK_OPT_VALIDATE_UTF8)
        }
        defer { cmark_node_free(doc) }
        var cells: [Cell] = []
        var blocks: [LabBlock] = []
        var prose = ""
        let sourceLines = body.split(separator: "\n", omittingEmptySubsequences: false)
        var node = cmark_node_first_child(doc)
        while let n = node {
            if cmark_node_get_type(n) == CMARK_NODE_CODE_BLOCK, let (language, words) = fenceInfo(n), language == "swift" {
                if !prose.isEmpty { blocks.append(.prose(html: prose)); prose = "" }
                let line = Int(cmark_node_get_start_line(n))
                let options = try CellOptions.parse(words, file: path, line: line)
                let code = cmark_node_get_literal(n).map { String(cString: $0) } ?? ""
                blocks.append(.cell(cells.count))
                cells.append(Cell(index: cells.count, fenceLine: line, source: code, options: options))
            } else {
                try rejectNestedCells(in: n, path: path)
                let first = Int(cmark_node_get_start_line(n)), last = Int(cmark_node_get_end_line(n))
                if cmark_node_get_type(n) == CMARK_NODE_PARAGRAPH, first >= 1, last <= sourceLines.count,
                   let table = PipeTable.html(Array(sourceLines[(first - 1)..<last])) {
                    prose += table
                } else if let html = cmark_render_html(n, CMARK_OPT_UNSAFE) {
                    prose += String(cString: html)
                    free(html)
                }
            }
            node = cmark_node_next(n)
        }
        if !prose.isEmpty { blocks.append(.prose(html: prose)) }
        return (cells, blocks)
    }

    /// The language word and the option words of a fenced code block's info string.
    static func fenceInfo(_ node: OpaquePointer) -> (String, [Substring])? {
        // An indented code block has no info string, so it never counts as a swift cell.
        let info = cmark_node_get_fence_info(node).map { String(cString: $0) } ?? ""
        let words = info.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" })
        guard let first = words.first else { return nil }
        return (String(first), Array(words.dropFirst()))
    }

    static func rejectNestedCells(in root: OpaquePointer, path: String) throws {
        let iter = cmark_iter_new(root)
        defer { cmark_iter_free(iter) }
        var ev = cmark_iter_next(iter)
        while ev != CMARK_EVENT_DONE {
            let n = cmark_iter_get_node(iter)!
            if ev == CMARK_EVENT_ENTER, n != root, cmark_node_get_type(n) == CMARK_NODE_CODE_BLOCK,
               let (language, _) = fenceInfo(n), language == "swift" {
                throw LabError(path, line: Int(cmark_node_get_start_line(n)),
                               "a ```swift cell inside a list or quote: move it to the top level (no indentation)")
            }
            ev = cmark_iter_next(iter)
        }
    }
}

extension String {
    /// Decodes UTF-8, returning nil for invalid bytes.
    init?(validatingUTF8Bytes bytes: [UInt8]) {
        var it = bytes.makeIterator()
        var utf8 = UTF8()
        var out = String.UnicodeScalarView()
        loop: while true {
            switch utf8.decode(&it) {
            case .scalarValue(let s): out.append(s)
            case .emptyInput: break loop
            case .error: return nil
            }
        }
        self = String(out)
    }
}
