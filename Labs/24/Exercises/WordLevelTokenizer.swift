// Lab 24, exercise 1: a word tokenizer whose unknown token is a real, separate id.

/// A word-level tokenizer that fixes the slide's `SimpleTokenizer`: id 0 is reserved for `<UNK>`, so an unknown
/// word becomes `<UNK>` (not the first word of the vocabulary) and decodes as `<UNK>`.
///
/// Words are the slide's `text.lower().split()`: lower-cased, split on whitespace. Known words get ids 1, 2, 3, …
/// in the order they first appear in `texts`.
///
/// ```swift
/// let tok = WordLevelTokenizer(texts: ["the cat sat", "the dog ran"])
/// tok.encode("the bird sat")         // [1, 0, 3]
/// tok.decode(tok.encode("the bird sat"))   // "the <UNK> sat"
/// ```
/// Python:
/// ```python
/// self.vocab = {"<UNK>": 0}
/// for w in words: self.vocab.setdefault(w, len(self.vocab))
/// [self.vocab.get(w, self.vocab["<UNK>"]) for w in text.lower().split()]
/// ```
public struct WordLevelTokenizer {
    /// The unknown token and its id.
    public static let unknown = "<UNK>"
    public static let unknownId = 0

    /// word → id (`<UNK>` is 0).
    public var vocab: [String: Int] = [:]
    /// id → word (`words[0] == "<UNK>"`).
    public var words: [String] = []

    /// The slide's word split: lower-cased, split on whitespace.
    public static func split(_ text: String) -> [String] {
        text.lowercased().split(whereSeparator: { $0.isWhitespace }).map(String.init)
    }

    /// Builds the vocabulary: `<UNK>` first, then every distinct word of `texts` in order of first appearance.
    public init(texts: [String]) {
        // BEGIN EXERCISE 1: WordLevelTokenizer.init
        todo("WordLevelTokenizer.init")
        // END EXERCISE 1
    }

    /// Number of ids, `<UNK>` included.
    public var vocabSize: Int { words.count }

    /// One id per word; a word not in the vocabulary is `unknownId`.
    public func encode(_ text: String) -> [Int] {
        // BEGIN EXERCISE 1: WordLevelTokenizer.encode
        todo("WordLevelTokenizer.encode")
        // END EXERCISE 1
    }

    /// The words of `ids` joined by single spaces (an id outside the vocabulary also decodes as `<UNK>`).
    public func decode(_ ids: [Int]) -> String {
        // BEGIN EXERCISE 1: WordLevelTokenizer.decode
        todo("WordLevelTokenizer.decode")
        // END EXERCISE 1
    }
}
