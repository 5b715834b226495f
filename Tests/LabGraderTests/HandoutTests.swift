import Foundation
import XCTest
@testable import LabGrader

/// The pieces of `labrun release --out` and of the release record, on small hand-made inputs.
final class HandoutTests: XCTestCase {
    func testPlainNumbersRewritesExponentFormOnly() {
        let yaml = "points: 3e+0\ntimeout: 2.5e+1\nx: 1e-1\n- 4e+0\nhint: 'keep 3e+0 in text'\nname: \"2e+0\"\n"
        XCTAssertEqual(Release.plainNumbers(yaml), "points: 3\ntimeout: 25\nx: 0.1\n- 4\nhint: 'keep 3e+0 in text'\nname: \"2e+0\"\n")
    }

    func testInstructorRegionsAreCutWithTheirMarkers() throws {
        let text = "a\n// BEGIN INSTRUCTOR\nsecret\n// END INSTRUCTOR\nb\n"
        XCTAssertEqual(try Release.withoutInstructorRegions(text, path: "P"), "a\nb\n")
        XCTAssertThrowsError(try Release.withoutInstructorRegions("a\n// BEGIN INSTRUCTOR\nb\n", path: "P")) {
            XCTAssertEqual("\($0)", "P:2: BEGIN INSTRUCTOR has no matching // END INSTRUCTOR")
        }
        XCTAssertThrowsError(try Release.withoutInstructorRegions("// END INSTRUCTOR\n", path: "P")) {
            XCTAssertEqual("\($0)", "P:1: END INSTRUCTOR without BEGIN INSTRUCTOR")
        }
    }

    /// The student's grading.yml: no hidden test, no hint of a later-visible test, plain numbers, the held-back sum.
    func testStudentManifestOfTheFixtureLab() throws {
        let course = try Fixture.course()
        let yml = try Release.studentManifest(try GradedLab.load(course: course, lab: "1"))
        XCTAssertFalse(yml.contains("e+0"), yml)
        XCTAssertFalse(yml.contains("Hidden"), yml)
        let m = try LabManifest.parse(yml, path: "grading.yml")
        XCTAssertEqual(m.hiddenSummary, .init(tests: 2, points: 3))
        for t in m.tests where t.visibility != .visible { XCTAssertNil(t.hint, "\(t.id) keeps a hint a student sees later") }
        XCTAssertTrue(m.tests.contains { $0.visibility != .visible }, "the fixture has after-due tests")
    }

    /// A stub release wrote is replaced when its solution changes; an edited one is kept, unless forced (backup).
    func testRegenerateKeepsEditedStubsUnlessForced() throws {
        let course = try Fixture.course()
        let dir = course.exercisesDir("1")
        let stats = dir.appendingPathComponent("Stats.swift")
        try "// mine\n".write(to: stats, atomically: true, encoding: .utf8)
        var o = try Release.regenerate(course: course, lab: "1")
        XCTAssertEqual(o.refused.map(\.lastPathComponent), ["Stats.swift"])
        XCTAssertEqual(try String(contentsOf: stats, encoding: .utf8), "// mine\n")
        o = try Release.regenerate(course: course, lab: "1", force: true, now: Date(timeIntervalSince1970: 0))
        XCTAssertEqual(o.backups.map(\.backup.path), [course.root.path + "/.labrun/release-backups/1-19700101-000000/Stats.swift"])
        XCTAssertEqual(try String(contentsOf: o.backups[0].backup, encoding: .utf8), "// mine\n")
        XCTAssertEqual(try Release.check(course: course, lab: "1"), [])
        let record = ReleaseRecord.load(from: dir)
        XCTAssertEqual(record.files.keys.sorted(), ["Counter.swift", "Stats.swift", "Support.swift"])
        XCTAssertTrue(record.isGenerated("Stats.swift", try String(contentsOf: stats, encoding: .utf8)))
    }

    func testRosterColumnsByName() throws {
        let r = try Roster.parse("Name,Login,Student_ID,Section\n\"Doe, Jane\",jdoe,42,A\nBo,bo,43,\n", path: "r.csv")
        XCTAssertEqual(r.entries, [.init(id: "42", login: "jdoe", folder: "jdoe", name: "Doe, Jane", section: "A"),
                                   .init(id: "43", login: "bo", folder: "bo", name: "Bo", section: nil)])
        XCTAssertThrowsError(try Roster.parse("name,email\nx,y\n", path: "r.csv")) {
            XCTAssertTrue("\($0)".hasPrefix("r.csv: the roster needs a student id column"), "\($0)")
        }
    }
}
