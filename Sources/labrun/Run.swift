import ArgumentParser
import Foundation
import LabRunner

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a lab: print it cell by cell and write its HTML report.",
        discussion: """
            Cell options go after `swift` in the fence: hidden (runs, not shown), no-run (shown, not run), \
            should-fail (an error is expected), timeout=SECONDS, demo, parameters, id=NAME. Lines starting with \
            `//# ` run but are not shown.
            Exit status: 0 if every cell passed (should-fail cells that failed count as passed), 1 if a cell \
            failed, 2 for bad input (missing file, malformed front matter, unknown cell option, ...).
            Builds are cached by content (.labrun/cache); the last result is kept in .labrun/results.
            """)

    @Argument(help: "A slide number (the lab in Labs/ with that `slide:`) or a path to a lab file.")
    var lab: String

    @Flag(help: "Link the lab's reference exercises (Solutions/<lab>) instead of the student's (Labs/<lab>/Exercises).")
    var solutions = false

    @Option(help: ArgumentHelp("Where to write the HTML report (default: .labrun/reports/<lab>.html).", valueName: "path"))
    var report: String?

    @Option(help: ArgumentHelp("Whole-lab time limit in seconds (cells have their own: `timeout=` option, front matter `timeout:`, else 600).", valueName: "seconds"))
    var timeout: Double = 7200

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a value of the lab's `parameters` cell, e.g. --set temperature=0.8 (repeatable; an Int, Double or Bool parameter takes only a literal of its type, a String parameter any text).", valueName: "name=value"))
    var sets: [String] = []

    @Option(help: ArgumentHelp("The data directory (default: $LABRUN_DATA_DIR, else ../shared/data beside the repository). Missing known files are downloaded into it.", valueName: "dir"))
    var dataDir: String?

    @Flag(help: "Rebuild even if a cached build exists.")
    var noCache = false

    func run() throws {
        let phases = PhaseClock.shared
        let code: Int32 = reportingErrors {
            useDataDir(dataDir)
            let project = Project.current()
            let lab = try resolveLab(self.lab, project: project).applying(overrides: try parseSettings(sets))
            phases.mark("parse (YAML + cmark)")
            try prepareData(lab, project: project)
            var options = LabRunOptions()
            options.solutions = solutions
            options.useCache = !noCache
            options.labTimeout = timeout
            options.settings = sets
            let terminal = TerminalReporter()
            terminal.header(lab, path: project.displayPath(lab.path), solutions: solutions)
            let execution = try LabExecution(project: project, options: options)
            phases.mark("toolchain")
            var result = try execution.run(lab, observer: terminal)
            let reportPath = absolutePath(report ?? project.reportsDir + "/\(lab.name).html")
            try writeAtomically(Data(HTMLReport(lab: lab, result: result).render().utf8), to: reportPath, durable: false)
            phases.mark("HTML report")
            result.reportPath = project.displayPath(reportPath)
            try result.save(in: project.resultsDir)
            phases.mark("results JSON")
            terminal.summary(result)
            phases.mark("terminal")
            return result.passed ? 0 : 1
        }
        phases.printIfEnabled()
        throw ExitCode(code)
    }
}
