// labrun tokenize: see how a tokenizer cuts text (slides 24 and 30).

import ArgumentParser
import Foundation
import LabText

struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Tokenize text and show the tokens (coloured in a terminal) or their ids.",
        discussion: """
            Reads TEXT, or standard input when TEXT is not given. gpt2 is GPT-2's tokenizer (encoder.json + vocab.bpe \
            from the data directory); char, word and bpe are built from tinyshakespeare (bpe: 512 tokens trained on it), \
            or loaded from --vocab (a file saved by a char/word tokenizer, a directory with vocab.json + merges.txt for bpe).

              labrun tokenize "Hello world! This is tokenization."
              echo "To be, or not to be" | labrun tokenize --tokenizer char --json
            """)

    enum Kind: String, ExpressibleByArgument, CaseIterable { case gpt2, char, word, bpe }

    @Option(help: "The tokenizer: gpt2, char, word or bpe.")
    var tokenizer: Kind = .gpt2

    @Option(name: .customLong("data-dir"), help: "Directory with tinyshakespeare.txt and gpt2/ (default: $LABRUN_DATA_DIR, then ../shared/data beside the repository).")
    var dataDir: String?

    @Option(help: "A saved tokenizer to use instead of building one (char/word: JSON file; bpe: directory).")
    var vocab: String?

    @Flag(help: "Print the ids as a JSON array.")
    var json = false

    @Argument(help: "The text (default: read standard input).")
    var text: String?

    func run() throws {
        reportingErrors {
            let input: String
            if let text { input = text } else {
                input = try decodeStdin()
            }
            let dir = dataDir.map { URL(fileURLWithPath: $0) }
            let tok = try makeTokenizer(dataDir: dir)
            let ids = try tok.encode(input)
            if json {
                print("[" + ids.map(String.init).joined(separator: ", ") + "]")
                return
            }
            let tty = isatty(STDOUT_FILENO) == 1
            print(try render(ids, tok, colour: tty))
            print("\(ids.count) token\(ids.count == 1 ? "" : "s"), \(input.unicodeScalars.count) characters, \(input.utf8.count) bytes")
        }
    }

    func decodeStdin() throws -> String {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        guard let s = String(data: data, encoding: .utf8) else { throw TextError("standard input: not valid UTF-8") }
        return s
    }

    func makeTokenizer(dataDir: URL?) throws -> any Tokenizer {
        let saved = vocab.map { URL(fileURLWithPath: $0) }
        switch tokenizer {
        case .gpt2: return try BPETokenizer.gpt2(dataDir: dataDir)
        case .bpe: return try saved.map { try BPETokenizer.load(from: $0) } ?? BPETokenizer.train(corpus: loadCorpus("tinyshakespeare", dataDir: dataDir), vocabSize: 512)
        case .char: return try saved.map { try CharTokenizer.load(from: $0) } ?? CharTokenizer(corpus: loadCorpus("tinyshakespeare", dataDir: dataDir))
        case .word: return try saved.map { try WordTokenizer.load(from: $0) } ?? WordTokenizer(texts: [loadCorpus("tinyshakespeare", dataDir: dataDir)])
        }
    }

    /// Each token's text on a background colour of its own (cycling); without colour, tokens are separated by '|'.
    /// Tokens that end inside a UTF-8 character are shown together with the tokens that complete it.
    func render(_ ids: [Int], _ tok: any Tokenizer, colour: Bool) throws -> String {
        let backgrounds = [45, 44, 43, 42, 46, 41]   // magenta, blue, yellow, green, cyan, red
        var pieces: [String] = []
        if let bpe = tok as? BPETokenizer {
            var pending: [UInt8] = []
            for id in ids {
                pending += try bpe.tokenBytes(id)
                if let s = String(validating: pending, as: UTF8.self) { pieces.append(s); pending = [] }
            }
            if !pending.isEmpty { pieces.append(String(decoding: pending, as: UTF8.self)) }
        } else {
            pieces = try ids.map { try tok.decode([$0]) }
            if tok is WordTokenizer { pieces = pieces.enumerated().map { $0.offset == 0 ? $0.element : " " + $0.element } }
        }
        guard colour else { return pieces.joined(separator: "|") }
        return pieces.enumerated().map { i, p in
            // Newlines end the colour first so the background does not fill the rest of the line.
            let shown = p.replacingOccurrences(of: "\n", with: "\u{1B}[0m\u{1B}[2m↵\u{1B}[0m\n\u{1B}[30;\(backgrounds[i % backgrounds.count])m")
            return "\u{1B}[30;\(backgrounds[i % backgrounds.count])m\(shown)\u{1B}[0m"
        }.joined()
    }
}
