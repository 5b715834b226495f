import XCTest
@testable import LabText

final class BPETrainAndPipelineTests: XCTestCase {
    /// Hand count on "low low low lower newest newest": pieces low, " low"×2, " lower", " newest"×2.
    /// Pair counts: (l,o) 4, (o,w) 4, (Ġ,l) 3, (w,e) 3, ... (ties go to the smaller pair of ids; l < o).
    func testFirstMergesAreTheMostFrequentPairs() throws {
        let tok = try BPETokenizer.train(corpus: "low low low lower newest newest", vocabSize: 259)
        XCTAssertEqual(tok.merges.map { "\($0.0) \($0.1)" }, ["l o", "lo w", "Ġ low"])
        XCTAssertEqual(tok.vocabSize, 259)
        XCTAssertEqual(tok.encode(" low"), [258])
        XCTAssertEqual(tok.encode("!"), [0])          // byte ids in GPT-2's order
    }

    func testTrainedTokenizerRoundTripsAnyUTF8AndSavesAndLoads() throws {
        let corpus = String(try loadCorpus("tinyshakespeare").prefix(200_000))
        let tok = try BPETokenizer.train(corpus: corpus, vocabSize: 400, specials: ["<|endoftext|>"])
        XCTAssertEqual(tok.vocabSize, 400)
        XCTAssertEqual(tok.encode("<|endoftext|>"), [399])
        let ids = tok.encode(corpus)
        XCTAssertLessThan(ids.count, corpus.utf8.count * 6 / 10)   // merges compress
        XCTAssertEqual(try tok.decode(ids), corpus)
        for s in ["emoji 😀👍🏽 👨‍👩‍👧", "日本語のテキスト", "  \t\n\n   x  ", "café naïve", "\u{0}\u{7F}\u{FFFD}", ""] {
            XCTAssertEqual(try tok.decode(tok.encode(s)), s)
        }
        let bytes: [UInt8] = [0xFF, 0xFE, 0x80, 0x41, 0xC3]   // not UTF-8
        XCTAssertEqual(try tok.decodeBytes(tok.encode(bytes: bytes)), bytes)
        let dir = try temporaryDirectory(self)
        try tok.save(to: dir)
        let back = try BPETokenizer.load(from: dir)
        XCTAssertEqual(back.encode(corpus), ids)
        XCTAssertEqual(back.encode("<|endoftext|>"), [399])
    }

    func testTrainBadInput() {
        XCTAssertEqual(errorMessage(try BPETokenizer.train(corpus: "", vocabSize: 300)), "BPETokenizer.train: the corpus is empty")
        XCTAssertTrue(errorMessage(try BPETokenizer.train(corpus: "abc", vocabSize: 100)).contains("below the 256 byte tokens"))
    }

    func testPipelineCountsWhatEachStepRemoved() throws {
        let p = DataPipeline(minCharacters: 20, maxCharacters: 200, minLetterRatio: 0.6, maxRepeatedLineFraction: 0.3)
        let good = "The quick brown fox jumps over the lazy dog."
        p.collect("web", documents: [good, good, "too short", "1234567890 !!!! ???? 1234567890 ####",
                                     String(repeating: "long text ", count: 30)])
        p.collect("forum", documents: ["buy now\nbuy now\nbuy now\nbuy now\nclick here", good + " Again, differently."])
        let r = try p.run(tokenizer: CharTokenizer(corpus: good + " Again, differently."))
        XCTAssertEqual(r.steps.map(\.removed), [0, 1, 1, 1, 1, 1])
        XCTAssertEqual(r.steps.map(\.remaining), [7, 6, 5, 4, 3, 2])
        XCTAssertEqual(r.documents, [good, good + " Again, differently."])
        XCTAssertEqual(r.tokenCount, good.count * 2 + 20)
        XCTAssertTrue(r.description.contains("exact duplicates"))
        XCTAssertEqual(DataPipeline.repeatedLineFraction("a\nb\na\na"), 0.5)
        XCTAssertEqual(DataPipeline.letterRatio("ab 12"), 0.5)
        XCTAssertEqual(errorMessage(try DataPipeline().run(tokenizer: CharTokenizer(corpus: "a"))), "DataPipeline.run: no documents collected (call collect first)")
    }

    func testPipelineSummaryKeepsColumnsAlignedForLongStepNames() throws {
        // "too long (> 100000 chars)" is 25 characters: longer than the old fixed 24-character name column.
        let p = DataPipeline(minCharacters: 1, maxCharacters: 100_000)
        p.collect("web", documents: ["Some words here.", "Some words here."])
        let lines = try p.run(tokenizer: CharTokenizer(corpus: "Some words here.")).description.split(separator: "\n").dropLast()
        XCTAssertTrue(lines.contains { $0.hasPrefix("too long (> 100000 chars) ") }, "the step name must not be cut: \(lines)")
        // Every row's counts end where the header's "remaining" ends.
        XCTAssertEqual(Set(lines.map(\.count)).count, 1, "rows of different widths:\n" + lines.joined(separator: "\n"))
    }
}
