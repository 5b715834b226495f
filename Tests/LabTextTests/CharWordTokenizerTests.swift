import XCTest
@testable import LabText

final class CharWordTokenizerTests: XCTestCase {
    func testCharTokenizerOnTinyShakespeareMatchesSlide30() throws {
        let text = try loadCorpus("tinyshakespeare")
        let tok = try CharTokenizer(corpus: text)
        XCTAssertEqual(tok.vocabSize, 65)
        XCTAssertEqual(String(tok.itos), "\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        XCTAssertEqual(try tok.encode("hii there"), [46, 47, 47, 1, 58, 46, 43, 56, 43])   // nanoGPT's printout
        XCTAssertEqual(try tok.decode(tok.encode("hii there")), "hii there")
    }

    func testCharTokenizerUnknownCharacterIsAnError() throws {
        let tok = try CharTokenizer(corpus: "abc")
        XCTAssertEqual(errorMessage(try tok.encode("abz")),
                       "CharTokenizer.encode: character \"z\" (U+7A) at position 2 is not in the vocabulary of 3 characters")
        XCTAssertEqual(errorMessage(try CharTokenizer(corpus: "")), "CharTokenizer(corpus:): the corpus is empty")
        XCTAssertEqual(errorMessage(try tok.decode([3])), "decode: id 3 is outside the vocabulary (0..<3)")
    }

    func testCharTokenizerCountsCodePointsLikePython() throws {
        let tok = try CharTokenizer(corpus: "a\r\nb👍🏽")
        XCTAssertEqual(tok.vocabSize, 6)   // Python: len(set("a\r\nb👍🏽")) == 6
        XCTAssertEqual(try tok.decode(tok.encode("b\r\n👍🏽a")), "b\r\n👍🏽a")
    }

    func testWordTokenizerUnknownIsARealId() throws {
        let tok = try WordTokenizer(texts: ["The cat sat", "the dog ran"])
        XCTAssertEqual(tok.itos, ["<unk>", "the", "cat", "sat", "dog", "ran"])
        XCTAssertEqual(tok.encode("the bird sat"), [1, 0, 3])
        XCTAssertEqual(try tok.decode([1, 0, 3]), "the <unk> sat")
    }

    /// The slide's behaviour: unknown → 0, and 0 is "the", so decoding silently turns "bird" into "the".
    func testSlideBehaviourCollidesWithARealWord() throws {
        let tok = try WordTokenizer(texts: ["the cat sat"], unknownAsFirstWord: true)
        XCTAssertEqual(tok.encode("the bird sat"), [0, 0, 2])
        XCTAssertEqual(try tok.decode(tok.encode("the bird sat")), "the the sat")
    }

    func testSaveAndLoad() throws {
        let dir = try temporaryDirectory(self)
        let c = try CharTokenizer(corpus: "hello, world\n")
        try c.save(to: dir.appendingPathComponent("char.json"))
        XCTAssertEqual(try CharTokenizer.load(from: dir.appendingPathComponent("char.json")).itos, c.itos)
        let w = try WordTokenizer(texts: ["a b c"])
        try w.save(to: dir.appendingPathComponent("word.json"))
        let w2 = try WordTokenizer.load(from: dir.appendingPathComponent("word.json"))
        XCTAssertEqual(w2.itos, w.itos)
        XCTAssertFalse(w2.unknownAsFirstWord)
        XCTAssertTrue(errorMessage(try CharTokenizer.load(from: dir.appendingPathComponent("word.json"))).hasSuffix("word.json: a 'word' tokenizer, expected 'char'"))
        try "{\"type\": \"ch".write(to: dir.appendingPathComponent("bad.json"), atomically: true, encoding: .utf8)
        XCTAssertTrue(errorMessage(try CharTokenizer.load(from: dir.appendingPathComponent("bad.json"))).contains("bad.json: not a tokenizer file"))
    }
}
