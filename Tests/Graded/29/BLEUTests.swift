// Lab 29, exercise 2: modifiedPrecision and brevityPenalty.
import Foundation
import XCTest
import LabKit
@testable import Lab29

final class ModifiedPrecisionTests: XCTestCase {
    func testCountsAreClipped() {
        // Papineni et al. (2002), section 2.1: "the the the the the the the" against "the cat is on the mat": 2/7.
        let p = modifiedPrecision(references: [["the", "cat", "is", "on", "the", "mat"]], hypothesis: Array(repeating: "the", count: 7), n: 1)
        if p.matches == 7 {
            XCTFail("All 7 \"the\" were counted as matches, but the reference has only 2: clip each n-gram's count to the most times it occurs in a reference (BLEU's modified precision).")
        }
        XCTAssertEqual(p.matches, 2, "\"the\" occurs twice in the reference, so at most 2 of the 7 count, got \(p.matches).")
        XCTAssertEqual(p.total, 7, "The denominator is the number of n-grams in the hypothesis (7 unigrams), got \(p.total).")
    }

    func testClippedByTheBestReference() {
        // Hand-counted. Bigrams of the hypothesis: "the cat" ×2, "cat the", "cat on", "on the", "the mat" (6).
        // "the cat" occurs once in reference 1; "cat on" only in reference 2; "on the", "the mat" in both: 4 / 6.
        let refs = [["the", "cat", "is", "on", "the", "mat"], ["there", "is", "a", "cat", "on", "the", "mat"]]
        let hyp = ["the", "cat", "the", "cat", "on", "the", "mat"]
        let p = modifiedPrecision(references: refs, hypothesis: hyp, n: 2)
        if p.matches == 3 {
            XCTFail("Only the first reference was used (3 matches); an n-gram may be matched in any reference, up to its largest count in one of them (4 of 6 here).")
        }
        XCTAssertEqual(p.total, 6, "7 words have 6 bigrams, got \(p.total).")
        XCTAssertEqual(p.matches, 4, "\"the cat\" (clipped to 1), \"cat on\", \"on the\", \"the mat\": 4 clipped bigram matches, got \(p.matches).")
        // Unigrams: "the" ×3 clipped to 2 (reference 1), "cat" ×2 clipped to 1, "on", "mat": 5 / 7.
        let u = modifiedPrecision(references: refs, hypothesis: hyp, n: 1)
        if u.matches == 7 {
            XCTFail("The counts were clipped against the sum over the references; clip against the maximum count in any single reference (5 of 7 unigrams).")
        }
        XCTAssertEqual(u.matches, 5, "Unigrams: the (3, clipped to 2), cat (2, clipped to 1), on, mat: 5 matches, got \(u.matches).")
    }

    func testHypothesisShorterThanN() {
        let p = modifiedPrecision(references: [["a", "b", "c"]], hypothesis: ["a", "b"], n: 3)
        XCTAssertEqual(p.total, 0, "A 2-word hypothesis has no 3-grams: total 0, got \(p.total).")
        XCTAssertEqual(p.matches, 0, "No 3-grams, no matches, got \(p.matches).")
    }
}

final class BrevityPenaltyTests: XCTestCase {
    func testShortHypothesisIsPenalised() {
        // The slide's pair: reference 4 words, hypothesis 3: e^(1 − 4/3) = 0.7165313105737893 (Python math.exp).
        let bp = brevityPenalty(referenceLengths: [4], hypothesisLength: 3)
        XCTAssertEqual(bp, 0.7165313105737893, accuracy: 1e-12, "A 3-word hypothesis for a 4-word reference: BP = e^(1 − r/c) = e^(1 − 4/3) = 0.7165, got \(bp).")
        XCTAssertEqual(brevityPenalty(referenceLengths: [5], hypothesisLength: 7), 1, accuracy: 0,
                       "A hypothesis longer than the reference is not penalised: BP = 1.")
    }

    func testClosestReferenceLength() {
        // References of 12, 15 and 17 words, hypothesis 14: the closest is 15, BP = e^(1 − 15/14) = 0.9310627797040228.
        let bp = brevityPenalty(referenceLengths: [12, 15, 17], hypothesisLength: 14)
        if abs(bp - 1) < 1e-12 {
            XCTFail("BP = 1: the shortest reference (12) was used. BLEU uses the reference length closest to the hypothesis's (15 here).")
        } else if abs(bp - 0.8071177470053894) < 1e-12 {
            XCTFail("BP = e^(1 − 17/14): the longest reference was used. Use the reference length closest to the hypothesis's (15 here).")
        }
        XCTAssertEqual(bp, 0.9310627797040228, accuracy: 1e-12, "Closest reference length 15 for a 14-word hypothesis: e^(1 − 15/14) = 0.93106, got \(bp).")
    }
}
