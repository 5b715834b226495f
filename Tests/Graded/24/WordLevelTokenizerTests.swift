// Lab 24, exercise 1: WordLevelTokenizer (a real unknown id, first-appearance ids, decode of unknowns).
import XCTest
@testable import Lab24

final class WordLevelTokenizerTests: XCTestCase {
    func testUnknownWordGetsTheUnknownId() {
        let tok = WordLevelTokenizer(texts: ["the cat sat"])
        XCTAssertEqual(tok.encode("the dog sat"), [1, 0, 3],
                       "With the vocabulary built from \"the cat sat\", \"the dog sat\" should encode as [1, 0, 3]: the=1, cat=2, sat=3, and the unknown word dog gets the unknown id 0.")
    }

    func testNoRealWordHasTheUnknownId() {
        // The slide's bug: the first word of the vocabulary gets id 0, the id unknown words get.
        let tok = WordLevelTokenizer(texts: ["the cat sat on the mat", "the dog ran"])
        for w in ["the", "cat", "sat", "on", "mat", "dog", "ran"] {
            let ids = tok.encode(w)
            XCTAssertEqual(ids.count, 1, "encode(\"\(w)\") should give one id")
            XCTAssertNotEqual(ids.first, WordLevelTokenizer.unknownId,
                              "The word \"\(w)\" got id 0, which is reserved for <UNK>: then an unknown word and \"\(w)\" are the same token. Put <UNK> at id 0 first and give the words ids from 1.")
        }
        XCTAssertEqual(tok.vocab[WordLevelTokenizer.unknown], 0, "vocab[\"<UNK>\"] should be 0")
        XCTAssertEqual(tok.words.first, WordLevelTokenizer.unknown, "words[0] should be \"<UNK>\"")
    }

    func testDecodeOfAnUnknownWordIsUNK() {
        let tok = WordLevelTokenizer(texts: ["the cat sat"])
        XCTAssertEqual(tok.decode(tok.encode("the bird sat")), "the <UNK> sat",
                       "An unknown word must come back as <UNK>, not as a real word: decode id 0 as \"<UNK>\".")
    }

    func testIdsInOrderOfFirstAppearance() {
        let tok = WordLevelTokenizer(texts: ["b a b", "c a"])
        XCTAssertEqual(tok.words, ["<UNK>", "b", "a", "c"],
                       "Words get ids 1, 2, 3, … in the order they first appear across the texts (each word once), after <UNK> at 0.")
        XCTAssertEqual(tok.vocabSize, 4, "vocabSize counts <UNK> and each distinct word once")
        XCTAssertEqual(tok.vocab, ["<UNK>": 0, "b": 1, "a": 2, "c": 3], "vocab must be the inverse of words")
    }

    func testLowercasesAndSplitsOnWhitespace() {
        let tok = WordLevelTokenizer(texts: ["the cat sat"])
        XCTAssertEqual(tok.encode("The  CAT\nsat"), [1, 2, 3],
                       "Words are lower-cased and split on any whitespace (spaces, newlines, runs of them), like text.lower().split(): use WordLevelTokenizer.split.")
        XCTAssertEqual(tok.decode([1, 2, 3]), "the cat sat", "decode joins the words with single spaces")
    }
}
