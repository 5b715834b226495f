// labrun site: the instructors' static course site.

import ArgumentParser
import Foundation
import LabRunner
import LabSite

struct Site: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build the static course site: every lab run against the solutions, dashboards, search, grades.",
        discussion: """
            Writes plain files (no server needed: open index.html from a folder, a course web space or GitHub \
            Pages) to site/_build/ or --output: a home page listing the labs with the status, time and key \
            figures of their last run (what the labs recorded with record(...)); a page per lab with its executed \
            cells, a table of contents, previous/next links, every cell linked to its line in the Markdown source, \
            and a training dashboard for runs that recorded curves (recordSeries) or samples (recordText); a \
            client-side search over all labs; with --gradebook, grades pages (never build those for students).

            Freezing: a lab is run again only when its lab file, its Solutions/<lab> files, the compiler or library \
            build, or the contents of a data file its front matter declares changed; otherwise its recorded result \
            is reused. A failed run is never frozen. --rerun forces labs to run.

            The look is site/theme/: Mustache templates (layout, index, lab, source, grades, summary) and \
            stylesheets (site.css; report.css, which lab reports embed too). Edit them without touching Swift.

            Exit status: 0 built, 1 a lab failed (the site is still written; --allow-failures exits 0), 2 bad input.

            Examples:
              labrun site
              labrun site --jobs 2 --rerun 22
              labrun site --rerun all
              labrun site --gradebook grades/gradebook.sqlite --pseudonyms --output /tmp/course-site
            """)

    @Option(help: ArgumentHelp("Where to write the site (replaced as a whole).", valueName: "dir"))
    var output: String?

    @Option(help: "Labs run at once.")
    var jobs = 1

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Run these labs (names or slide numbers) even if frozen; `all` for every lab.", valueName: "lab"))
    var rerun: [String] = []

    @Flag(help: "Exit 0 even when a lab failed (it is shown as failed on its page and the home page).")
    var allowFailures = false

    @Option(help: ArgumentHelp("The class gradebook (SQLite, from labrun grade --submissions): adds the grades pages.", valueName: "file"))
    var gradebook: String?

    @Flag(help: "On the grades pages, show students as student-01, student-02, ... instead of their ids.")
    var pseudonyms = false

    @Option(help: ArgumentHelp("Time limit per lab, seconds.", valueName: "seconds"))
    var timeout: Double = 1800

    func run() throws {
        let code: Int32 = reportingErrors {
            let project = Project.current()
            var options = SiteOptions(output: output ?? project.root + "/site/_build")
            options.jobs = max(1, jobs)
            options.rerun = rerun.contains("all") ? nil : Set(rerun)
            options.allowFailures = allowFailures
            options.gradebook = gradebook.map(absolutePath)
            options.pseudonyms = pseudonyms
            options.labTimeout = timeout
            let summary = try SiteBuilder(project: project, options: options).build { line in
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
            let reused = summary.labs.filter(\.reused).count
            print(String(format: "Site: %@ (%d pages, %d labs: %d ran, %d reused) in %.2f s", project.displayPath(absolutePath(options.output)),
                         summary.pages, summary.labs.count, summary.labs.count - reused, reused, summary.seconds))
            if !summary.failed.isEmpty {
                FileHandle.standardError.write(Data("error: lab\(summary.failed.count == 1 ? "" : "s") \(summary.failed.joined(separator: ", ")) failed (see the site's pages)\n".utf8))
                return allowFailures ? 0 : 1
            }
            return 0
        }
        throw ExitCode(code)
    }
}
