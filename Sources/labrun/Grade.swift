// STUB: replaced by the owner of issue #5.

import ArgumentParser

struct Grade: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Not yet: grade student submissions (it arrives with issue #5).")

    func run() throws {
        print("labrun grade: not implemented yet; it arrives with issue #5.")
        throw ExitCode(3)
    }
}
