// Lab 24, hidden tests: the whole merge loop on Wikipedia's example, edge cases of both exercises.
import XCTest
@testable import Lab24

final class HiddenLab24Tests: XCTestCase {
    func testMergeLoopOnWikipediasExample() {
        // aaabdaaabac -> Z=aa: ZabdZabac -> (tie Za/ab: Za first) Y=Za: YbdYbac -> X=Yb: XdXac, 5 tokens, as Wikipedia's.
        var ids = Array("aaabdaaabac".utf8).map(Int.init)
        var next = 256
        var merges: [TokenPair] = []
        while merges.count < 10, let p = mostFrequentPair(ids), countPairs(ids)[p]! > 1 {   // 3 expected; a bound if merge never shortens
            merges.append(p)
            ids = merge(ids, pair: p, into: next)
            next += 1
        }
        XCTAssertEqual(merges, [TokenPair(97, 97), TokenPair(256, 97), TokenPair(257, 98)])
        XCTAssertEqual(ids, [258, 100, 258, 97, 99])
    }

    func testMergeShortensByTheNonOverlappingCount() {
        let ids = [1, 1, 1, 2, 1, 1, 3, 1, 1, 1, 1]
        // (1, 1) non-overlapping from the left: positions 0-1, 4-5, 7-8, 9-10.
        XCTAssertEqual(merge(ids, pair: TokenPair(1, 1), into: 0), [0, 1, 2, 0, 3, 0, 0])
    }

    func testBPEEdgeCases() {
        XCTAssertNil(mostFrequentPair([]))
        XCTAssertNil(mostFrequentPair([3]))
        XCTAssertEqual(merge([], pair: TokenPair(1, 2), into: 3), [])
        XCTAssertEqual(merge([1], pair: TokenPair(1, 2), into: 3), [1])
    }

    func testWordEdgeCases() {
        let tok = WordLevelTokenizer(texts: ["a b"])
        XCTAssertEqual(tok.encode(""), [])
        XCTAssertEqual(tok.decode([2, 99, -1]), "b <UNK> <UNK>", "ids outside the vocabulary decode as <UNK>")
    }

    func testRepeatedWordsAcrossTextsCountOnce() {
        let tok = WordLevelTokenizer(texts: ["to be or not to be", "TO BE"])
        XCTAssertEqual(tok.vocabSize, 5)
        XCTAssertEqual(tok.encode("not to be"), [4, 1, 2])
    }
}
