/// GPT-2's byte-level pieces: the byte ↔ printable-character map of `encoder.json`, and the pre-tokenizer that
/// splits text before BPE, written by hand over UTF-8 bytes (Swift `Regex` is far slower).
///
/// The pre-tokenizer is exactly GPT-2's regex
/// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
/// (tiktoken's `r50k_base` pattern), checked against tiktoken on contractions, digits, whitespace runs, emoji, CJK
/// and accents (`Tests/LabTextTests/Fixtures/make_tiktoken_cases.py`).
public enum ByteLevel {
    /// GPT-2's `bytes_to_unicode()`: byte → the character that stands for it in `encoder.json` / `vocab.bpe`.
    public static let byteToChar: [Character] = {
        var bs = Array(33...126) + Array(161...172) + Array(174...255)
        var cs = bs
        var n = 0
        for b in 0..<256 where !bs.contains(b) { bs.append(b); cs.append(256 + n); n += 1 }
        var table = [Character](repeating: " ", count: 256)
        for (b, c) in zip(bs, cs) { table[b] = Character(Unicode.Scalar(UInt32(c))!) }
        return table
    }()

    /// The inverse map: character scalar value → byte.
    public static let charToByte: [UInt32: UInt8] = {
        var m: [UInt32: UInt8] = [:]
        for (b, c) in byteToChar.enumerated() { m[c.unicodeScalars.first!.value] = UInt8(b) }
        return m
    }()

    /// The printable form of a byte string (how it is spelled in `encoder.json`): `" hello"` → `"Ġhello"`.
    public static func symbol(_ bytes: some Sequence<UInt8>) -> String {
        var s = ""
        for b in bytes { s.append(byteToChar[Int(b)]) }
        return s
    }

    /// The bytes a printable symbol stands for, or nil if it has a character outside the byte map.
    public static func bytes(ofSymbol symbol: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(symbol.unicodeScalars.count)
        for u in symbol.unicodeScalars {
            guard let b = charToByte[u.value] else { return nil }
            out.append(b)
        }
        return out
    }

    /// scalar value → byte for the 256 characters of the byte map (all below U+0144), -1 elsewhere.
    static let scalarToByte: [Int16] = {
        var t = [Int16](repeating: -1, count: 0x144)
        for (b, c) in byteToChar.enumerated() { t[Int(c.unicodeScalars.first!.value)] = Int16(b) }
        return t
    }()

    /// The bytes a symbol stands for, from the symbol's UTF-8; nil if a character is outside the byte map.
    static func bytes(ofSymbolUTF8 s: ArraySlice<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = s.startIndex
        while i < s.endIndex {
            let b0 = s[i]
            var v: Int
            if b0 < 0x80 { v = Int(b0); i += 1 }
            else if b0 & 0xE0 == 0xC0, i + 1 < s.endIndex { v = Int(b0 & 0x1F) << 6 | Int(s[i + 1] & 0x3F); i += 2 }
            else { return nil }
            guard v < scalarToByte.count, scalarToByte[v] >= 0 else { return nil }
            out.append(UInt8(scalarToByte[v]))
        }
        return out
    }

    /// Splits text into GPT-2's pre-tokens (the strings BPE runs on).
    ///
    /// ```swift
    /// ByteLevel.pretokenize("Hello world's  end")  // ["Hello", " world", "'s", " ", " end"]
    /// ```
    /// Python: `regex.findall(pat, text)` in GPT-2's `encoder.py`.
    public static func pretokenize(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        var out: [String] = []
        bytes.withUnsafeBufferPointer { buf in
            var i = 0
            while i < buf.count {
                let j = nextPieceEnd(buf.baseAddress!, i, buf.count)
                out.append(String(decoding: buf[i..<j], as: UTF8.self))
                i = j
            }
        }
        return out
    }

    // Character classes of the regex: \p{L}, \p{N}, \s, and everything else.
    static let letter: UInt8 = 0, number: UInt8 = 1, space: UInt8 = 2, other: UInt8 = 3

