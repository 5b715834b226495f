import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A data file the toolkit knows by name: where it lives under a data directory, its checksum and its public source.
public struct DataFile: Sendable {
    public let name: String          // "tinyshakespeare"
    public let path: String          // relative to a data directory: "tinyshakespeare.txt"
    public let sha256: String
    public let url: String           // public source, used when the file is missing and a network exists
}

/// Finds data files (corpora, vocabularies) the way every lab and `labrun` command does.
///
/// An explicit directory (`--data-dir`) is the only place looked in. Otherwise the search order is
/// `$LABRUN_DATA_DIR`, `../shared/data` beside the repository (found from the working directory and from the
/// executable), then the download cache `~/.cache/labrun/data`.
/// Known files are checked against their SHA-256; a missing known file is downloaded from its public URL when a
/// network exists, otherwise the error says where it looked and what to do.
///
/// ```swift
/// let url = try DataDirectory.locate("tinyshakespeare")
/// let text = try loadCorpus("tinyshakespeare")
/// ```
/// Python (nanoGPT): `open('input.txt').read()` after `requests.get(data_url)`.
public enum DataDirectory {
    public static let known: [DataFile] = [
        DataFile(name: "tinyshakespeare", path: "tinyshakespeare.txt",
                 sha256: "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
                 url: "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt"),
        DataFile(name: "gpt2/encoder.json", path: "gpt2/encoder.json",
                 sha256: "196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783",
                 url: "https://openaipublic.blob.core.windows.net/gpt-2/encodings/main/encoder.json"),
        DataFile(name: "gpt2/vocab.bpe", path: "gpt2/vocab.bpe",
                 sha256: "1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5",
                 url: "https://openaipublic.blob.core.windows.net/gpt-2/encodings/main/vocab.bpe"),
    ]

    /// Seconds to wait for a download before giving up (a machine without a network must fail fast, not hang).
    nonisolated(unsafe) public static var downloadTimeout: TimeInterval = 20

    /// The known file with this name or relative path (`"tinyshakespeare"`, `"tinyshakespeare.txt"`, `"gpt2/vocab.bpe"`).
    public static func file(named name: String) -> DataFile? {
        known.first { $0.name == name || $0.path == name }
    }

