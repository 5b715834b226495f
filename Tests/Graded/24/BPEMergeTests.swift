// Lab 24, exercise 2: one BPE step (countPairs, mostFrequentPair, merge), on hand-computed cases.
import XCTest
@testable import Lab24

final class BPEMergeTests: XCTestCase {
    func testCountPairs() {
        XCTAssertEqual(countPairs([1, 2, 3, 1, 2]), [TokenPair(1, 2): 2, TokenPair(2, 3): 1, TokenPair(3, 1): 1],
                       "[1, 2, 3, 1, 2] has the adjacent pairs (1,2), (2,3), (3,1), (1,2): count each position i's pair (ids[i], ids[i+1]).")
        XCTAssertEqual(countPairs([7]), [:], "A single token has no pairs")
        XCTAssertEqual(countPairs([]), [:], "An empty sequence has no pairs")
    }

    func testCountPairsCountsOverlaps() {
        XCTAssertEqual(countPairs([5, 5, 5]), [TokenPair(5, 5): 2],
                       "In [5, 5, 5] the pair (5, 5) occurs at positions 0 and 1: count it twice (counting looks at every position; only merging must not overlap).")
    }

    func testMergeReplacesEveryOccurrence() {
        XCTAssertEqual(merge([1, 2, 3, 1, 2], pair: TokenPair(1, 2), into: 9), [9, 3, 9],
                       "Merging (1, 2) into 9 in [1, 2, 3, 1, 2] gives [9, 3, 9]: every occurrence, other tokens unchanged.")
        XCTAssertEqual(merge([1, 2, 1, 2], pair: TokenPair(2, 1), into: 9), [1, 9, 2],
                       "Merging (2, 1) in [1, 2, 1, 2] gives [1, 9, 2]: the pair's order matters.")
        XCTAssertEqual(merge([4, 4, 3], pair: TokenPair(1, 2), into: 9), [4, 4, 3], "A pair that does not occur changes nothing")
    }

    func testMergeOfARepeatDoesNotOverlap() {
        XCTAssertEqual(merge([5, 5, 5], pair: TokenPair(5, 5), into: 9), [9, 5],
                       "In \"aaa\" merging \"aa\" uses the first two tokens and leaves the third: [5, 5, 5] -> [9, 5]. After a merge, skip both tokens (i += 2).")
        XCTAssertEqual(merge([5, 5, 5, 5], pair: TokenPair(5, 5), into: 9), [9, 9],
                       "[5, 5, 5, 5] merging (5, 5) gives [9, 9], scanning left to right.")
    }

    func testMostFrequentPairOnWikipediasExample() {
        // "aaabdaaabac": aa occurs 4 times (overlaps counted), ab twice, every other pair once.
        let ids = Array("aaabdaaabac".utf8).map(Int.init)
        XCTAssertEqual(mostFrequentPair(ids), TokenPair(97, 97),
                       "In \"aaabdaaabac\" the most frequent pair is (a, a) = (97, 97), seen 4 times.")
    }

    func testTieGoesToThePairSeenFirst() {
        XCTAssertEqual(mostFrequentPair([3, 4, 1, 2, 1, 2, 3, 4]), TokenPair(3, 4),
                       "(3, 4) and (1, 2) both occur twice in [3, 4, 1, 2, 1, 2, 3, 4]: on a tie take the pair that occurs first in the sequence, (3, 4) (not the smaller ids, and not whatever a dictionary's order gives).")
        XCTAssertEqual(mostFrequentPair([8, 6, 7, 5]), TokenPair(8, 6), "All pairs once: the first one, (8, 6)")
    }
}
