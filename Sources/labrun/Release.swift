// STUB: replaced by the owner of issue #5.

import ArgumentParser

struct Release: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Not yet: make student stubs from Solutions/ (it arrives with issue #5).")

    func run() throws {
        print("labrun release: not implemented yet; it arrives with issue #5.")
        throw ExitCode(3)
    }
}
