import XCTest
@testable import Lab1

final class HiddenTests: XCTestCase {
    func testVarianceShifted() {
        // Variance does not change when every value is shifted.
        XCTAssertEqual(variance([1e6 + 1, 1e6 + 2, 1e6 + 3, 1e6 + 4]), 1.25, accuracy: 1e-6)
    }

    func testCountPunctuation() {
        XCTAssertEqual(WordCounter().count("Hello, world! Hello?"), ["hello": 2, "world": 1])
    }
}
