// Lab 1 exercises: counting words.

/// Counts lower-cased words (split on anything that is not a letter).
public struct WordCounter {
    public init() {}

    /// Word → count.
    public func count(_ text: String) -> [String: Int] {
        // BEGIN SOLUTION
        var counts: [String: Int] = [:]
        for word in text.lowercased().split(whereSeparator: { !$0.isLetter }) {
            counts[String(word), default: 0] += 1
        }
        return counts
        // END SOLUTION
    }

    /// The `k` most common words, most common first, ties broken alphabetically.
    public func mostCommon(_ text: String, k: Int) -> [String] {
        // BEGIN SOLUTION
        let sorted = count(text).sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        return sorted.prefix(k).map(\.key)
        // END SOLUTION
    }
}
