// STUB: replaced by the owner of the text-toolkit issue.

import ArgumentParser

struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Not yet: tokenize text with the course tokenizers (it arrives with the text-toolkit issue).")

    func run() throws {
        print("labrun tokenize: not implemented yet; it arrives with the text-toolkit issue.")
        throw ExitCode(3)
    }
}
