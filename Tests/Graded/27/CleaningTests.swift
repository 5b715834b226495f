// Lab 27, exercise 1: deduplicate and passesQualityFilter.
import XCTest
import LabKit
@testable import Lab27

final class DeduplicateTests: XCTestCase {
    func testRemovesDuplicatesThatAreNotAdjacent() {
        let docs = ["To be, or not to be", "Exeunt", "To be, or not to be", "Exeunt", "Exeunt"]
        let kept = deduplicate(docs)
        if kept == ["To be, or not to be", "Exeunt", "To be, or not to be", "Exeunt"] {
            XCTFail("Only copies right next to each other were removed. A duplicate anywhere later in the data must go too: remember every text seen so far (a Set), not just the previous one.")
        } else {
            XCTAssertEqual(kept, ["To be, or not to be", "Exeunt"], "Each distinct text must be kept exactly once.")
        }
    }

    func testKeepsFirstCopiesInOrder() {
        let docs = ["c", "a", "b", "a", "c", "d"]
        let kept = deduplicate(docs)
        XCTAssertEqual(Set(kept), ["a", "b", "c", "d"], "Every distinct document must survive once.")
        XCTAssertEqual(kept, ["c", "a", "b", "d"],
                       "Keep the documents in their original order (the first copy of each), got \(kept): do not sort, and do not go through an unordered Set to build the result.")
    }

    func testNearDuplicatesAreKept() {
        // Exact deduplication: texts that differ in one character or in case are different documents.
        let docs = ["Exeunt.", "Exeunt", "exeunt.", "Exeunt."]
        XCTAssertEqual(deduplicate(docs), ["Exeunt.", "Exeunt", "exeunt."],
                       "Only exact copies are duplicates: do not lowercase or trim the texts before comparing.")
    }
}

final class QualityFilterTests: XCTestCase {
    let rules = QualityRules()

    func testLengthBounds() {
        let twenty = "abcdefghij klmnopqrs"                 // exactly 20 characters
        XCTAssertEqual(twenty.count, 20)
        XCTAssertTrue(passesQualityFilter(twenty, rules: rules), "A document of exactly minCharacters (20) characters passes: the rule is length >= 20.")
        XCTAssertFalse(passesQualityFilter("abcdefghij klmnopqr", rules: rules), "A document of 19 characters is shorter than minCharacters (20) and must be dropped.")
        var small = QualityRules()
        small.maxCharacters = 30
        XCTAssertFalse(passesQualityFilter(String(repeating: "word ", count: 7), rules: small),
                       "A 35-character document is longer than maxCharacters (30) and must be dropped.")
        XCTAssertTrue(passesQualityFilter(String(repeating: "word ", count: 6), rules: small),
                      "A 30-character document is within maxCharacters (30) and must pass.")
    }

    func testLetterRatio() {
        // Hand-counted: "abc 12 de 3" has 8 non-space characters, 5 of them letters: 0.625 >= 0.6 passes.
        var r = QualityRules()
        r.minCharacters = 1
        XCTAssertTrue(passesQualityFilter("abc 12 de 3", rules: r),
                      "\"abc 12 de 3\" has 5 letters among 8 non-space characters (0.625 >= 0.6) and must pass. Count letters among the non-whitespace characters only.")
        // "ab 12 de 3": 7 non-space, 4 letters = 0.571 < 0.6.
        XCTAssertFalse(passesQualityFilter("ab 12 de 3", rules: r),
                       "\"ab 12 de 3\" has 4 letters among 7 non-space characters (0.571 < 0.6) and must be dropped.")
        XCTAssertFalse(passesQualityFilter("12 | $3.99 | 45 | $6.99 | 78 | $9.99", rules: rules), "A table of prices has almost no letters and must be dropped.")
    }

    func testRepeatedLines() {
        // 10 non-empty lines: 7 distinct + 3 repeats = 0.3 <= 0.3 passes; 6 distinct + 4 repeats = 0.4 fails.
        let distinct = (1...7).map { "Line number \($0) of the play" }
        let three = (distinct + ["Line number 1 of the play", "Line number 2 of the play", "  Line number 3 of the play"]).joined(separator: "\n")
        XCTAssertTrue(passesQualityFilter(three, rules: rules),
                      "3 repeated lines out of 10 non-empty lines is 0.3, within maxRepeatedLineFraction (0.3): it must pass (a line repeats when its trimmed text appeared before; the first copy is not a repeat).")
        let four = (Array(distinct.prefix(6)) + Array(repeating: "Line number 1 of the play", count: 4)).joined(separator: "\n\n")
        XCTAssertFalse(passesQualityFilter(four, rules: rules),
                       "4 repeated lines out of 10 non-empty lines (blank lines do not count) is 0.4 > 0.3: it must be dropped.")
    }
}
