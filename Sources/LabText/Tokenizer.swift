import Foundation

/// What every tokenizer does: text → ids → text, a vocabulary size, and save/load.
///
/// ```swift
/// let tok = try BPETokenizer.gpt2()
/// let ids = try tok.encode("Hello world")   // [15496, 995]
/// try tok.decode(ids)                        // "Hello world"
/// ```
/// Python (tiktoken): `enc = tiktoken.get_encoding("gpt2"); enc.encode(s); enc.decode(ids); enc.n_vocab`
public protocol Tokenizer {
    /// Token ids for `text`. Tokenizers that can meet text they cannot represent (characters, words) throw.
    func encode(_ text: String) throws -> [Int]
    /// The text for `ids`; an id outside the vocabulary is an error naming it.
    func decode(_ ids: [Int]) throws -> String
    /// Number of ids (the size of the model's embedding table).
    var vocabSize: Int { get }
    /// Writes the tokenizer to `url` (a JSON file, or a directory for BPE).
    func save(to url: URL) throws
    /// Reads a tokenizer written by `save(to:)`.
    static func load(from url: URL) throws -> Self
}

func checkedId(_ id: Int, _ vocabSize: Int) throws -> Int {
    guard id >= 0 && id < vocabSize else { throw TextError("decode: id \(id) is outside the vocabulary (0..<\(vocabSize))") }
    return id
}

/// The JSON file format of the word and character tokenizers.
struct VocabFile: Codable {
    var type: String
    var tokens: [String]
    var unk: String?
}

func writeVocab(_ file: VocabFile, to url: URL) throws {
    let enc = JSONEncoder()
    enc.outputFormatting = [.sortedKeys]
    try writeFile(url, [UInt8](try enc.encode(file)))
}

func readVocab(_ url: URL, type: String) throws -> VocabFile {
    let bytes = try readFile(url)
    let file: VocabFile
    do { file = try JSONDecoder().decode(VocabFile.self, from: Data(bytes)) }
    catch { throw TextError("\(url.path): not a tokenizer file (invalid or truncated JSON)") }
    guard file.type == type else { throw TextError("\(url.path): a '\(file.type)' tokenizer, expected '\(type)'") }
    return file
}
