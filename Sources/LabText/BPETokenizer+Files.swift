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
        let entries = try FlatJSON.parseStringToInt(try readFile(encoderURL), name: encoderURL.path)
        var encoder: [String: Int] = [:]
        for (k, v) in entries {
            if encoder[k] != nil { throw TextError("\(encoderURL.path): token \(k.debugDescription) appears twice") }
            encoder[k] = v
        }
        if encoder.isEmpty { throw TextError("\(encoderURL.path): the vocabulary is empty") }
        let merges = try parseMerges(try readFile(mergesURL), name: mergesURL.path)
        return try BPETokenizer(encoder: encoder, merges: merges, source: "\(encoderURL.lastPathComponent) + \(mergesURL.lastPathComponent)")
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
