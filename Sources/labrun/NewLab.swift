// labrun new-lab: scaffold a lab with its folders, one exercise, its stub, solution and graded test.

import ArgumentParser
import Foundation
import LabGrader
import LabRunner

struct NewLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new-lab",
        abstract: "Scaffold lab N: Labs/N/lab.md, Solutions/N with one exercise, its stub, Tests/Graded/N with one graded test.",
        discussion: """
            Writes (never over an existing file):
              Labs/N/lab.md                     front matter, a parameters cell, a cell using the exercise, a demo cell
              Solutions/N/Exercise.swift        the exercise `scaled` with its BEGIN/END SOLUTION region
              Labs/N/Exercises/                 its stub and Support.swift (via `labrun release --lab N`)
              Tests/Graded/N/grading.yml        the exercise and the test's points
              Tests/Graded/N/ExerciseTests.swift  one graded test against a hand-computed value
            The scaffold passes `labrun run N --solutions` and `labrun grade --self-check --lab N`; edit it from there
            (Labs/README.md describes the format).
            """)

    @Argument(help: "The lab's number (its folder and slide), e.g. 24.")
    var number: String

    @Argument(help: "The lab's title.")
    var title: String

    @Option(help: "The slide number, if it is not the lab's number.")
    var slide: Int?

    @Option(help: "The course root. Default: the nearest ancestor of the current directory with Labs/, Solutions/ or Tests/Graded.")
    var course: String?

    func run() throws {
        do {
            guard number.range(of: #"^[A-Za-z0-9][A-Za-z0-9_-]*$"#, options: .regularExpression) != nil else {
                throw GradeError.config("lab '\(number)': use letters, digits, '-' and '_' (a folder and module name)")
            }
            guard let slide = slide ?? Int(number) else {
                throw GradeError.config("lab '\(number)' is not a number: give its slide with --slide N")
            }
            let course = try course.map { Course(root: URL(fileURLWithPath: $0)) } ?? Course.locate()
            let files = LabScaffold(lab: number, slide: slide, title: title, module: course.moduleName(number)).files
            let fm = FileManager.default
            for dir in ["Labs/\(number)", "Solutions/\(number)", "Tests/Graded/\(number)"]
            where fm.fileExists(atPath: course.root.appendingPathComponent(dir).path) {
                throw GradeError.config("\(course.root.appendingPathComponent(dir).path) already exists: lab \(number) is taken")
            }
            let solutionsExisted = fm.fileExists(atPath: course.solutionsRoot.path)
            for (path, text) in files { try atomicWrite(Data(text.utf8), to: course.root.appendingPathComponent(path)) }
            if !solutionsExisted { chmod(course.solutionsRoot.path, 0o700) }   // code under test must not read it
            let stubs = try LabGrader.Release.generate(course: course, lab: number)
            for (path, _) in files { print("wrote \(path)") }
            for url in stubs { print("wrote Labs/\(number)/Exercises/\(url.lastPathComponent) (release)") }
            print("""

                Next: labrun run \(number) --solutions; labrun grade --self-check --lab \(number); labrun run \(number) \
                (the student's view: "not written yet"). Labs/README.md describes the format.
                """)
        } catch let e as GradeError {
            FileHandle.standardError.write(Data("error: \(e.description)\n".utf8))
            throw ExitCode(2)
        }
    }
}

/// The files of a new lab: path relative to the course root → content.
struct LabScaffold {
    var lab: String
    var slide: Int
    var title: String
    var module: String

    var files: [(String, String)] {
        [("Labs/\(lab)/lab.md", labFile), ("Solutions/\(lab)/Exercise.swift", solution),
         ("Tests/Graded/\(lab)/grading.yml", grading), ("Tests/Graded/\(lab)/ExerciseTests.swift", test)]
    }

    var yamlTitle: String { "\"" + title.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }

    var labFile: String {
        """
        ---
        slide: \(slide)
        title: \(yamlTitle)
        timeout: 300
        ---

        # Lab \(lab): \(title)

        What this lab shows, in a paragraph. You write `scaled` in `Labs/\(lab)/Exercises/Exercise.swift`; run the lab
        with `labrun run \(lab)` and grade it with `labrun grade --lab \(lab)`.

        ## The settings

        Change them without editing the file: `labrun run \(lab) --set factor=3`.

        ```swift parameters
        let factor: Float = 2.0   // what scaled(_:by:) multiplies by
        ```

        ## Your exercise

        ```swift
        let x = Tensor([1, 2, 3])
        let y = scaled(x, by: factor)   // (3,)
        print("scaled:", y.scalars)
        ```

        ## Demo

        The slide's point in the terminal (`labrun demo \(lab)`).

        ```swift demo
        print("factor \\(factor): sum of scaled([1, 2, 3]) =", scaled(Tensor([1, 2, 3]), by: factor).sum().item())
        ```

        """
    }

    var solution: String {
        """
        // Lab \(lab): \(title). The reference exercise; `labrun release` turns each SOLUTION region into `todo(...)`.
        import LabKit

        /// `x` times `factor`, element by element.
        ///
        /// ```swift
        /// scaled(Tensor([1, 2, 3]), by: 2).scalars   // [2, 4, 6]
        /// ```
        /// PyTorch: `x * factor`.
        public func scaled(_ x: Tensor, by factor: Float) -> Tensor {
            // BEGIN SOLUTION
            return x * factor
            // END SOLUTION
        }

        """
    }

    var grading: String {
        """
        # Lab \(lab): points, visibility and hints of its graded tests (Labs/README.md).
        lab: "\(lab)"
        title: \(yamlTitle)
        timeout: 30
        memory_mb: 2048
        exercises:
          - id: "1"
            title: scaled
            regions: [scaled]
        tests:
          - id: ExerciseTests/testScaledMultipliesEveryElement
            exercise: "1"
            points: 1
            hint: "Multiply the tensor by the factor: every element, not just the first."

        """
    }

    var test: String {
        """
        // Lab \(lab): graded tests of `scaled`. One mistake per test, said in words a student can act on.
        import XCTest
        import LabKit
        @testable import \(module)

        final class ExerciseTests: XCTestCase {
            func testScaledMultipliesEveryElement() {
                // By hand: [1, -2, 0.5] × 3 = [3, -6, 1.5].
                let y = scaled(Tensor([1, -2, 0.5]), by: 3)
                XCTAssertEqual(y.shape, [3], "scaled must keep the shape of its input")
                XCTAssertEqual(y.scalars, [3, -6, 1.5], "every element must be multiplied by the factor")
            }
        }

        """
    }
}
