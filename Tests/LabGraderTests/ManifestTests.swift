import Foundation
import XCTest
@testable import LabGrader

final class ManifestTests: XCTestCase {
    func testParsesTheDocumentedExample() throws {
        let m = try LabManifest.parse("""
            lab: 30
            title: Mini GPT
            due: 2026-12-04T23:59:00Z
            late: { per_day: 0.1, max: 0.5 }
            timeout: 20
            tests:
              - { id: TransformerBlockTests/testShape, points: 1, hint: "Output is (B, T, C)." }
              - { id: HiddenTransformerTests/testGradients, points: 3, visibility: hidden }
              - { id: TrainingTests/testOverfitsOneBatch, points: 2.5, visibility: after_due_date, timeout: 60 }
            """, path: "grading.yml")
        XCTAssertEqual(m.lab, "30")
        XCTAssertEqual(m.maxScore, 6.5)
        XCTAssertEqual(m.testTimeout, 20)
        XCTAssertEqual(m.tests.map(\.visibility), [.visible, .hidden, .afterDueDate])
        XCTAssertEqual(m.tests[2].timeout, 60)
        XCTAssertEqual(m.due, ISO8601DateFormatter().date(from: "2026-12-04T23:59:00Z"))
        XCTAssertEqual(m.late, LatePolicy(perDay: 0.1, max: 0.5))
    }

    func testRejectsBadEntriesWithTheFileAndTheTest() {
        func message(_ yaml: String) -> String {
            do { _ = try LabManifest.parse(yaml, path: "g.yml"); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(message("tests:\n  - { id: Foo, points: 1 }"), "g.yml: test id 'Foo' must be 'ClassName/testName'")
        XCTAssertEqual(message("tests:\n  - { id: A/testX, points: -1 }"), "g.yml: A/testX: points must be >= 0")
        XCTAssertEqual(message("tests:\n  - { id: A/testX, points: 1 }\n  - { id: A/testX, points: 2 }"), "g.yml: test 'A/testX' is listed twice")
        XCTAssertTrue(message("tests:\n  - { id: A/testX }").hasPrefix("g.yml: missing 'points'"), message("tests:\n  - { id: A/testX }"))
        XCTAssertTrue(message("tests:\n  - { id: A/testX, points: 1, visibility: secret }").hasPrefix("g.yml: bad value at tests.[0].visibility"))
    }

    func testExercisesAreValidatedWithTheFileAndLine() throws {
        func yaml(_ exercise: String, region: String) -> String {
            """
            lab: 1
            exercises:
              - id: "1a"
                regions: [mean]
              - id: "1b"
                regions: [\(region)]
            tests:
              - id: A/testX
                exercise: "1a"
                points: 1
              - id: A/testY
                exercise: \(exercise)
                points: 1
            """
        }
        func message(_ body: () throws -> Void) -> String { do { try body(); return "no error" } catch { return "\(error)" } }
        XCTAssertEqual(message { _ = try LabManifest.parse(yaml("\"2\"", region: "variance"), path: "g.yml") },
                       "g.yml:12: test A/testY names exercise '2', which is not declared under exercises: (declared: 1a, 1b)")
        let m = try LabManifest.parse(yaml("1b", region: "varaince"), path: "g.yml")
        XCTAssertEqual(m.tests.map(\.exercise), ["1a", "1b"])
        XCTAssertEqual(message { try m.validateExercises(regions: ["mean", "variance"]) },
                       "g.yml:6: exercise 1b names region 'varaince', which no solution file has (regions: mean, variance)")
        XCTAssertEqual(message { try m.validateExercises(regions: ["mean", "varaince", "median"], locations: ["median": "Stats.swift:20"]) },
                       "g.yml:2: region 'median' (Stats.swift:20) is in no exercise: add it to one, or its code would never be graded")
        XCTAssertEqual(message { _ = try LabManifest.parse("exercises:\n  - { id: \"1\", regions: [f] }\ntests:\n  - { id: A/testX, points: 1 }", path: "g.yml") },
                       "g.yml:4: test A/testX has no exercise: (every test says which exercise it scores)")
    }

    func testLatePenaltyCountsStartedDaysUpToTheCap() {
        let due = Date(timeIntervalSince1970: 1_000_000)
        let p = LatePolicy(perDay: 0.1, max: 0.25)
        XCTAssertEqual(p.penalty(submitted: due.addingTimeInterval(-1), due: due), 0)
        XCTAssertEqual(p.penalty(submitted: due, due: due), 0)
        XCTAssertEqual(p.penalty(submitted: due.addingTimeInterval(60), due: due), 0.1, accuracy: 1e-12)
        XCTAssertEqual(p.penalty(submitted: due.addingTimeInterval(86_400 + 1), due: due), 0.2, accuracy: 1e-12)
        XCTAssertEqual(p.penalty(submitted: due.addingTimeInterval(10 * 86_400), due: due), 0.25, accuracy: 1e-12)
    }

    func testVisibilityFollowsGradescope() {
        let due = Date(timeIntervalSince1970: 1_000_000)
        let before = due.addingTimeInterval(-1), after = due.addingTimeInterval(1)
        XCTAssertTrue(Visibility.visible.shownToStudent(now: before, due: due, published: false))
        XCTAssertFalse(Visibility.hidden.shownToStudent(now: after, due: due, published: true))
        XCTAssertFalse(Visibility.afterDueDate.shownToStudent(now: before, due: due, published: true))
        XCTAssertTrue(Visibility.afterDueDate.shownToStudent(now: after, due: due, published: false))
        XCTAssertFalse(Visibility.afterPublished.shownToStudent(now: after, due: due, published: false))
        XCTAssertTrue(Visibility.afterPublished.shownToStudent(now: before, due: due, published: true))
    }

    func testCompilerErrorsWithoutALocationKeepTheReasonNotTheDriversEcho() {
        // What swiftc printed when a module the exercises import could not be loaded (seen when LabTensor imported
        // its C module with `internal import`): the driver's echo first, the reason on an `<unknown>:0:` line.
        let out = "error: emit-module command failed with exit code 1 (use -v to see invocation)\n<unknown>:0: error: missing required module 'CBLAS'\n"
        XCTAssertEqual(parseBuildErrors(out).map(\.text), ["error: missing required module 'CBLAS'"])
        // The echo alone is kept (better than nothing); located errors keep their file, line and column.
        XCTAssertEqual(parseBuildErrors("error: link command failed with exit code 1 (use -v to see invocation)\n").map(\.message),
                       ["link command failed with exit code 1 (use -v to see invocation)"])
        let located = parseBuildErrors("/tmp/x/src/Stats.swift:7:28: error: cannot convert return expression\n    return 1\n")
        XCTAssertEqual(located.map(\.file), ["Stats.swift"])
        XCTAssertEqual(located.first?.line, 7)
        XCTAssertEqual(located.first?.text, "Stats.swift:7:28: error: cannot convert return expression\n    return 1")
    }
}
