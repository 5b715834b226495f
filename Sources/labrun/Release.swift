// labrun release: the students' version of the exercises, from the reference solutions.

import ArgumentParser
import Foundation
import LabGrader

struct Release: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate each lab's stubs (Labs/<lab>/Exercises) from its solutions (Solutions/<lab>), or check they are in sync.",
        discussion: """
            In Solutions/<lab>/*.swift, mark the code students write:

                public func mean(_ xs: [Double]) -> Double {
                    // BEGIN SOLUTION
                    return xs.reduce(0, +) / Double(xs.count)
                    // END SOLUTION
                }

            Each region becomes `todo("mean")` in Labs/<lab>/Exercises (named after the enclosing declarations, \
            e.g. `TransformerBlock.callAsFunction`, or `// BEGIN SOLUTION Name` to choose). `todo` is defined in \
            the generated Labs/<lab>/Exercises/Support.swift; it returns Never, so stubs compile, and traps with \
            "not implemented: mean", which `labrun grade` reports as not implemented. A region at type level \
            (stored properties) becomes a `// TODO` comment. Labs/README.md describes the whole layout.

            --out DIR also writes the students' copy of the course: the stubs plus each lab's graded tests \
            without hidden/, its grading.yml listing only the shipped tests (and how many points are held back).
            """)

    @Option(help: "The course root. Default: the nearest ancestor of the current directory with Solutions/.")
    var course: String?

    @Option(help: "Only this lab (a folder of Solutions/). Default: every lab with solutions.")
    var lab: String?

    @Flag(help: "Only check that each lab's Labs/<lab>/Exercises is exactly what release generates (exit 1 if not).")
    var check = false

    @Option(help: "Also export the students' copy of the course (no solutions, no hidden tests) to this new directory.")
    var out: String?

    func run() throws {
        do {
            let course = try course.map { Course(root: URL(fileURLWithPath: $0)) } ?? Course.locate()
            let labs = lab.map { [$0] } ?? LabGrader.Release.labsWithSolutions(course: course)
            guard !labs.isEmpty else { throw GradeError.config("no lab has solutions in \(course.solutionsRoot.path)") }
            if check {
                let problems = try labs.flatMap { try LabGrader.Release.check(course: course, lab: $0) }
                if problems.isEmpty { print("The stubs of lab\(labs.count == 1 ? "" : "s") \(labs.joined(separator: ", ")) are in sync with their solutions."); return }
                for p in problems { FileHandle.standardError.write(Data("error: \(p)\n".utf8)) }
                FileHandle.standardError.write(Data("Run `labrun release` to regenerate the stubs.\n".utf8))
                throw ExitCode(1)
            }
            for lab in labs {
                let written = try LabGrader.Release.generate(course: course, lab: lab)
                print(written.isEmpty ? "Lab \(lab): stubs already up to date." : "Lab \(lab): wrote \(written.map(\.lastPathComponent).joined(separator: ", ")) in \(course.exercisesDir(lab).path)")
            }
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
