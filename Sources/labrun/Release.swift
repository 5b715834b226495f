// labrun release: the students' version of the exercises, from the reference solutions.

import ArgumentParser
import Foundation
import LabGrader

struct Release: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate Labs/Exercises (stubs) from Solutions/Exercises, or check they are in sync.",
        discussion: """
            In Solutions/Exercises/*.swift, mark the code students write:

                public func mean(_ xs: [Double]) -> Double {
                    // BEGIN SOLUTION
                    return xs.reduce(0, +) / Double(xs.count)
                    // END SOLUTION
                }

            Each region becomes `todo("mean")` in Labs/Exercises (named after the enclosing declarations, e.g. \
            `TransformerBlock.callAsFunction`, or `// BEGIN SOLUTION Name` to choose). `todo` is defined in the \
            generated Labs/Exercises/Support.swift; it returns Never, so stubs compile, and traps with \
            "not implemented: mean", which `labrun grade` reports as not implemented. A region at type level \
            (stored properties) becomes a `// TODO` comment.

            --out DIR also writes the students' copy of the course: Labs/Exercises plus each lab's graded tests \
            without hidden/, its grading.yml listing only the shipped tests (and how many points are held back).
            """)

    @Option(help: "The course root. Default: the nearest ancestor of the current directory with Solutions/Exercises.")
    var course: String?

    @Flag(help: "Only check that Labs/Exercises is exactly what release generates (exit 1 if not).")
    var check = false

    @Option(help: "Also export the students' copy of the course (no solutions, no hidden tests) to this new directory.")
    var out: String?

    func run() throws {
        do {
            let course = try course.map { Course(root: URL(fileURLWithPath: $0)) } ?? Course.locate()
            if check {
                let problems = try LabGrader.Release.check(course: course)
                if problems.isEmpty { print("Labs/Exercises is in sync with Solutions/Exercises."); return }
                for p in problems { FileHandle.standardError.write(Data("error: \(p)\n".utf8)) }
                FileHandle.standardError.write(Data("Run `labrun release` to regenerate the stubs.\n".utf8))
                throw ExitCode(1)
            }
            let written = try LabGrader.Release.generate(course: course)
            print(written.isEmpty ? "Labs/Exercises already up to date." : "Wrote \(written.map(\.lastPathComponent).joined(separator: ", ")) in \(course.labsDir.path)")
            if let out {
                try LabGrader.Release.export(course: course, to: URL(fileURLWithPath: out))
                print("Students' copy: \(out)")
            }
        } catch let e as GradeError {
            FileHandle.standardError.write(Data("error: \(e.description)\n".utf8))
            throw ExitCode(2)
        }
    }
}
