import ArgumentParser
struct GradebookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gradebook", abstract: "todo")
}
