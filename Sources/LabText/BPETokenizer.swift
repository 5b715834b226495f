import Foundation

/// Byte-level BPE, GPT-2 style: GPT-2's own tokenizer (`BPETokenizer.gpt2()`) and the ones you train
/// (`BPETokenizer.train(corpus:vocabSize:)`) are this type.
///
/// Text is split by GPT-2's pre-tokenizer, each piece's UTF-8 bytes start as byte tokens, and the lowest-ranked
/// adjacent pair is merged until no pair is a merge. Any UTF-8 round-trips exactly: `decode(encode(s)) == s`.
///
/// ```swift
/// let enc = try BPETokenizer.gpt2()
/// enc.encode("Hello world! This is tokenization.")  // [15496, 995, 0, 770, 318, 11241, 1634, 13]
/// enc.encode("<|endoftext|>")                        // [50256]
/// try enc.decode([15496, 995])                       // "Hello world"
/// ```
/// Python: `enc = tiktoken.get_encoding("gpt2"); enc.encode(s, allowed_special="all"); enc.decode(ids)`
public final class BPETokenizer: Tokenizer {
    /// Symbol (bytes spelled with `ByteLevel.byteToChar`, as in `encoder.json`) → id. Built on first use.
    public private(set) lazy var encoder: [String: Int] = {
        var e: [String: Int] = [:]
        for (id, b) in idBytes.enumerated() where !b.isEmpty {
            e[specialIdSet.contains(id) ? String(decoding: b, as: UTF8.self) : ByteLevel.symbol(b)] = id
        }
        return e
    }()
    /// The merges in rank order, spelled as in `vocab.bpe`. Built on first use.
    public private(set) lazy var merges: [(String, String)] = mergeIds.map {
        (ByteLevel.symbol(idBytes[Int($0.0)]), ByteLevel.symbol(idBytes[Int($0.1)]))
    }
    /// Special tokens (`<|endoftext|>`) → id; `encode` turns their literal text into that id.
    public let specialTokens: [String: Int]
    public let vocabSize: Int

    let idBytes: [[UInt8]]                  // id → bytes
    let mergeIds: [(Int32, Int32)]          // rank → (left id, right id)
    private let specialIdSet: Set<Int>
    private let byteIds: [Int32]            // byte → id of the one-byte token
    private let pairs: PairTable
    private let cache = PieceCache()
    private let lock = NSLock()             // the piece cache is shared: one encode at a time per tokenizer
    private let specialsByBytes: [([UInt8], Int)]

    /// A tokenizer from a vocabulary and merges (as in `encoder.json` and `vocab.bpe`). Every byte must have a token,
    /// and every merge's two symbols and their concatenation must be in the vocabulary.
    public convenience init(encoder: [String: Int], merges: [(String, String)], specials: [String]? = nil,
                            source: String = "vocabulary") throws {
        let specials = specials ?? (encoder["<|endoftext|>"] != nil ? ["<|endoftext|>"] : [])
        var specialIds: [String: Int] = [:]
        for s in specials {
            guard let id = encoder[s] else { throw TextError("\(source): special token \(s) is not in the vocabulary") }
            specialIds[s] = id
        }
        guard let maxId = encoder.values.max(), encoder.values.min()! >= 0 else {
            throw TextError("\(source): the vocabulary is empty or has a negative id")
        }
        var idBytes = [[UInt8]](repeating: [], count: maxId + 1)
        var seen = [Bool](repeating: false, count: maxId + 1)
        let specialSet = Set(specialIds.values)
        for (sym, id) in encoder {
            guard !seen[id] else { throw TextError("\(source): id \(id) is used twice") }
            seen[id] = true
            if specialSet.contains(id) { idBytes[id] = Array(sym.utf8); continue }
            guard let b = ByteLevel.bytes(ofSymbol: sym) else {
                throw TextError("\(source): token \(sym.debugDescription) (id \(id)) has a character outside GPT-2's byte alphabet")
            }
            idBytes[id] = b
        }
        var mergeIds: [(Int32, Int32)] = []
        mergeIds.reserveCapacity(merges.count)
        for (rank, (a, b)) in merges.enumerated() {
            guard let ia = encoder[a], let ib = encoder[b] else {
                throw TextError("\(source): merge \(rank + 1) '\(a) \(b)' uses \((encoder[a] == nil ? a : b).debugDescription), which is not in the vocabulary")
            }
            mergeIds.append((Int32(ia), Int32(ib)))
        }
        try self.init(idBytes: idBytes, mergeIds: mergeIds, specialTokens: specialIds, source: source, mergeLine: { "\(source): merge \($0 + 1)" })
    }

