import Foundation

/// Character-level tokenizer (slide 30): the sorted distinct characters of a corpus are the vocabulary.
/// Characters are Unicode code points, as in Python (so `"\r\n"` is two ids and the ids equal the slide's).
///
/// ```swift
/// let tok = try CharTokenizer(corpus: text)     // 65 characters for tinyshakespeare
/// let ids = try tok.encode("hii there")         // [46, 47, 47, 1, 58, 46, 43, 56, 43]
/// try tok.decode(ids)                           // "hii there"
/// ```
/// Python: `chars = sorted(list(set(text))); stoi = {ch: i for i, ch in enumerate(chars)}; itos = {i: ch ...}`
public struct CharTokenizer: Tokenizer {
    /// id → character.
    public let itos: [Character]
    /// character → id.
    public let stoi: [Character: Int]
    private let scalarToId: [UInt32: Int]

    /// Builds the vocabulary from a corpus; an empty corpus is an error.
    public init(corpus: String) throws {
        guard !corpus.isEmpty else { throw TextError("CharTokenizer(corpus:): the corpus is empty") }
        self.init(characters: Set(corpus.unicodeScalars).sorted { $0.value < $1.value }.map { Character($0) })
    }

    /// A tokenizer with exactly these characters, in this order.
    public init(characters: [Character]) {
        itos = characters
        var m: [Character: Int] = [:]
        for (i, c) in characters.enumerated() { m[c] = i }
        stoi = m
        var u: [UInt32: Int] = [:]
        for (i, c) in characters.enumerated() where c.unicodeScalars.count == 1 { u[c.unicodeScalars.first!.value] = i }
        scalarToId = u
    }

    public var vocabSize: Int { itos.count }

    /// Throws naming the first character that is not in the vocabulary, and where it is.
    public func encode(_ text: String) throws -> [Int] {
        var ids: [Int] = []
        ids.reserveCapacity(text.utf8.count)
        for (offset, c) in text.unicodeScalars.enumerated() {
            guard let id = scalarToId[c.value] else {
                let shown = "U+" + String(c.value, radix: 16, uppercase: true)
                throw TextError("CharTokenizer.encode: character \(String(c).debugDescription) (\(shown)) at position \(offset) is not in the vocabulary of \(vocabSize) characters")
            }
            ids.append(id)
        }
        return ids
    }

    public func decode(_ ids: [Int]) throws -> String {
        var s = ""
        for id in ids { s.append(itos[try checkedId(id, vocabSize)]) }
        return s
    }

    public func save(to url: URL) throws {
        try writeVocab(VocabFile(type: "char", tokens: itos.map { String($0) }), to: url)
    }

    public static func load(from url: URL) throws -> CharTokenizer {
        let file = try readVocab(url, type: "char")
        guard file.tokens.allSatisfy({ $0.count == 1 }) else { throw TextError("\(url.path): a char vocabulary entry is not one character") }
        return CharTokenizer(characters: file.tokens.map { Character($0) })
    }
}
