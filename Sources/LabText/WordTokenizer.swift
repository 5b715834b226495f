import Foundation

/// Word-level tokenizer (slide 24's `SimpleTokenizer`): lower-cased whitespace-separated words, ids by first
/// appearance after the reserved `<unk>` (id 0).
///
/// Unknown words map to `<unk>`, a real id no word uses. The slide's version maps them to 0, which is also the id of
/// its first word, so `decode(encode(text))` silently replaces every unknown word by that word. That behaviour is kept
/// behind `unknownAsFirstWord: true` as the lesson: an id must mean one thing.
///
/// ```swift
/// let tok = try WordTokenizer(texts: ["the cat sat", "the dog ran"])
/// try tok.encode("the bird sat")   // [1, 0, 3]   (0 is <unk>)
/// try tok.decode([1, 0, 3])        // "the <unk> sat"
/// ```
/// Python (slide 24): `self.vocab = {word: i for i, word in enumerate(set(words))}; [self.vocab.get(w, 0) for w in text.split()]`
public struct WordTokenizer: Tokenizer {
    public static let unk = "<unk>"
    /// id → word; `<unk>` is id 0 unless `unknownAsFirstWord`.
    public let itos: [String]
    public let stoi: [String: Int]
    /// The slide's bug, kept as the lesson: unknown words become id 0, which is a real word.
    public let unknownAsFirstWord: Bool

    /// Builds the vocabulary from texts.
    public init(texts: [String], unknownAsFirstWord: Bool = false) throws {
        var words: [String] = unknownAsFirstWord ? [] : [Self.unk]
        var seen = Set(words)
        for t in texts { for w in Self.split(t) where seen.insert(w).inserted { words.append(w) } }
        guard words.count > (unknownAsFirstWord ? 0 : 1) else { throw TextError("WordTokenizer(texts:): the texts contain no words") }
        self.init(words: words, unknownAsFirstWord: unknownAsFirstWord)
    }

    init(words: [String], unknownAsFirstWord: Bool) {
        itos = words
        var m: [String: Int] = [:]
        for (i, w) in words.enumerated() where m[w] == nil { m[w] = i }
        stoi = m
        self.unknownAsFirstWord = unknownAsFirstWord
    }

    /// Lower-case, split on whitespace (the slide's `text.lower().split()`).
    public static func split(_ text: String) -> [String] {
        text.lowercased().split(whereSeparator: { $0.isWhitespace }).map(String.init)
    }

    public var vocabSize: Int { itos.count }
    /// The id unknown words get.
    public var unkId: Int { 0 }

    public func encode(_ text: String) -> [Int] { Self.split(text).map { stoi[$0] ?? unkId } }

    /// Words joined by single spaces.
    public func decode(_ ids: [Int]) throws -> String {
        try ids.map { itos[try checkedId($0, vocabSize)] }.joined(separator: " ")
    }

    public func save(to url: URL) throws {
        try writeVocab(VocabFile(type: "word", tokens: itos, unk: unknownAsFirstWord ? nil : Self.unk), to: url)
    }

    public static func load(from url: URL) throws -> WordTokenizer {
        let file = try readVocab(url, type: "word")
        if file.unk != nil && file.tokens.first != Self.unk { throw TextError("\(url.path): id 0 must be <unk>") }
        return WordTokenizer(words: file.tokens, unknownAsFirstWord: file.unk == nil)
    }
}
