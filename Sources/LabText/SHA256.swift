internal import Crypto

/// SHA-256 hex digest (swift-crypto), used to check data files against the checksums in `SOURCES.md`.
///
/// ```swift
/// sha256Hex(Array("abc".utf8))  // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// ```
/// Python: `hashlib.sha256(data).hexdigest()`
public func sha256Hex(_ bytes: [UInt8]) -> String {
    SHA256.hash(data: bytes).map { byte in
        let hex = String(byte, radix: 16)
        return byte < 16 ? "0" + hex : hex
    }.joined()
}
