import ArgumentParser
import Foundation
import LabRunner

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a slide's `demo` cells in the terminal, with parameters overridden.",
        discussion: """
            Runs the cells marked `demo` (and the `parameters` cell they read) and shows their output only. \
            --set NAME=VALUE replaces `let NAME = ...` in the parameters cell (papermill style), e.g. \
            `labrun demo 22 --set temperature=0.8`.
            """)

    @Argument(help: "A slide number or a path to a lab file.")
    var slide: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a value of the lab's `parameters` cell, as for `labrun run` (repeatable).", valueName: "name=value"))
    var sets: [String] = []

    @Flag(help: "Link the lab's reference exercises (Solutions/<lab>).")
    var solutions = false

    func run() throws {
        let code: Int32 = reportingErrors {
            let project = Project.current()
            let lab = try resolveLab(slide, project: project).applying(overrides: try parseSettings(sets))
            let demo = lab.cells.filter { $0.options.demo || $0.options.parameters }.map(\.index)
            guard lab.cells.contains(where: { $0.options.demo }) else {
                throw LabError(lab.path, "no cells marked `demo` (```swift demo)")
            }
            var options = LabRunOptions()
            options.solutions = solutions
            options.only = Set(demo)
            let terminal = TerminalReporter()
            terminal.showCode = false
            let result = try LabExecution(project: project, options: options).run(lab, observer: terminal)
            if let e = result.error { fail(e, code: 1) }
            return result.passed ? 0 : 1
        }
        throw ExitCode(code)
    }
}