    /// The designated initializer: tokens as bytes, merges as pairs of ids. `mergeLine` names a merge in errors
    /// ("merges.txt line 7").
    init(idBytes: [[UInt8]], mergeIds: [(Int32, Int32)], specialTokens: [String: Int], source: String,
         mergeLine: (Int) -> String) throws {
        self.idBytes = idBytes
        self.mergeIds = mergeIds
        self.specialTokens = specialTokens
        vocabSize = idBytes.count
        specialIdSet = Set(specialTokens.values)
        let lookup = BytesTable(idBytes, skipping: specialIdSet)
        var byteIds = [Int32](repeating: -1, count: 256)
        for b in 0..<256 {
            guard let id = lookup.find([UInt8(b)]) else {
                throw TextError("\(source): no token for byte 0x\(String(b, radix: 16)) (\(String(ByteLevel.byteToChar[b]).debugDescription)); a byte-level vocabulary needs all 256")
            }
            byteIds[b] = id
        }
        self.byteIds = byteIds
        let table = PairTable(capacityFor: mergeIds.count)
        for (rank, (a, b)) in mergeIds.enumerated() {
            guard let m = lookup.find(idBytes[Int(a)] + idBytes[Int(b)]) else {
                let joined = ByteLevel.symbol(idBytes[Int(a)] + idBytes[Int(b)])
                throw TextError("\(mergeLine(rank)): the merged token \(joined.debugDescription) is not in the vocabulary")
            }
            table.insert(a, b, rank: Int32(rank), merged: m)
        }
        pairs = table
        specialsByBytes = specialTokens.map { (Array($0.key.utf8), $0.value) }.sorted { $0.0.count > $1.0.count }
    }

    // MARK: Encoding

    /// Ids for `text`; the literal text of a special token (`<|endoftext|>`) becomes its id.
    public func encode(_ text: String) -> [Int] {
        var text = text
        return text.withUTF8 { encode(bytes: $0, allowSpecial: true) }
    }

    /// Ids for `text`, treating special tokens' text as ordinary text (tiktoken's `encode_ordinary`).
    public func encodeOrdinary(_ text: String) -> [Int] {
        var text = text
        return text.withUTF8 { encode(bytes: $0, allowSpecial: false) }
    }

    /// Ids for raw bytes (need not be valid UTF-8); `decodeBytes` gives them back exactly.
    public func encode(bytes: [UInt8]) -> [Int] {
        bytes.withUnsafeBufferPointer { encode(bytes: $0, allowSpecial: false) }
    }

    func encode(bytes buf: UnsafeBufferPointer<UInt8>, allowSpecial: Bool) -> [Int] {
        lock.lock()
        defer { lock.unlock() }
        var out: [Int] = []
        out.reserveCapacity(buf.count / 3 + 8)
        guard let base = buf.baseAddress else { return out }
        let n = buf.count
        if allowSpecial && !specialsByBytes.isEmpty {
            var start = 0, i = 0
            while i < n {
                if base[i] == 0x3C, let (s, id) = specialsByBytes.first(where: { sp in
                    sp.0.count <= n - i && sp.0.withUnsafeBufferPointer { memcmp(base + i, $0.baseAddress!, $0.count) == 0 }
                }) {
                    encodeOrdinary(base + start, i - start, into: &out)
                    out.append(id)
                    i += s.count
                    start = i
                } else { i += 1 }
            }
            encodeOrdinary(base + start, n - start, into: &out)
        } else {
            encodeOrdinary(base, n, into: &out)
        }
        return out
    }

    private func encodeOrdinary(_ p: UnsafePointer<UInt8>, _ n: Int, into out: inout [Int]) {
        var scratch = [Int32](repeating: 0, count: 64)
        var ranks = [Int32](repeating: 0, count: 64)
        ByteLevel.asciiClass.withUnsafeBufferPointer { ascii in
            var i = 0
            while i < n {
                let j = ByteLevel.nextPieceEnd(p, i, n, ascii.baseAddress!)
                let len = j - i
                if len == 1 {
                    out.append(Int(byteIds[Int(p[i])]))
                } else {
                    let h = PieceCache.hash(p + i, len)
                    if !cache.lookup(p + i, len, h, into: &out) {
                        if scratch.count < len { scratch = [Int32](repeating: 0, count: len); ranks = scratch }
                        let m = len <= 256 ? merge(p + i, len, &scratch, &ranks) : mergeLong(p + i, len, &scratch)
                        scratch.withUnsafeBufferPointer { s in
                            for k in 0..<m { out.append(Int(s[k])) }
                            if len <= 256 { cache.insert(p + i, len, h, UnsafeBufferPointer(rebasing: s[0..<m])) }
                        }
                    }
                }
                i = j
            }
        }
    }