    /// The directories searched, in order, when no explicit data directory is given.
    public static func searchPaths() -> [URL] {
        var dirs: [URL] = []
        if let env = ProcessInfo.processInfo.environment["LABRUN_DATA_DIR"], !env.isEmpty {
            dirs.append(URL(fileURLWithPath: env))
        }
        var starts = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        if let exe = Bundle.main.executableURL { starts.append(exe.deletingLastPathComponent()) }
        for start in starts {
            var dir = start.standardizedFileURL
            while dir.path != "/" {
                if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
                    dirs.append(dir.deletingLastPathComponent().appendingPathComponent("shared/data"))
                    break
                }
                dir = dir.deletingLastPathComponent()
            }
        }
        dirs.append(cacheDirectory)
        var seen = Set<String>()
        return dirs.filter { seen.insert($0.standardizedFileURL.path).inserted }
    }

    static var cacheDirectory: URL {
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSTemporaryDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".cache/labrun/data")
    }

    /// The file for `nameOrPath`: an existing path is used as is; a known name is searched for, checked against its
    /// SHA-256, and downloaded if missing.
    public static func locate(_ nameOrPath: String, dataDir: URL? = nil, download: Bool = true) throws -> URL {
        let known = file(named: nameOrPath)
        if known == nil {
            let direct = URL(fileURLWithPath: nameOrPath)
            if FileManager.default.fileExists(atPath: direct.path) { return direct }
        }
        let relative = known?.path ?? nameOrPath
        var isDir: ObjCBool = false
        if let dataDir, !(FileManager.default.fileExists(atPath: dataDir.path, isDirectory: &isDir) && isDir.boolValue) {
            throw TextError("\(dataDir.path): the data directory does not exist")
        }
        // An explicit data directory is the only place looked in (and downloaded to).
        let dirs = dataDir.map { [$0] } ?? searchPaths()
        for dir in dirs {
            let candidate = dir.appendingPathComponent(relative)
            if FileManager.default.fileExists(atPath: candidate.path) {
                if let known { try verify(candidate, sha256: known.sha256) }
                return candidate
            }
        }
        let looked = dirs.map(\.path).joined(separator: ", ")
        guard let known else {
            throw TextError("\(nameOrPath): no such file, and not a known data file (looked in \(looked))")
        }
        guard download else {
            throw TextError("\(known.name): not found in \(looked); set LABRUN_DATA_DIR or pass --data-dir")
        }
        let target = (dataDir ?? cacheDirectory).appendingPathComponent(known.path)
        try fetch(known, to: target)
        return target
    }

    /// Checks a file against a SHA-256; a mismatch names the file and both checksums.
    public static func verify(_ url: URL, sha256 expected: String) throws {
        let actual = sha256Hex(try readFile(url))
        if actual != expected {
            throw TextError("\(url.path): checksum mismatch (sha256 \(actual), expected \(expected)); the file is corrupt or truncated: delete it and download it again")
        }
    }

    /// Downloads a known file to `target`, checking its SHA-256 before it is moved into place.
    public static func fetch(_ file: DataFile, to target: URL, from source: String? = nil) throws {
        let source = source ?? file.url
        let bytes = try httpGet(source, timeout: downloadTimeout, what: file.name)
        let actual = sha256Hex(bytes)
        guard actual == file.sha256 else {
            throw TextError("\(file.name): downloaded from \(source) but its sha256 is \(actual), expected \(file.sha256)")
        }
        try? FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try writeFile(target, bytes)
    }

    static func httpGet(_ source: String, timeout: TimeInterval, what: String) throws -> [UInt8] {
        guard let url = URL(string: source) else { throw TextError("\(what): bad URL \(source)") }
        var request = URLRequest(url: url)
        request.timeoutInterval = timeout
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = timeout
        config.timeoutIntervalForResource = timeout
        let session = URLSession(configuration: config)
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<[UInt8], TextError> = .failure(TextError("\(what): download did not finish"))
        let task = session.dataTask(with: request) { data, response, error in
            if let error {
                result = .failure(TextError("\(what): cannot download \(source) (\(error.localizedDescription)); no network? Put the file in a data directory (LABRUN_DATA_DIR or --data-dir)"))
            } else if let http = response as? HTTPURLResponse, http.statusCode != 200 {
                result = .failure(TextError("\(what): download of \(source) failed with HTTP \(http.statusCode)"))
            } else {
                result = .success([UInt8](data ?? Data()))
            }
            done.signal()
        }
        task.resume()
        if done.wait(timeout: .now() + timeout + 2) == .timedOut {
            task.cancel()
            session.invalidateAndCancel()
            throw TextError("\(what): download of \(source) timed out after \(Int(timeout)) s; no network? Put the file in a data directory (LABRUN_DATA_DIR or --data-dir)")
        }
        session.finishTasksAndInvalidate()
        return try result.get()
    }
}

/// Loads a text corpus by name (`"tinyshakespeare"`) or path, checked: it must be non-empty UTF-8.
///
/// ```swift
/// let text = try loadCorpus("tinyshakespeare")   // 1,115,394 characters
/// ```
/// Python: `with open('input.txt', 'r', encoding='utf-8') as f: text = f.read()`
public func loadCorpus(_ nameOrPath: String, dataDir: URL? = nil) throws -> String {
    let url = try DataDirectory.locate(nameOrPath, dataDir: dataDir)
    let text = try readUTF8(url)
    if text.isEmpty { throw TextError("\(url.path): the corpus is empty") }
    return text
}
