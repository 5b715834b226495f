import Foundation
import XCTest
@testable import LabGrader

final class GradeTests: XCTestCase {
    func testSolutionsScoreFullMarks() throws {
        let course = try Fixture.course()
        let grader = try Fixture.grader(course)
        let r = try grader.grade(Submission(name: "solutions", dir: course.solutionsDir))
        XCTAssertEqual(r.tests.map(\.status), Array(repeating: .passed, count: 7), TerminalFormat.render(r))
        XCTAssertEqual(r.score, 10)
        XCTAssertEqual(r.maxScore, 10)
    }
}