    /// BPE on one piece: start from byte tokens, merge the lowest-ranked adjacent pair (leftmost on ties) until none is
    /// a merge. Returns the number of ids left in `ids`.
    func merge(_ p: UnsafePointer<UInt8>, _ n: Int, _ ids: inout [Int32], _ ranks: inout [Int32]) -> Int {
        ids.withUnsafeMutableBufferPointer { idb in
            ranks.withUnsafeMutableBufferPointer { rb in
                let ids = idb.baseAddress!, ranks = rb.baseAddress!
                for k in 0..<n { ids[k] = byteIds[Int(p[k])] }
                var count = n
                for k in 0..<(count - 1) { ranks[k] = pairs.lookup(ids[k], ids[k + 1]).rank }
                while count > 1 {
                    var best = Int32.max, at = -1
                    for k in 0..<(count - 1) where ranks[k] < best { best = ranks[k]; at = k }
                    if at < 0 { break }
                    ids[at] = pairs.lookup(ids[at], ids[at + 1]).merged
                    // Remove ids[at + 1] and ranks[at] (the merged pair); ranks[at] becomes the pair (at, at + 2).
                    for k in (at + 1)..<(count - 1) { ids[k] = ids[k + 1] }
                    for k in at..<(count - 2) { ranks[k] = ranks[k + 1] }
                    count -= 1
                    if at > 0 { ranks[at - 1] = pairs.lookup(ids[at - 1], ids[at]).rank }
                    if at < count - 1 { ranks[at] = pairs.lookup(ids[at], ids[at + 1]).rank }
                }
                return count
            }
        }
    }

    /// The same merges for long pieces (a run of 100k letters without a space) in O(n log n): a linked list of
    /// symbols and a min-heap of (rank, position) so the lowest rank, leftmost first, merges next; stale heap
    /// entries are skipped. `merge` is the readable O(n²) reference; tests compare the two.
    func mergeLong(_ p: UnsafePointer<UInt8>, _ n: Int, _ out: inout [Int32]) -> Int {
        var ids = (0..<n).map { byteIds[Int(p[$0])] }
        var next = Array(1...n), prev = Array(-1..<(n - 1))   // next[n-1] == n means none
        var heap: [UInt64] = []
        heap.reserveCapacity(n)
        func push(_ i: Int) {
            guard i >= 0, next[i] < n else { return }
            let r = pairs.lookup(ids[i], ids[next[i]]).rank
            guard r != Int32.max else { return }
            heap.append(UInt64(UInt32(r)) << 32 | UInt64(i))
            var c = heap.count - 1
            while c > 0 { let par = (c - 1) / 2; if heap[par] <= heap[c] { break }; heap.swapAt(par, c); c = par }
        }
        func pop() -> UInt64 {
            let top = heap[0]
            let last = heap.removeLast()
            if !heap.isEmpty {
                heap[0] = last
                var c = 0
                while true {
                    let l = 2 * c + 1, r = l + 1
                    var m = c
                    if l < heap.count && heap[l] < heap[m] { m = l }
                    if r < heap.count && heap[r] < heap[m] { m = r }
                    if m == c { break }
                    heap.swapAt(c, m); c = m
                }
            }
            return top
        }
        for i in 0..<(n - 1) { push(i) }
        var alive = [Bool](repeating: true, count: n)
        while !heap.isEmpty {
            let top = pop()
            let rank = Int32(truncatingIfNeeded: top >> 32), i = Int(top & 0xFFFF_FFFF)
            guard alive[i], next[i] < n else { continue }
            let j = next[i]
            let (r, merged) = pairs.lookup(ids[i], ids[j])
            guard r == rank else { continue }   // stale: one side has merged since
            ids[i] = merged
            alive[j] = false
            next[i] = next[j]
            if next[j] < n { prev[next[j]] = i }
            push(prev[i])
            push(i)
        }
        var count = 0
        if out.count < n { out = [Int32](repeating: 0, count: n) }
        var i = 0
        while i < n { out[count] = ids[i]; count += 1; i = next[i] }
        return count
    }

    // MARK: Decoding

    /// The text for `ids`. Bytes that are not valid UTF-8 (an id sequence cut inside a character) decode to U+FFFD,
    /// as tiktoken's `decode(errors="replace")`; `decodeBytes` gives the exact bytes.
    public func decode(_ ids: [Int]) throws -> String {
        String(decoding: try decodeBytes(ids), as: UTF8.self)
    }

    /// The exact bytes for `ids`.
    public func decodeBytes(_ ids: [Int]) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(ids.count * 4)
        for id in ids { out.append(contentsOf: idBytes[try checkedId(id, vocabSize)]) }
        return out
    }

    /// The bytes of one token.
    public func tokenBytes(_ id: Int) throws -> [UInt8] { idBytes[try checkedId(id, vocabSize)] }
}
