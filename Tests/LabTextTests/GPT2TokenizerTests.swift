import XCTest
@testable import LabText

final class GPT2TokenizerTests: XCTestCase {
    static let enc: BPETokenizer = try! BPETokenizer.gpt2()
    var enc: BPETokenizer { Self.enc }

    func testIssueExampleAndEndOfText() throws {
        XCTAssertEqual(enc.encode("Hello world! This is tokenization."), [15496, 995, 0, 770, 318, 11241, 1634, 13])
        XCTAssertEqual(enc.encode("<|endoftext|>"), [50256])
        XCTAssertEqual(enc.encodeOrdinary("<|endoftext|>"), [27, 91, 437, 1659, 5239, 91, 29])
        XCTAssertEqual(enc.vocabSize, 50257)
        XCTAssertEqual(try enc.decode([50256]), "<|endoftext|>")
    }

    /// 200 tricky and random strings (contractions, digits, whitespace runs, newlines, emoji, CJK, accents, control
    /// characters) against tiktoken's ids, made by `Fixtures/make_tiktoken_cases.py`.
    func testMatchesTiktokenOnFixtureStrings() throws {
        let cases = try fixture("tiktoken_cases.json")["cases"] as! [[String: Any]]
        XCTAssertEqual(cases.count, 200)
        for c in cases {
            let s = c["text"] as! String
            XCTAssertEqual(enc.encode(s), c["ids"] as! [Int], s.debugDescription)
            XCTAssertEqual(enc.encodeOrdinary(s), c["ordinary"] as! [Int], s.debugDescription)
            XCTAssertEqual(try enc.decode(enc.encode(s)), s)
        }
    }

    func testMatchesTiktokenOnAllOfTinyShakespeare() throws {
        let ts = try fixture("tiktoken_cases.json")["tinyshakespeare"] as! [String: Any]
        let text = try loadCorpus("tinyshakespeare")
        let ids = enc.encodeOrdinary(text)
        XCTAssertEqual(ids.count, ts["count"] as! Int)
        XCTAssertEqual(Array(ids.prefix(64)), ts["first"] as! [Int])
        XCTAssertEqual(Array(ids.suffix(64)), ts["last"] as! [Int])
        XCTAssertEqual(sha256Hex(Array(ids.map(String.init).joined(separator: ",").utf8)), ts["sha256_of_comma_joined_ids"] as! String)
        XCTAssertEqual(try enc.decode(ids), text)
    }

