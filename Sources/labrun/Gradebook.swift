// labrun gradebook: the class gradebook (SQLite) written by `labrun grade --submissions`.

import ArgumentParser
import Foundation
import LabGrader

struct GradebookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradebook",
        abstract: "Export, adjust and merge the class gradebook written by `labrun grade --submissions`.",
        discussion: """
            Final score = (sum of test scores, each replaced by its override if any) × (1 − late penalty), where the \
            penalty is grading.yml's `late: {per_day, max}` applied per started day after `due` (hand-in time: \
            submission.json's submitted_at, else the newest .swift file's modification time). A whole-lab override \
            replaces the final score. Overrides live in their own table: regrading never touches them.
            """,
        subcommands: [Export.self, Override.self, Merge.self])

    struct BookOption: ParsableArguments {
        @Option(name: .customLong("gradebook"), help: "The gradebook file.")
        var path: String

        func open() throws -> Gradebook {
            guard FileManager.default.fileExists(atPath: path) else { throw GradeError.config("\(path): no such gradebook") }
            return try Gradebook(path: path)
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the gradebook as CSV (or a Canvas gradebook import).")
        @OptionGroup var book: BookOption
        @Option(help: "Only this lab (required with --canvas).") var lab: String?
        @Flag(help: "Canvas gradebook CSV (Student, ID, SIS User ID, SIS Login ID, Section, assignment) with a Points Possible row.")
        var canvas = false
        @Option(help: "Canvas assignment column title. Default: 'Lab <lab>'.") var assignment: String?
        @Option(help: "With --canvas: the class roster CSV (student_id, login, folder; optional name, section) mapping submission folders to LMS ids.")
        var roster: String?
        @Option(help: "Write to this file instead of stdout.") var output: String?

        func run() throws {
            try guarded {
                let b = try book.open()
                let text: String
                if roster != nil, !canvas { throw GradeError.config("--roster goes with --canvas") }
                if canvas {
                    guard let lab else { throw GradeError.config("--canvas needs --lab") }
                    if let roster {
                        let r = try b.exportCanvasCSV(lab: lab, assignment: assignment, roster: try Roster.load(URL(fileURLWithPath: roster)))
                        for w in r.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
                        text = r.csv
                    } else {
                        text = try b.exportCanvasCSV(lab: lab, assignment: assignment)
                    }
                } else {
                    text = try b.exportCSV(lab: lab)
                }
                if let output { try atomicWrite(Data(text.utf8), to: URL(fileURLWithPath: output)) } else { print(text, terminator: "") }
            }
        }
    }

    struct Override: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set (or --remove) a manual score for a test or a whole lab.")
        @OptionGroup var book: BookOption
        @Option(help: "Student (submission folder name).") var student: String
        @Option(help: "Lab id.") var lab: String
        @Option(help: "Test id Class/testName. Omit to override the whole lab's final score.") var test: String?
        @Option(help: "The score to record.") var score: Double?
        @Option(help: "Why (kept with the override).") var reason: String = ""
        @Flag(help: "Remove the override instead.") var remove = false

        func run() throws {
            try guarded {
                let b = try book.open()
                if remove {
                    let had = try b.removeOverride(student: student, lab: lab, test: test)
                    print(had ? "Override removed." : "There was no such override.")
                    return
                }
                guard let score else { throw GradeError.config("give --score (or --remove)") }
                try b.override(student: student, lab: lab, test: test, score: score, reason: reason)
                print("Override recorded: \(student), lab \(lab), \(test ?? "whole lab") = \(score)")
            }
        }
    }

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Merge shard gradebooks (from `labrun grade --shard i/n`) into one.")
        @Option(help: "The gradebook to merge into (created if missing).") var into: String
        @Argument(help: "Shard gradebooks.") var shards: [String]

        func run() throws {
            try guarded {
                let b = try Gradebook(path: into)
                var n = 0
                for s in shards { n += try b.merge(from: s) }
                print("Merged \(n) submission\(n == 1 ? "" : "s") from \(shards.count) gradebook\(shards.count == 1 ? "" : "s") into \(into).")
            }
        }
    }
}

private func guarded(_ body: () throws -> Void) throws {
    do { try body() } catch let e as GradeError {
        FileHandle.standardError.write(Data("error: \(e.description)\n".utf8))
        throw ExitCode(2)
    }
}
