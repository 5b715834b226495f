import Foundation
import XCTest

/// The shared part of the end-to-end tests on the grader's fixture course (GradeEndToEndTests,
/// ExportsEndToEndTests): a scratch copy of Tests/LabGraderTests/Fixtures/course with its solutions and hidden
/// tests private (0700), a grade cache inside it, `labrun` run there, and submissions made by make_submissions.sh.
class FixtureCourseTestCase: XCTestCase {
    static let fixtures = ((#filePath as NSString).deletingLastPathComponent as NSString)
        .appendingPathComponent("../LabGraderTests/Fixtures")

    /// The scratch copy's name starts with this (`labrun-grade-e2e-`): which suite left a folder behind.
    class var scratchPrefix: String { "labrun-fixture-e2e-" }

    var course = ""
    var env: [String: String] = [:]

    override func setUpWithError() throws {
        course = NSTemporaryDirectory() + Self.scratchPrefix + UUID().uuidString.prefix(8)
        try FileManager.default.copyItem(atPath: Self.fixtures + "/course", toPath: course)
        chmod(course + "/Solutions", 0o700)
        chmod(course + "/Tests/Graded/1/hidden", 0o700)
        env = ["LABRUN_GRADE_CACHE": course + "/.cache"]
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: course) }

    func labrun(_ args: [String], file: StaticString = #filePath, line: UInt = #line) throws -> Labrun.Output {
        try Labrun.run(args, root: course, env: env, file: file, line: line)
    }

    /// `make_submissions.sh dir kinds...`: one submission folder per kind (correct, partial, ...) under `dir`.
    func makeSubmissions(_ dir: String, _ kinds: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [Self.fixtures + "/make_submissions.sh", dir] + kinds
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
    }
}
