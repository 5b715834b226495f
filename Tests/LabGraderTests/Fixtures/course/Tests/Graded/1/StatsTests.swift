import XCTest
@testable import Lab1

final class StatsTests: XCTestCase {
    func testMeanSmall() {
        XCTAssertEqual(mean([1, 2, 3, 4]), 2.5, accuracy: 1e-12)
    }

    func testMeanEmpty() {
        XCTAssertEqual(mean([]), 0)
    }

    func testVariance() {
        // (1-2.5)^2 + (2-2.5)^2 + (3-2.5)^2 + (4-2.5)^2 = 5; / 4
        XCTAssertEqual(variance([1, 2, 3, 4]), 1.25, accuracy: 1e-12)
    }
}
