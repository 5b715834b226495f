import XCTest
@testable import Lab1

final class CounterTests: XCTestCase {
    func testCount() {
        XCTAssertEqual(WordCounter().count("the cat the Hat"), ["the": 2, "cat": 1, "hat": 1])
    }

    func testMostCommon() throws {
        XCTAssertEqual(WordCounter().mostCommon("b a b c a b", k: 2), ["b", "a"])
    }
}
