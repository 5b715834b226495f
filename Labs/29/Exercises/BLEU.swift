// Lab 29, exercise 2: the two parts of BLEU, clipped n-gram precision and the brevity penalty.
import Foundation
import LabKit

/// BLEU's modified n-gram precision of a hypothesis against its references: every n-gram of the hypothesis counts
/// as matched at most as many times as it occurs in the one reference where it occurs most ("clipping"), so
/// repeating a correct word does not earn more credit. Returns the clipped matches and the number of n-grams of
/// the hypothesis.
///
/// ```swift
/// modifiedPrecision(references: [["the", "cat", "is", "on", "the", "mat"]], hypothesis: Array(repeating: "the", count: 7), n: 1)
/// // (matches: 2, total: 7): "the" occurs at most twice in a reference
/// ```
/// Python (NLTK): `nltk.translate.bleu_score.modified_precision(references, hypothesis, n)` (a Fraction).
public func modifiedPrecision(references: [[String]], hypothesis: [String], n: Int) -> (matches: Int, total: Int) {
    guard n >= 1, !references.isEmpty else { fatalError("modifiedPrecision: need n >= 1 (got \(n)) and at least one reference") }
    // BEGIN EXERCISE 2: modifiedPrecision
    todo("modifiedPrecision")
    // END EXERCISE 2
}

/// BLEU's brevity penalty: 1 when the hypothesis is longer than the reference length r, else e^(1 − r/c) with c
/// the hypothesis length. r is the length of the reference *closest* to c (on a tie, the shorter one), as in NLTK.
///
/// ```swift
/// brevityPenalty(referenceLengths: [4], hypothesisLength: 3)      // e^(1 − 4/3) = 0.7165
/// ```
/// Python (NLTK): `brevity_penalty(closest_ref_length(references, hyp_len), hyp_len)`
public func brevityPenalty(referenceLengths: [Int], hypothesisLength: Int) -> Double {
    guard !referenceLengths.isEmpty, hypothesisLength >= 0 else {
        fatalError("brevityPenalty: need at least one reference length and a hypothesis length >= 0, got \(referenceLengths) and \(hypothesisLength)")
    }
    // BEGIN EXERCISE 2: brevityPenalty
    todo("brevityPenalty")
    // END EXERCISE 2
}

/// Sentence BLEU without smoothing, put together from the two parts (given, not an exercise): the brevity penalty
/// times the geometric mean of the 1- to 4-gram precisions. Like NLTK, a precision of 0 is replaced by the smallest
/// positive Double (and reported in `zeroOrders`), so the score is tiny rather than 0.
///
/// ```swift
/// let (score, zeros) = bleu(references: [["this", "is", "a", "test"]], hypothesis: ["this", "is", "test"])
/// // 8.987727354491445e-155, zeros [3, 4]
/// ```
public func bleu(references: [[String]], hypothesis: [String], maxN: Int = 4) -> (score: Double, zeroOrders: [Int]) {
    var logSum = 0.0
    var zeros: [Int] = []
    for n in 1...maxN {
        let p = modifiedPrecision(references: references, hypothesis: hypothesis, n: n)
        if p.matches == 0 {
            if n == 1 { return (0, [1]) }
            zeros.append(n)
            logSum += log(Double.leastNormalMagnitude) / Double(maxN)     // NLTK: sys.float_info.min
        } else {
            logSum += log(Double(p.matches) / Double(p.total)) / Double(maxN)
        }
    }
    let bp = brevityPenalty(referenceLengths: references.map(\.count), hypothesisLength: hypothesis.count)
    return (bp * exp(logSum), zeros)
}
