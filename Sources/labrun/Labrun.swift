// labrun: run the course's Markdown labs. One file per subcommand.

import ArgumentParser

@main
struct Labrun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "labrun",
        abstract: "Run the course's Markdown labs notebook-style, grade them and build the site.",
        discussion: """
            A lab is a Markdown file with YAML front matter (slide, title) and ```swift cells. All cells of a lab \
            compile into one program against LabKit (and the lab's own exercises module, Lab30 from \
            Labs/30/Exercises, or from Solutions/30 with --solutions), run in order, and write an HTML report.
            """,
        subcommands: [List.self, Run.self, Demo.self, Grade.self, Release.self, GradebookCommand.self, Site.self,
                      Tokenize.self])
}
