// Lab 1 exercises: counting words.

/// Counts lower-cased words (split on anything that is not a letter).
public struct WordCounter {
    public init() {}

    /// Word → count.
    public func count(_ text: String) -> [String: Int] {
        // BEGIN EXERCISE 2a: WordCounter.count
        todo("WordCounter.count")
        // END EXERCISE 2a
    }

    /// The `k` most common words, most common first, ties broken alphabetically.
    public func mostCommon(_ text: String, k: Int) -> [String] {
        // BEGIN EXERCISE 2b: WordCounter.mostCommon
        todo("WordCounter.mostCommon")
        // END EXERCISE 2b
    }
}