    static let asciiClass: [UInt8] = (0..<128).map { b -> UInt8 in
        switch b {
        case 0x41...0x5A, 0x61...0x7A: return letter
        case 0x30...0x39: return number
        case 0x09...0x0D, 0x20: return space
        default: return other
        }
    }

    static func scalarClass(_ v: UInt32) -> UInt8 {
        guard let u = Unicode.Scalar(v) else { return other }
        let p = u.properties
        if p.isWhitespace { return space }
        switch p.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return letter
        case .decimalNumber, .letterNumber, .otherNumber: return number
        default: return other
        }
    }

    /// The class and byte width of the character at `i`. Bytes that are not valid UTF-8 count as one "other" character.
    @inline(__always)
    static func classify(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int, _ ascii: UnsafePointer<UInt8>) -> (UInt8, Int) {
        let b0 = p[i]
        if b0 < 0x80 { return (ascii[Int(b0)], 1) }
        return classifySlow(p, i, n)
    }

    static func classifySlow(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> (UInt8, Int) {
        let b0 = p[i]
        @inline(__always) func cont(_ k: Int) -> UInt32? {
            guard i + k < n, p[i + k] & 0xC0 == 0x80 else { return nil }
            return UInt32(p[i + k] & 0x3F)
        }
        if b0 >= 0xC2 && b0 <= 0xDF, let c1 = cont(1) {
            return (scalarClass(UInt32(b0 & 0x1F) << 6 | c1), 2)
        }
        if b0 >= 0xE0 && b0 <= 0xEF, let c1 = cont(1), let c2 = cont(2) {
            let v = UInt32(b0 & 0x0F) << 12 | c1 << 6 | c2
            if v >= 0x800 && !(0xD800...0xDFFF).contains(v) { return (scalarClass(v), 3) }
        }
        if b0 >= 0xF0 && b0 <= 0xF4, let c1 = cont(1), let c2 = cont(2), let c3 = cont(3) {
            let v = UInt32(b0 & 0x07) << 18 | c1 << 12 | c2 << 6 | c3
            if v >= 0x10000 && v <= 0x10FFFF { return (scalarClass(v), 4) }
        }
        return (other, 1)
    }

    /// The end (exclusive) of the pre-token that starts at byte `i`.
    @inline(__always)
    static func nextPieceEnd(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Int {
        asciiClass.withUnsafeBufferPointer { nextPieceEnd(p, i, n, $0.baseAddress!) }
    }

    @inline(__always)
    static func nextPieceEnd(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int, _ ascii: UnsafePointer<UInt8>) -> Int {
        let c0 = p[i]
        // 's|'t|'re|'ve|'m|'ll|'d
        if c0 == 0x27 && i + 1 < n {
            let c1 = p[i + 1]
            if c1 == 0x73 || c1 == 0x74 || c1 == 0x6D || c1 == 0x64 { return i + 2 }   // s t m d
            if i + 2 < n {
                let c2 = p[i + 2]
                if (c1 == 0x72 && c2 == 0x65) || (c1 == 0x76 && c2 == 0x65) || (c1 == 0x6C && c2 == 0x6C) { return i + 3 }
            }
        }
        var (cls, w) = classify(p, i, n, ascii)
        var j = i
        // " ?X+" : an optional ASCII space joins the run that follows it, unless a space follows.
        if c0 == 0x20 && i + 1 < n {
            let (cls2, w2) = classify(p, i + 1, n, ascii)
            if cls2 != space { j = i + 1; cls = cls2; w = w2 }
        }
        if cls != space {
            j += w
            while j < n {
                let (c, wj) = classify(p, j, n, ascii)
                if c != cls { break }
                j += wj
            }
            return j
        }
        // \s+(?!\S) | \s+ : a whitespace run leaves its last character to the next piece when a non-space follows.
        var last = i
        var count = 0
        while j < n {
            let (c, wj) = classify(p, j, n, ascii)
            if c != space { break }
            last = j
            count += 1
            j += wj
        }
        if j == n || count == 1 { return j }
        return last
    }
}
