/// The two hash tables that make GPT-2 encoding fast: pair → (rank, merged id) for the merges, and a cache from a
/// pre-token's bytes to its ids. Flat open addressing over raw memory; nothing here is public.

/// (left id, right id) → (merge rank, merged id).
final class PairTable {
    private var keys: UnsafeMutablePointer<UInt64>
    private var values: UnsafeMutablePointer<UInt64>   // rank << 32 | merged id
    private let mask: Int
    private static let empty = UInt64.max

    init(capacityFor count: Int) {
        var cap = 16
        while cap < count * 2 { cap <<= 1 }
        mask = cap - 1
        keys = .allocate(capacity: cap)
        keys.initialize(repeating: Self.empty, count: cap)
        values = .allocate(capacity: cap)
        values.initialize(repeating: 0, count: cap)
    }
    deinit { keys.deallocate(); values.deallocate() }

    @inline(__always) private func slot(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask }

    /// Inserts or overwrites a pair.
    func insert(_ a: Int32, _ b: Int32, rank: Int32, merged: Int32) {
        let key = UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))
        var s = slot(key)
        while keys[s] != Self.empty && keys[s] != key { s = (s + 1) & mask }
        keys[s] = key
        values[s] = UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: merged))
    }

    /// (rank, merged) or rank Int32.max when the pair is not a merge.
    @inline(__always) func lookup(_ a: Int32, _ b: Int32) -> (rank: Int32, merged: Int32) {
        let key = UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))
        var s = slot(key)
        while true {
            let k = keys[s]
            if k == key { let v = values[s]; return (Int32(truncatingIfNeeded: v >> 32), Int32(truncatingIfNeeded: v)) }
            if k == Self.empty { return (Int32.max, -1) }
            s = (s + 1) & mask
        }
    }
}

/// Pre-token bytes → token ids. Keys and values live in two growing arenas; the table holds offsets.
final class PieceCache {
    private struct Entry { var hash: UInt64; var keyOff: Int32; var keyLen: Int32; var valOff: Int32; var valLen: Int32 }
    private var table: UnsafeMutablePointer<Entry>
    private var capacity: Int
    private(set) var count = 0
    private var keyArena: [UInt8] = []
    private var valArena: [Int32] = []
    static let maxEntries = 1 << 20

    init() {
        capacity = 1 << 14
        table = .allocate(capacity: capacity)
        table.initialize(repeating: Entry(hash: 0, keyOff: -1, keyLen: 0, valOff: 0, valLen: 0), count: capacity)
        keyArena.reserveCapacity(1 << 16)
        valArena.reserveCapacity(1 << 14)
    }
    deinit { table.deallocate() }

    @inline(__always) static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in 0..<n { h = (h ^ UInt64(p[i])) &* 0x100_0000_01b3 }
        return h
    }

    /// Calls `body` with the cached ids of the piece and returns true, or returns false when it is not cached.
    @inline(__always)
    func lookup(_ p: UnsafePointer<UInt8>, _ n: Int, _ h: UInt64, into out: inout [Int]) -> Bool {
        let mask = capacity - 1
        var s = Int(truncatingIfNeeded: (h &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
        while true {
            let e = table[s]
            if e.keyOff < 0 { return false }
            if e.hash == h && Int(e.keyLen) == n {
                let equal = keyArena.withUnsafeBufferPointer { kb -> Bool in
                    let k = kb.baseAddress! + Int(e.keyOff)
                    for i in 0..<n where k[i] != p[i] { return false }
                    return true
                }
                if equal {
                    valArena.withUnsafeBufferPointer { vb in
                        let v = vb.baseAddress! + Int(e.valOff)
                        for i in 0..<Int(e.valLen) { out.append(Int(v[i])) }
                    }
                    return true
                }
            }
            s = (s + 1) & mask
        }
    }

    func insert(_ p: UnsafePointer<UInt8>, _ n: Int, _ h: UInt64, _ ids: UnsafeBufferPointer<Int32>) {
        if count >= Self.maxEntries { clear() }
        if (count + 1) * 2 > capacity { grow() }
        let e = Entry(hash: h, keyOff: Int32(keyArena.count), keyLen: Int32(n), valOff: Int32(valArena.count), valLen: Int32(ids.count))
        keyArena.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        valArena.append(contentsOf: ids)
        place(e)
        count += 1
    }

    private func place(_ e: Entry) {
        let mask = capacity - 1
        var s = Int(truncatingIfNeeded: (e.hash &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
        while table[s].keyOff >= 0 { s = (s + 1) & mask }
        table[s] = e
    }

    private func grow() {
        let old = table, oldCap = capacity
        capacity *= 2
        table = .allocate(capacity: capacity)
        table.initialize(repeating: Entry(hash: 0, keyOff: -1, keyLen: 0, valOff: 0, valLen: 0), count: capacity)
        for i in 0..<oldCap where old[i].keyOff >= 0 { place(old[i]) }
        old.deallocate()
    }

    func clear() {
        table.update(repeating: Entry(hash: 0, keyOff: -1, keyLen: 0, valOff: 0, valLen: 0), count: capacity)
        keyArena.removeAll(keepingCapacity: true)
        valArena.removeAll(keepingCapacity: true)
        count = 0
    }
}

/// Token bytes → id, for building the merge table without String hashing. Each slot packs a 32-bit hash of the
/// key with its id, so a probe compares bytes only when the hashes agree.
final class BytesTable {
    private var slots: [UInt64]             // hash << 32 | id, or UInt64.max when empty
    private let idBytes: [[UInt8]]
    private let mask: Int

    init(_ idBytes: [[UInt8]], skipping: Set<Int>) {
        self.idBytes = idBytes
        var cap = 16
        while cap < idBytes.count * 2 { cap <<= 1 }
        mask = cap - 1
        slots = [UInt64](repeating: .max, count: cap)
        for (id, b) in idBytes.enumerated() where !skipping.contains(id) && !b.isEmpty {
            let h = b.withUnsafeBufferPointer { Self.hash($0) }
            if find(b, h) == nil {
                var s = Int(truncatingIfNeeded: h) & mask
                while slots[s] != .max { s = (s + 1) & mask }
                slots[s] = h << 32 | UInt64(id)
            }
        }
    }

    private static func hash(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for x in b { h = (h ^ UInt64(x)) &* 0x100_0000_01b3 }
        return (h &* 0x9E37_79B9_7F4A_7C15) >> 32
    }

    func find(_ b: [UInt8]) -> Int32? { find(b, b.withUnsafeBufferPointer { Self.hash($0) }) }

    private func find(_ b: [UInt8], _ h: UInt64) -> Int32? {
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let v = slots[s]
            if v == .max { return nil }
            if v >> 32 == h {
                let id = Int(truncatingIfNeeded: v & 0xFFFF_FFFF)
                if idBytes[id] == b { return Int32(id) }
            }
            s = (s + 1) & mask
        }
    }
}
