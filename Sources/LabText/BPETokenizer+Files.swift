import Foundation

extension BPETokenizer {
    /// GPT-2's tokenizer from `gpt2/encoder.json` + `gpt2/vocab.bpe` in the data directory (checked against their
    /// SHA-256), downloaded from OpenAI's public URL when missing and a network exists.
    ///
    /// ```swift
    /// let enc = try BPETokenizer.gpt2()
    /// ```
    /// Python: `tiktoken.get_encoding("gpt2")`
    public static func gpt2(dataDir: URL? = nil) throws -> BPETokenizer {
        let encoder = try DataDirectory.locate("gpt2/encoder.json", dataDir: dataDir)
        let merges = try DataDirectory.locate("gpt2/vocab.bpe", dataDir: dataDir)
        return try load(encoder: encoder, merges: merges)
    }

    /// A tokenizer from a vocabulary file (`encoder.json` or Hugging Face's `vocab.json`) and a merges file
    /// (`vocab.bpe` or `merges.txt`). Errors name the file and the line or byte at fault.
    public static func load(encoder encoderURL: URL, merges mergesURL: URL) throws -> BPETokenizer {
        // Works on bytes throughout (no String per token): GPT-2's files load in a few tens of milliseconds.
        let name = encoderURL.path
        var entries: [([UInt8], Int)] = []
        entries.reserveCapacity(60_000)
        var specials: [String: Int] = [:]
        try FlatJSON.parseStringToInt(try readFile(encoderURL), name: name) { key, id in
            guard id >= 0 && id < 10_000_000 else { throw TextError("\(name): id \(id) is out of range") }
            if key == Array("<|endoftext|>".utf8) { specials["<|endoftext|>"] = id; entries.append((key, id)); return }
            guard let b = ByteLevel.bytes(ofSymbolUTF8: key[...]) else {
                throw TextError("\(name): token \(String(decoding: key, as: UTF8.self).debugDescription) (id \(id)) has a character outside GPT-2's byte alphabet")
            }
            entries.append((b, id))
        }
        guard let maxId = entries.map(\.1).max() else { throw TextError("\(name): the vocabulary is empty") }
        var idBytes = [[UInt8]](repeating: [], count: maxId + 1)
        var seen = [Bool](repeating: false, count: maxId + 1)
        for (b, id) in entries {
            guard !seen[id] else { throw TextError("\(name): id \(id) is used twice") }
            seen[id] = true
            idBytes[id] = b
        }
        let lookup = BytesTable(idBytes, skipping: Set(specials.values))
        let mname = mergesURL.path
        let text = try readFile(mergesURL)
        _ = try decodeUTF8(text, name: mname)
        var mergeIds: [(Int32, Int32)] = []
        mergeIds.reserveCapacity(50_000)
        var lineOf: [Int] = []
        lineOf.reserveCapacity(50_000)
        var lineNo = 0, start = 0
        let versionPrefix = Array("#version".utf8)
        while start < text.count {
            var end = start
            while end < text.count && text[end] != 0x0A { end += 1 }
            lineNo += 1
            var line = text[start..<end]
            start = end + 1
            if line.last == 0x0D { line = line.dropLast() }
            if lineNo == 1 && line.starts(with: versionPrefix) { continue }
            let parts = line.split(separator: 0x20, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw TextError("\(mname) line \(lineNo): expected two symbols separated by one space, got \(String(decoding: line, as: UTF8.self).debugDescription)")
            }
            var ids: [Int32] = []
            for part in parts {
                guard let b = ByteLevel.bytes(ofSymbolUTF8: part), let id = lookup.find(b) else {
                    throw TextError("\(mname) line \(lineNo): \(String(decoding: part, as: UTF8.self).debugDescription) is not in the vocabulary (\(encoderURL.lastPathComponent))")
                }
                ids.append(id)
            }
            mergeIds.append((ids[0], ids[1]))
            lineOf.append(lineNo)
        }
        return try BPETokenizer(idBytes: idBytes, mergeIds: mergeIds, specialTokens: specials, source: mname,
                                mergeLine: { "\(mname) line \(lineOf[$0])" })
    }

    static func parseMerges(_ bytes: [UInt8], name: String) throws -> [(String, String)] {
        let text = try decodeUTF8(bytes, name: name)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        var merges: [(String, String)] = []
        merges.reserveCapacity(lines.count)
        for (i, raw) in lines.enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if i == 0 && line.hasPrefix("#version") { continue }
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw TextError("\(name) line \(i + 1): expected two symbols separated by one space, got \(String(line).debugDescription)")
            }
            merges.append((String(parts[0]), String(parts[1])))
        }
        return merges
    }

    /// Reads a tokenizer directory: `vocab.json` + `merges.txt` (what `save(to:)` writes, Hugging Face's names) or
    /// `encoder.json` + `vocab.bpe` (OpenAI's names).
    public static func load(from directory: URL) throws -> BPETokenizer {
        let fm = FileManager.default
        for (v, m) in [("vocab.json", "merges.txt"), ("encoder.json", "vocab.bpe")] {
            let vu = directory.appendingPathComponent(v), mu = directory.appendingPathComponent(m)
            if fm.fileExists(atPath: vu.path) || fm.fileExists(atPath: mu.path) { return try load(encoder: vu, merges: mu) }
        }
        throw TextError("\(directory.path): no vocab.json + merges.txt (or encoder.json + vocab.bpe) in this directory")
    }

    /// Writes `vocab.json` and `merges.txt` (Hugging Face's format, same content as GPT-2's files) into `directory`.
    public func save(to directory: URL) throws {
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let entries = encoder.sorted { $0.value < $1.value }.map { ($0.key, $0.value) }
        try writeFile(directory.appendingPathComponent("vocab.json"), Array(FlatJSON.write(entries).utf8))
        var m = "#version: 0.2\n"
        for (a, b) in merges { m += a + " " + b + "\n" }
        try writeFile(directory.appendingPathComponent("merges.txt"), Array(m.utf8))
    }
}
