// Lab 1 exercises: counting words.

/// Counts lower-cased words (split on anything that is not a letter).
public struct WordCounter {
    public init() {}

    /// Word → count.
    public func count(_ text: String) -> [String: Int] {
        todo("WordCounter.count")
    }

    /// The `k` most common words, most common first, ties broken alphabetically.
    public func mostCommon(_ text: String, k: Int) -> [String] {
        todo("WordCounter.mostCommon")
    }
}
