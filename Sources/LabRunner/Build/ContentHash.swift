// Content hashes for the build cache: two independent 64-bit FNV-1a lanes (128 bits, hex).

import Foundation

/// A 128-bit non-cryptographic content hash (cache keys, not security).
public struct ContentHash {
    var a: UInt64 = 0xcbf2_9ce4_8422_2325
    var b: UInt64 = 0x6c62_272e_07bb_0142

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var a = self.a, b = self.b
        for byte in bytes {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 &+ 0x9e37_79b9
        }
        self.a = a
        self.b = b
    }

    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }
    public mutating func update(_ s: String) { update(Array(s.utf8)); update([0]) }

    /// Adds a file's bytes (or a marker that it is missing).
    public mutating func update(file path: String) {
        if let d = FileManager.default.contents(atPath: path) {
            d.withUnsafeBytes { update($0) }
        } else {
            update("<missing \(path)>")
        }
    }

    public var hex: String {
        String(a, radix: 16).leftPadded(16) + String(b, radix: 16).leftPadded(16)
    }

    public static func of(_ bytes: [UInt8]) -> String {
        var h = ContentHash()
        h.update(bytes)
        return h.hex
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
