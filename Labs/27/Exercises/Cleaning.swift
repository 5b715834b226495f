// Lab 27, exercise 1: cleaning collected documents (exact deduplication and a quality filter).
import Foundation
import LabKit

/// The documents with every exact repeat removed, wherever it appears; the first copy of each text is kept and the
/// order is kept.
///
/// ```swift
/// deduplicate(["a", "b", "a", "c", "b"])      // ["a", "b", "c"]
/// ```
/// Python (the slide's `deduplicate`): `seen = set(); [d for d in docs if not (d in seen or seen.add(d))]`
public func deduplicate(_ documents: [String]) -> [String] {
    // BEGIN EXERCISE 1: deduplicate
    todo("deduplicate")
    // END EXERCISE 1
}

/// The quality rules of the slide's `filter_quality`, with the thresholds this lab uses.
public struct QualityRules {
    /// Documents shorter than this many characters are dropped (fragments, empty pages).
    public var minCharacters: Int = 20
    /// Documents longer than this many characters are dropped (whole dumps, runaway pages).
    public var maxCharacters: Int = 100_000
    /// At least this share of the non-whitespace characters must be letters (drops tables of numbers, symbol noise).
    public var minLetterRatio: Double = 0.6
    /// At most this share of the non-empty lines may repeat an earlier line of the same document (drops spam).
    public var maxRepeatedLineFraction: Double = 0.3

    public init() {}
}

/// True when `document` passes every rule: length within [minCharacters, maxCharacters] (in characters),
/// letters / non-whitespace characters ≥ minLetterRatio, repeated non-empty lines / non-empty lines ≤
/// maxRepeatedLineFraction (a line repeats when the same text, without its leading and trailing whitespace,
/// appeared earlier in the document).
///
/// ```swift
/// passesQualityFilter("ok", rules: QualityRules())                        // false: too short
/// passesQualityFilter("$$$ 1234 5678 #### @@@@ 9999 %%%%", rules: QualityRules())   // false: few letters
/// ```
/// Python: `len(d) >= min_chars and sum(c.isalpha() for c in d) / max(1, sum(not c.isspace() for c in d)) >= ratio`
public func passesQualityFilter(_ document: String, rules: QualityRules) -> Bool {
    // BEGIN EXERCISE 1: passesQualityFilter
    todo("passesQualityFilter")
    // END EXERCISE 1
}
