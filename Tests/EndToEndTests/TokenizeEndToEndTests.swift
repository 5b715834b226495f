import Foundation
import XCTest

/// `labrun tokenize` as a person runs it: GPT-2 ids equal to tiktoken's, the character tokenizer, bad input.
final class TokenizeEndToEndTests: XCTestCase {
    var root = ""

    override func setUpWithError() throws { root = try Labrun.makeRoot() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: root) }

    /// `$LABRUN_DATA_DIR`, else `../shared/data` beside the repository (as CI lays it out).
    var dataDir: String {
        if let d = ProcessInfo.processInfo.environment["LABRUN_DATA_DIR"] { return d }
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return repo.deletingLastPathComponent().appendingPathComponent("shared/data").path
    }

    func testGPT2IdsAsJSON() throws {
        // tiktoken.get_encoding("gpt2").encode("Hello world! This is tokenization."), as the issue records it.
        let out = try Labrun.run(["tokenize", "--tokenizer", "gpt2", "--data-dir", dataDir, "--json",
                                  "Hello world! This is tokenization."], root: root)
        XCTAssertEqual(out.code, 0, out.stderr)
        XCTAssertEqual(out.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
                       "[15496, 995, 0, 770, 318, 11241, 1634, 13]")
    }

    func testCharacterIdsFollowTheSortedVocabulary() throws {
        // Shakespeare's 65 characters sorted (data/SOURCES.md): "\n !$&',-.3:;?" (13), A-Z (26), a-z,
        // so 'h' = 13 + 26 + 7 = 46 and 'i' = 47.
        let out = try Labrun.run(["tokenize", "--tokenizer", "char", "--data-dir", dataDir, "--json", "hi"], root: root)
        XCTAssertEqual(out.code, 0, out.stderr)
        XCTAssertEqual(out.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "[46, 47]")
    }

    func testUnknownCharacterAndMissingDataDirectoryAreOneLineErrors() throws {
        let unknown = try Labrun.run(["tokenize", "--tokenizer", "char", "--data-dir", dataDir, "h€"], root: root)
        XCTAssertEqual(unknown.code, 2)
        XCTAssertTrue(unknown.stderr.hasPrefix("error: ") && unknown.stderr.contains("U+20AC"), unknown.stderr)
        let missing = try Labrun.run(["tokenize", "--data-dir", root + "/nope", "x"], root: root)
        XCTAssertEqual(missing.code, 2)
        XCTAssertEqual(missing.stderr.split(separator: "\n").count, 1, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("/nope"), missing.stderr)
    }
}
