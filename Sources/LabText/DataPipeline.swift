import Foundation

/// Slide 27's data pipeline: collect documents from several sources, remove exact duplicates, filter by quality
/// (length bounds, share of letters, repeated lines), tokenize, and count what each step removed.
///
/// ```swift
/// let pipeline = DataPipeline(minCharacters: 20, minLetterRatio: 0.6)
/// pipeline.collect("web", documents: pages)
/// try pipeline.collect(file: "books/hamlet.txt")
/// let result = try pipeline.run(tokenizer: BPETokenizer.gpt2())
/// print(result)        // collected 1,204 → exact duplicates −87 → too short −12 → ... → kept 1,010 (2.1M tokens)
/// ```
/// Python (slide 27): `class DataPipeline: def collect(...); def deduplicate(...); def filter_quality(...); def tokenize(...)`
public final class DataPipeline {
    /// Documents shorter than this many characters are removed.
    public var minCharacters: Int
    /// Documents longer than this many characters are removed.
    public var maxCharacters: Int
    /// Minimum share of letters among the non-whitespace characters.
    public var minLetterRatio: Double
    /// Maximum share of non-empty lines that repeat an earlier line of the same document.
    public var maxRepeatedLineFraction: Double
    /// The collected documents and where each came from.
    public private(set) var documents: [(source: String, text: String)] = []

    public init(minCharacters: Int = 20, maxCharacters: Int = 1_000_000, minLetterRatio: Double = 0.6,
                maxRepeatedLineFraction: Double = 0.3) {
        self.minCharacters = minCharacters
        self.maxCharacters = maxCharacters
        self.minLetterRatio = minLetterRatio
        self.maxRepeatedLineFraction = maxRepeatedLineFraction
    }

    /// Adds documents from a named source.
    public func collect(_ source: String, documents: [String]) {
        self.documents += documents.map { (source, $0) }
    }

    /// Adds a UTF-8 text file as one document (a directory: each `.txt` file in it, sorted by name).
    public func collect(file path: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".txt") }.sorted()
            if names.isEmpty { throw TextError("\(path): no .txt files in this directory") }
            for n in names { try collect(file: (path as NSString).appendingPathComponent(n)) }
            return
        }
        documents.append((path, try readUTF8(URL(fileURLWithPath: path))))
    }

    /// One step's count: how many documents it removed and how many were left.
    public struct Step: Sendable {
        public let name: String
        public let removed: Int
        public let remaining: Int
    }

    /// What `run` kept and what each step removed.
    public struct Result: CustomStringConvertible {
        public let steps: [Step]
        public let documents: [String]
        /// Token ids per kept document.
        public let tokens: [[Int]]
        public var tokenCount: Int { tokens.reduce(0) { $0 + $1.count } }
        public var description: String {
            let width = max(24, (steps.map(\.name.count).max() ?? 0) + 1)
            var lines = ["step".padding(toLength: width, withPad: " ", startingAt: 0) + "  removed   remaining"]
            for s in steps {
                lines.append(s.name.padding(toLength: width, withPad: " ", startingAt: 0)
                             + String(s.removed).leftPadded(9) + String(s.remaining).leftPadded(12))
            }
            lines.append("tokens: \(groupedInteger(Double(tokenCount)))")
            return lines.joined(separator: "\n")
        }
    }

    /// Deduplicates, filters and tokenizes the collected documents.
    public func run(tokenizer: any Tokenizer) throws -> Result {
        guard !documents.isEmpty else { throw TextError("DataPipeline.run: no documents collected (call collect first)") }
        var docs = documents.map(\.text)
        var steps = [Step(name: "collected", removed: 0, remaining: docs.count)]
        func apply(_ name: String, _ keep: (String) -> Bool) {
            let before = docs.count
            docs = docs.filter(keep)
            steps.append(Step(name: name, removed: before - docs.count, remaining: docs.count))
        }
        var seen = Set<String>()
        apply("exact duplicates") { seen.insert($0).inserted }
        apply("too short (< \(minCharacters) chars)") { $0.count >= minCharacters }
        apply("too long (> \(maxCharacters) chars)") { $0.count <= maxCharacters }
        apply("few letters (< \(minLetterRatio))") { Self.letterRatio($0) >= minLetterRatio }
        apply("repeated lines (> \(maxRepeatedLineFraction))") { Self.repeatedLineFraction($0) <= maxRepeatedLineFraction }
        let tokens = try docs.map { try tokenizer.encode($0) }
        return Result(steps: steps, documents: docs, tokens: tokens)
    }

    /// Letters / non-whitespace characters (1 for a document with no such characters).
    public static func letterRatio(_ text: String) -> Double {
        var letters = 0, visible = 0
        for u in text.unicodeScalars where !u.properties.isWhitespace {
            visible += 1
            if u.properties.isAlphabetic { letters += 1 }
        }
        return visible == 0 ? 0 : Double(letters) / Double(visible)
    }

    /// Share of non-empty lines that repeat an earlier line (whitespace-trimmed).
    public static func repeatedLineFraction(_ text: String) -> Double {
        var seen = Set<Substring>(), total = 0, repeated = 0
        for line in text.split(whereSeparator: \.isNewline) {
            let t = line.drop(while: \.isWhitespace)
            if t.isEmpty { continue }
            total += 1
            if !seen.insert(t).inserted { repeated += 1 }
        }
        return total == 0 ? 0 : Double(repeated) / Double(total)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