    func testRoundTripOnRandomUnicodeAndBytes() throws {
        var rng = SplitMix64(seed: 7)
        let ranges: [ClosedRange<UInt32>] = [0x0...0x7F, 0x80...0x7FF, 0x800...0xD7FF, 0xE000...0xFFFF, 0x10000...0x10FFFF]
        for _ in 0..<300 {
            var s = ""
            for _ in 0..<Int(rng.next() % 40) {
                let r = ranges[Int(rng.next() % UInt64(ranges.count))]
                if let u = Unicode.Scalar(r.lowerBound + UInt32(rng.next() % UInt64(r.count))) { s.unicodeScalars.append(u) }
            }
            XCTAssertEqual(try enc.decode(enc.encode(s)), s)
        }
        // Arbitrary bytes, including invalid UTF-8, come back exactly through encode(bytes:) / decodeBytes.
        for _ in 0..<200 {
            let bytes = (0..<Int(rng.next() % 50)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            XCTAssertEqual(try enc.decodeBytes(enc.encode(bytes: bytes)), bytes)
        }
    }

    /// The heap-based merge for long pieces gives the same ids as the O(n²) reference merge.
    func testLongPieceMergeMatchesReference() throws {
        var rng = SplitMix64(seed: 11)
        let alphabet = Array("aaaabbbcdeeeinorsthlm".utf8) + Array("ÿé日".utf8)
        for _ in 0..<500 {
            let n = 2 + Int(rng.next() % 400)
            let bytes = (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            var s1 = [Int32](repeating: 0, count: n), r1 = s1, s2 = s1
            let a = bytes.withUnsafeBufferPointer { enc.merge($0.baseAddress!, n, &s1, &r1) }
            let b = bytes.withUnsafeBufferPointer { enc.mergeLong($0.baseAddress!, n, &s2) }
            XCTAssertEqual(Array(s1[0..<a]), Array(s2[0..<b]))
        }
        let long = String(repeating: "ab", count: 100_000)   // one 200 kB piece
        XCTAssertEqual(try enc.decode(enc.encode(long)), long)
    }

    func testPretokenizerSplitsLikeGPT2Regex() {
        XCTAssertEqual(ByteLevel.pretokenize("Hello world's  end\n\n x  "), ["Hello", " world", "'s", " ", " end", "\n\n", " x", "  "])
        XCTAssertEqual(ByteLevel.pretokenize("I'LL 123abc"), ["I", "'", "LL", " 123", "abc"])
    }

    func testDecodeRejectsUnknownId() {
        XCTAssertEqual(errorMessage(try enc.decode([50257])), "decode: id 50257 is outside the vocabulary (0..<50257)")
    }

    func testHuggingFaceFileNamesAndSaveLoad() throws {
        let dir = try temporaryDirectory(self)
        try enc.save(to: dir)
        let again = try BPETokenizer.load(from: dir)   // vocab.json + merges.txt
        XCTAssertEqual(again.encode("Hello world! This is tokenization."), [15496, 995, 0, 770, 318, 11241, 1634, 13])
        XCTAssertEqual(again.encode("<|endoftext|>"), [50256])
        XCTAssertEqual(again.merges.count, 50000)
    }

    func testCorruptFilesGiveClearErrors() throws {
        let dir = try temporaryDirectory(self)
        let good = try DataDirectory.locate("gpt2/encoder.json")
        let bytes = try Data(contentsOf: good)
        // A truncated copy where the data directory expects the real one: checksum mismatch naming the file.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("gpt2"), withIntermediateDirectories: true)
        try bytes.prefix(1000).write(to: dir.appendingPathComponent("gpt2/encoder.json"))
        let m = errorMessage(try BPETokenizer.gpt2(dataDir: dir))
        XCTAssertTrue(m.contains("gpt2/encoder.json: checksum mismatch"), m)
        // The same truncated JSON loaded directly: truncated JSON, naming the file.
        let vocab = try DataDirectory.locate("gpt2/vocab.bpe")
        let m2 = errorMessage(try BPETokenizer.load(encoder: dir.appendingPathComponent("gpt2/encoder.json"), merges: vocab))
        XCTAssertTrue(m2.contains("gpt2/encoder.json: truncated JSON (ends at byte 1000 while "), m2)
        XCTAssertTrue(m2.hasSuffix("the file is incomplete: download it again"), m2)
        // A merges file with a bad line names the line.
        let merges = dir.appendingPathComponent("merges.txt")
        try "#version: 0.2\nĠ t\nĠt\n".write(to: merges, atomically: true, encoding: .utf8)
        let m3 = errorMessage(try BPETokenizer.load(encoder: good, merges: merges))
        XCTAssertTrue(m3.hasSuffix("merges.txt line 3: expected two symbols separated by one space, got \"Ġt\""), m3)
        // A merge whose symbols are not in the vocabulary.
        try "#version: 0.2\nĠ t\nzzzq zzzq\n".write(to: merges, atomically: true, encoding: .utf8)
        let m4 = errorMessage(try BPETokenizer.load(encoder: good, merges: merges))
        XCTAssertTrue(m4.hasSuffix("merges.txt line 3: \"zzzq\" is not in the vocabulary (encoder.json)"), m4)
        // A merge whose result is not a token.
        try "#version: 0.2\nĠ t\nz q\n".write(to: merges, atomically: true, encoding: .utf8)
        let m6 = errorMessage(try BPETokenizer.load(encoder: good, merges: merges))
        XCTAssertTrue(m6.hasSuffix("merges.txt line 3: the merged token \"zq\" is not in the vocabulary"), m6)
        // Missing file.
        let m5 = errorMessage(try BPETokenizer.load(encoder: dir.appendingPathComponent("nope.json"), merges: merges))
        XCTAssertTrue(m5.hasSuffix("nope.json: no such file"), m5)
    }
}

/// A small seeded generator for test inputs.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
