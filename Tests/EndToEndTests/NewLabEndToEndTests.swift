import Foundation
import XCTest

/// `labrun new-lab N "Title"` in an empty course: the scaffold runs with its solutions, passes the grader's
/// self-check, tells a student which exercise to write, and never overwrites an existing lab.
final class NewLabEndToEndTests: XCTestCase {
    var root = ""

    override func setUpWithError() throws { root = try Labrun.makeRoot() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: root) }

    func testScaffoldRunsPassesSelfCheckAndNamesTheExercise() throws {
        let made = try Labrun.run(["new-lab", "7", "Scaling a tensor"], root: root)
        XCTAssertEqual(made.code, 0, made.stdout + made.stderr)
        for f in ["Labs/7/lab.md", "Labs/7/Exercises/Exercise.swift", "Labs/7/Exercises/Support.swift",
                  "Labs/7/Exercises/.release.json", "Solutions/7/Exercise.swift", "Tests/Graded/7/grading.yml",
                  "Tests/Graded/7/ExerciseTests.swift"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/" + f), "new-lab did not write \(f)")
        }

        let list = try Labrun.run(["list"], root: root)
        XCTAssertTrue(list.stdout.contains("Scaling a tensor"), list.stdout)

        let solutions = try Labrun.run(["run", "7", "--solutions"], root: root)
        XCTAssertEqual(solutions.code, 0, solutions.stdout + solutions.stderr)
        XCTAssertTrue(solutions.stdout.contains("scaled: [2.0, 4.0, 6.0]"), solutions.stdout)   // factor 2, by hand
        let set = try Labrun.run(["run", "7", "--solutions", "--set", "factor=3"], root: root)
        XCTAssertTrue(set.stdout.contains("scaled: [3.0, 6.0, 9.0]"), set.stdout)

        let check = try Labrun.run(["grade", "--self-check", "--lab", "7", "--course", root], root: root,
                                   env: ["LABRUN_GRADE_CACHE": root + "/.cache"], timeout: 600)
        XCTAssertEqual(check.code, 0, check.stdout + check.stderr)

        // The student's first run: the stub, in words, with the exercise id from grading.yml and the file to open.
        let student = try Labrun.run(["run", "7"], root: root)
        XCTAssertEqual(student.code, 1, student.stdout + student.stderr)
        XCTAssertTrue(student.stdout.contains("exercise 1 (scaled) is not written yet: open Labs/7/Exercises/Exercise.swift"), student.stdout)
        XCTAssertFalse(student.stdout.contains("SIGILL"), student.stdout)

        let again = try Labrun.run(["new-lab", "7", "Other"], root: root)
        XCTAssertEqual(again.code, 2)
        XCTAssertTrue(again.stderr.contains("already exists"), again.stderr)
        XCTAssertTrue(try String(contentsOfFile: root + "/Labs/7/lab.md", encoding: .utf8).contains("Scaling a tensor"))
    }
}
