import Foundation

extension BPETokenizer {
    /// Trains a byte-level BPE on a corpus, GPT-2 style: the corpus is pre-split with GPT-2's pre-tokenizer, every
    /// piece starts as bytes, and the most frequent adjacent pair (ties: the smaller pair of ids) is merged into a new
    /// token until the vocabulary has `vocabSize` tokens (256 bytes + merges + `specials`), or no pair is left.
    ///
    /// ```swift
    /// let tok = try BPETokenizer.train(corpus: text, vocabSize: 512)
    /// try tok.save(to: dir)                    // vocab.json + merges.txt
    /// ```
    /// Python (Hugging Face): `ByteLevelBPETokenizer().train_from_iterator([text], vocab_size=512)`
    public static func train(corpus: String, vocabSize: Int, specials: [String] = []) throws -> BPETokenizer {
        guard !corpus.isEmpty else { throw TextError("BPETokenizer.train: the corpus is empty") }
        guard vocabSize >= 256 + specials.count else {
            throw TextError("BPETokenizer.train: vocabSize \(vocabSize) is below the 256 byte tokens + \(specials.count) special tokens")
        }
        // Unique pieces and their counts.
        var pieceCounts: [[UInt8]: Int] = [:]
        var text = corpus
        text.withUTF8 { buf in
            var i = 0
            while i < buf.count {
                let j = ByteLevel.nextPieceEnd(buf.baseAddress!, i, buf.count)
                pieceCounts[Array(buf[i..<j]), default: 0] += 1
                i = j
            }
        }
        // Ids 0..<256 are the bytes in GPT-2's order (the printable ones first, as in encoder.json).
        var order = Array(33...126) + Array(161...172) + Array(174...255)
        for b in 0..<256 where !order.contains(b) { order.append(b) }
        var byteId = [Int32](repeating: 0, count: 256)
        var symbols: [String] = []
        var encoder: [String: Int] = [:]
        for (id, b) in order.enumerated() {
            byteId[b] = Int32(id)
            let s = String(ByteLevel.byteToChar[b])
            symbols.append(s)
            encoder[s] = id
        }
        var words: [[Int32]] = []
        var freqs: [Int] = []
        for (piece, c) in pieceCounts.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            words.append(piece.map { byteId[Int($0)] })
            freqs.append(c)
        }
        @inline(__always) func key(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(a)) << 32 | UInt64(UInt32(b)) }
        var pairCounts: [UInt64: Int] = [:]
        var where_: [UInt64: [Int]] = [:]
        for (w, word) in words.enumerated() where word.count > 1 {
            for k in 0..<(word.count - 1) {
                let p = key(word[k], word[k + 1])
                pairCounts[p, default: 0] += freqs[w]
                if where_[p]?.last != w { where_[p, default: []].append(w) }
            }
        }
        var merges: [(String, String)] = []
        let target = vocabSize - specials.count
        while symbols.count < target {
            var best: UInt64 = 0, bestCount = 0
            for (p, c) in pairCounts where c > bestCount || (c == bestCount && c > 0 && p < best) { best = p; bestCount = c }
            if bestCount == 0 { break }
            let a = Int32(truncatingIfNeeded: best >> 32), b = Int32(truncatingIfNeeded: best)
            let merged = symbols[Int(a)] + symbols[Int(b)]
            let newId: Int32
            if let existing = encoder[merged] { newId = Int32(existing) } else {
                newId = Int32(symbols.count)
                symbols.append(merged)
                encoder[merged] = Int(newId)
            }
            merges.append((symbols[Int(a)], symbols[Int(b)]))
            for w in where_[best] ?? [] {
                var word = words[w]
                guard word.count > 1 else { continue }
                let f = freqs[w]
                var has = false
                for k in 0..<(word.count - 1) where word[k] == a && word[k + 1] == b { has = true; break }
                if !has { continue }
                for k in 0..<(word.count - 1) { pairCounts[key(word[k], word[k + 1])]! -= f }
                var out: [Int32] = []
                out.reserveCapacity(word.count)
                var k = 0
                while k < word.count {
                    if k + 1 < word.count && word[k] == a && word[k + 1] == b { out.append(newId); k += 2 } else { out.append(word[k]); k += 1 }
                }
                word = out
                words[w] = word
                if word.count > 1 {
                    for k in 0..<(word.count - 1) {
                        let p = key(word[k], word[k + 1])
                        pairCounts[p, default: 0] += f
                        if where_[p]?.last != w { where_[p, default: []].append(w) }
                    }
                }
            }
            pairCounts[best] = nil
            where_[best] = nil
        }
        for s in specials where encoder[s] == nil { encoder[s] = symbols.count; symbols.append(s) }
        return try BPETokenizer(encoder: encoder, merges: merges, specials: specials, source: "BPETokenizer.train")
    }
}
