// ModelCache: where course models live on disk, the lock that serialises training, and checksummed files.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import LabNN
import LabTensor
import LabText

/// A course model file that exists but cannot be used (truncated, bit-flipped, another recipe); it is retrained.
public struct ModelCacheError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// The cache directory of course models, like Hugging Face's `~/.cache/huggingface/hub`.
///
/// `$LABRUN_CACHE` if set; else `.labrun/models` under the project root: `$LABRUN_ROOT` if set, else the nearest
/// directory at or above the working directory (a lab program runs there) holding `Package.swift` or `Labs/`,
/// else the same search from the executable's directory; else `~/.cache/labrun/models`.
///
/// ```swift
/// let dir = ModelCache.directory()     // /course/.labrun/models
/// ```
/// Python: `huggingface_hub.constants.HF_HUB_CACHE` (env `HF_HUB_CACHE` overrides).
public enum ModelCache {
    public static func directory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let c = environment["LABRUN_CACHE"], !c.isEmpty { return URL(fileURLWithPath: c).standardizedFileURL }
        if let root = projectRoot(environment: environment) { return root.appendingPathComponent(".labrun/models") }
        let home = environment["HOME"] ?? NSTemporaryDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".cache/labrun/models")
    }

    /// The course repository: `$LABRUN_ROOT`, else found from the working directory or the executable.
    public static func projectRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        if let r = environment["LABRUN_ROOT"], !r.isEmpty { return URL(fileURLWithPath: r).standardizedFileURL }
        var starts = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        if let exe = Bundle.main.executableURL { starts.append(exe.deletingLastPathComponent()) }
        for start in starts {
            var dir = start.standardizedFileURL
            while dir.path != "/" && !dir.path.isEmpty {
                for marker in ["Package.swift", "Labs"] where FileManager.default.fileExists(atPath: dir.appendingPathComponent(marker).path) {
                    return dir
                }
                dir = dir.deletingLastPathComponent()
            }
        }
        return nil
    }

    /// Runs `body` holding an exclusive lock on `path` (flock(2), released when the process dies), so two processes
    /// (or threads) that both miss the cache train once: the second waits, then finds the first one's file.
    static func withLock<R>(_ path: String, waiting: () -> Void, _ body: () throws -> R) throws -> R {
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ModelCacheError("\(path): cannot open the lock file (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            waiting()
            while flock(fd, LOCK_EX) != 0 {
                guard errno == EINTR else { throw ModelCacheError("\(path): cannot lock (\(String(cString: strerror(errno))))") }
            }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    /// SHA-256 of the tensor bytes as `Safetensors.save` lays them out: names sorted, float32 little-endian.
    static func digest(_ tensors: [String: Tensor]) -> String {
        var bytes: [UInt8] = []
        for name in tensors.keys.sorted() {
            tensors[name]!.withUnsafeFloats { p, n in
                bytes.append(contentsOf: UnsafeRawBufferPointer(start: p, count: 4 * n))
            }
        }
        return sha256Hex(bytes)
    }

    /// SHA-256 of a safetensors file's data buffer (everything after the header).
    static func digest(ofFile path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path), data.count >= 8 else {
            throw ModelCacheError("\(path): cannot be read or shorter than a safetensors header")
        }
        let n = data.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard n <= UInt64(data.count - 8) else { throw ModelCacheError("\(path): header length \(n) exceeds the file") }
        return sha256Hex([UInt8](data[(8 + Int(n))...]))
    }

    /// Opens `path`, checks that it is the checkpoint for `key` and that its data matches the stored checksum.
    static func verified(_ path: String, key: String) throws -> SafetensorsReader {
        let file: SafetensorsReader
        do { file = try SafetensorsReader(path) } catch { throw ModelCacheError("\(error)") }
        guard file.metadata["labzoo.key"] == key else {
            throw ModelCacheError("\(path): made for key \(file.metadata["labzoo.key"] ?? "none"), expected \(key)")
        }
        guard let stored = file.metadata["labzoo.sha256"] else { throw ModelCacheError("\(path): no checksum in its metadata") }
        let actual = try digest(ofFile: path)
        guard actual == stored else {
            throw ModelCacheError("\(path): checksum mismatch (data sha256 \(actual), stored \(stored)): the file is corrupt")
        }
        return file
    }
}
