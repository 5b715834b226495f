import LabText

/// SHA-256 of `strings`, each framed by its byte count (so ["ab", "c"] and ["a", "bc"] differ): the keys of the
/// build cache and of resumable batches. Cryptographic on purpose: a submission must not be able to collide with
/// another's cached build. The digest itself is LabText's (the one that checks the data files).
func sha256Hex(_ strings: [String]) -> String {
    var bytes: [UInt8] = []
    for s in strings {
        let utf8 = Array(s.utf8)
        withUnsafeBytes(of: UInt64(utf8.count).littleEndian) { bytes += $0 }
        bytes += utf8
    }
    return LabText.sha256Hex(bytes)
}
