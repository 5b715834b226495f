import Foundation
import XCTest

/// Lab 24 (tokenization) end to end with the real `labrun`: GPT-2's ids for the slide's sentence and back, the slide's
/// bug (the bird becomes a cat) and its fix, the BPE merge loop, compression growing with the vocabulary.
final class Lab24Tests: CourseLabTestCase {
    func testQuickRunWithSolutions() throws {
        let text = try runWithSolutions("24", ["--set", "trainChars=100000", "--set", "handChars=5000"])
        // GPT-2's tokenizer on the slide's sentence (ids as tiktoken gives them: issue 12).
        XCTAssertTrue(text.contains("encode: [15496, 995, 0, 770, 318, 11241, 1634, 13]\n"), text)
        XCTAssertTrue(text.contains("decode: \"Hello world! This is tokenization.\"\ndecode(encode(s)) == s"), text)
        // The slide's SimpleTokenizer: sorted vocabulary, id 0 is "cat"; the fix keeps the bird unknown.
        XCTAssertTrue(text.contains("encode(\"the bird sat\") = [6, 0, 5]\ndecode(encode(\"the bird sat\")) = \"the cat sat\""), text)
        XCTAssertTrue(text.contains("encode(\"the bird sat\") = [1, 0, 3]\ndecode(encode(\"the bird sat\")) = \"the <UNK> sat\""), text)
        // Wikipedia's example: aa first, 11 tokens down to 5.
        XCTAssertTrue(text.contains("merge (97, 97) \"aa\" (seen 4×) -> id 256"), text)
        XCTAssertTrue(text.contains("(5 tokens)\n"), text)
        // Compression: bytes are 1 char/token on ASCII text, and it grows with the vocabulary.
        var ratios: [Double] = []
        for v in [256, 512, 1024] {
            let line = try match(#"vocab \#(v): [0-9]+ merges, trained in [^,]+, [0-9.]+ characters per token"#, in: text)
            ratios.append(try XCTUnwrap(numbers(String(line.split(separator: ",").last!)).first))
        }
        XCTAssertEqual(ratios[0], 1.0, accuracy: 1e-9, "vocab 256 is bytes: one character per token")
        XCTAssertGreaterThan(ratios[1], ratios[0] + 0.3, "\(ratios)")
        XCTAssertGreaterThan(ratios[2], ratios[1] + 0.1, "\(ratios)")
        XCTAssertTrue(text.contains("first merges (vocab 1024): "), text)
    }

    func testGradedTestsSelfCheck() throws {
        try assertSelfCheck("24", exercises: ["WordLevelTokenizer.init", "WordLevelTokenizer.encode",
                                              "WordLevelTokenizer.decode", "countPairs", "mostFrequentPair", "merge"],
                            reached: ["WordLevelTokenizer.init", "countPairs", "mostFrequentPair", "merge"], minimumTests: 10)
    }
}
