// Splits a child's stdout or stderr into per-cell pieces at the delimiters LabChannel.beginCell writes
// (`\u{1}LABRUN:<marker>:<cell>\u{1}`), keeping at most `cap` bytes per cell.

import Foundation

/// Per-cell output of one stream.
public struct OutputSplitter {
    let prefix: [UInt8]
    /// Bytes kept per cell.
    public var cap: Int
    /// Cell receiving output now (-1 before the first cell: program start-up).
    public private(set) var current = -1
    public private(set) var kept: [Int: [UInt8]] = [:]
    /// Bytes dropped per cell because of the cap.
    public private(set) var dropped: [Int: Int] = [:]
    var pending: [UInt8] = []

    public init(marker: String, cap: Int) {
        self.prefix = Array("\u{1}LABRUN:\(marker):".utf8)
        self.cap = cap
    }

    /// Feeds a chunk; returns the pieces that became final as (cell, bytes) in order, and cell switches as
    /// (cell, nil).
    public mutating func feed(_ chunk: ArraySlice<UInt8>) -> [(cell: Int, bytes: ArraySlice<UInt8>?)] {
        var events: [(cell: Int, bytes: ArraySlice<UInt8>?)] = []
        var buf: [UInt8]
        if pending.isEmpty { buf = Array(chunk) } else { buf = pending + chunk; pending = [] }
        var start = 0
        var i = 0
        let n = buf.count
        while i < n {
            // Find the next \u{1} fast.
            let found: Int? = buf.withUnsafeBufferPointer { p in
                guard let r = memchr(p.baseAddress! + i, 1, n - i) else { return nil }
                return p.baseAddress!.distance(to: r.assumingMemoryBound(to: UInt8.self))
            }
            guard let at = found else { break }
            // Match prefix + digits + \u{1}.
            var j = at
            var k = 0
            while j < n, k < prefix.count, buf[j] == prefix[k] { j += 1; k += 1 }
            if j == n && k <= prefix.count {
                // Possibly a delimiter cut by the chunk boundary: keep it for the next chunk.
                emit(buf[start..<at], into: &events)
                pending = Array(buf[at...])
                return events
            }
            guard k == prefix.count else { i = at + 1; continue }
            var value = 0
            var digits = 0
            while j < n, buf[j] >= 48, buf[j] <= 57, digits < 9 { value = value * 10 + Int(buf[j] - 48); j += 1; digits += 1 }
            if j == n {
                emit(buf[start..<at], into: &events)
                pending = Array(buf[at...])
                return events
            }
            guard digits > 0, buf[j] == 1 else { i = at + 1; continue }
            emit(buf[start..<at], into: &events)
            current = value
            events.append((value, nil))
            i = j + 1
            start = i
        }
        emit(buf[start..<n], into: &events)
        return events
    }

    /// Any held-back bytes (the stream ended).
    public mutating func finish() -> [(cell: Int, bytes: ArraySlice<UInt8>?)] {
        var events: [(cell: Int, bytes: ArraySlice<UInt8>?)] = []
        let rest = pending
        pending = []
        emit(rest[...], into: &events)
        return events
    }

    mutating func emit(_ bytes: ArraySlice<UInt8>, into events: inout [(cell: Int, bytes: ArraySlice<UInt8>?)]) {
        guard !bytes.isEmpty else { return }
        let have = kept[current, default: []].count
        let room = max(0, cap - have)
        if room >= bytes.count {
            kept[current, default: []] += bytes
            events.append((current, bytes))
        } else {
            if room > 0 {
                kept[current, default: []] += bytes.prefix(room)
                events.append((current, bytes.prefix(room)))
            }
            dropped[current, default: 0] += bytes.count - room
        }
    }

    /// The kept output of `cell` as text.
    public func text(_ cell: Int) -> String { String(decoding: kept[cell] ?? [], as: UTF8.self) }
}
