// Lab 24, exercise 2: one step of byte-pair encoding (count adjacent pairs, merge the most frequent).

/// Two adjacent token ids.
public struct TokenPair: Hashable, CustomStringConvertible {
    public let first: Int
    public let second: Int
    public init(_ first: Int, _ second: Int) { self.first = first; self.second = second }
    public var description: String { "(\(first), \(second))" }
}

/// How often each adjacent pair occurs in `ids`: every position i counts the pair (ids[i], ids[i+1]), so
/// overlapping pairs all count ("aaa" has the pair (a, a) twice).
///
/// ```swift
/// countPairs([1, 2, 3, 1, 2])    // [(1, 2): 2, (2, 3): 1, (3, 1): 1]
/// ```
/// Python (minbpe's get_stats): `for pair in zip(ids, ids[1:]): counts[pair] = counts.get(pair, 0) + 1`
public func countPairs(_ ids: [Int]) -> [TokenPair: Int] {
    // BEGIN EXERCISE 2: countPairs
    todo("countPairs")
    // END EXERCISE 2
}

/// The most frequent adjacent pair of `ids`; on a tie, the one that occurs first. nil when there is no pair.
///
/// ```swift
/// mostFrequentPair([1, 2, 3, 1, 2])    // (1, 2)
/// ```
/// Python: `max(stats, key=stats.get)` (a dict keeps first-seen order, so ties go to the first pair seen).
public func mostFrequentPair(_ ids: [Int]) -> TokenPair? {
    // BEGIN EXERCISE 2: mostFrequentPair
    todo("mostFrequentPair")
    // END EXERCISE 2
}

/// Replaces every occurrence of `pair` in `ids`, scanning left to right, by `newId`. Occurrences never overlap: in
/// "aaa" the first two a's merge and the third stays (`[a, a, a]` → `[aa, a]`).
///
/// ```swift
/// merge([1, 2, 3, 1, 2], pair: TokenPair(1, 2), into: 9)    // [9, 3, 9]
/// ```
/// Python (minbpe's merge): `if ids[i] == pair[0] and i < len(ids) - 1 and ids[i+1] == pair[1]: newids.append(idx); i += 2`
public func merge(_ ids: [Int], pair: TokenPair, into newId: Int) -> [Int] {
    // BEGIN EXERCISE 2: merge
    todo("merge")
    // END EXERCISE 2
}
