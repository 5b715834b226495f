import Foundation
import XCTest
import LabProcess
@testable import LabGrader

/// Item 6 of issue 11: as root, hidden tests or solutions that a test identity could read are an error unless each
/// test's mount namespace hides the course; what a machine cannot enforce is said in one line each.
final class ExposureTests: XCTestCase {
    func support(root: Bool, namespaces: Bool) -> ContainmentSupport {
        ContainmentSupport(root: root, namespaces: namespaces, privateProc: namespaces, userNamespace: !root, cgroups: namespaces ? .v1 : nil)
    }

    func testReadableHiddenTestsAreAnErrorOnlyWithoutMountNamespaces() throws {
        let course = try Fixture.course()
        defer { try? FileManager.default.removeItem(at: course.root) }
        var o = GradeOptions(toolchain: try GradeToolchain.locate())
        o.dropPrivileges = true
        let grader = try Grader(course: course, lab: "1", options: o)
        // 0700, as Fixture.course() leaves them: nothing to report.
        XCTAssertEqual(grader.exposure(support: support(root: true, namespaces: false)).errors, [])

        chmod(course.root.path, 0o755)
        for d in ["Tests", "Tests/Graded", "Tests/Graded/1", "Tests/Graded/1/hidden"] { chmod(course.root.appendingPathComponent(d).path, 0o755) }
        let hidden = course.root.appendingPathComponent("Tests/Graded/1/hidden").path
        let exposed = grader.exposure(support: support(root: true, namespaces: false))
        XCTAssertEqual(exposed.errors, ["\(hidden) is readable by the tests' identities and this machine has no mount namespaces to hide it: `chmod 700` it"])
        // With mount namespaces the course folder is covered in every test: no error, no warning.
        let hiddenByNS = grader.exposure(support: support(root: true, namespaces: true))
        XCTAssertEqual(hiddenByNS.errors, [])
        XCTAssertEqual(hiddenByNS.warnings, [])
    }

    func testWhatIsNotEnforcedIsSaidOnce() {
        let none = support(root: false, namespaces: false)
        XCTAssertEqual(none.notEnforced.count, 3, none.notEnforced.joined(separator: "\n"))
        XCTAssertTrue(none.notEnforced[2].hasPrefix("no cgroups: memory is limited per process only"))
        XCTAssertEqual(support(root: true, namespaces: true).notEnforced, [])
    }
}
