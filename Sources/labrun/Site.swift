// STUB: replaced by the owner of the static-site issue.

import ArgumentParser

struct Site: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Not yet: build the static course site (it arrives with the static-site issue).")

    func run() throws {
        print("labrun site: not implemented yet; it arrives with the static-site issue.")
        throw ExitCode(3)
    }
}
