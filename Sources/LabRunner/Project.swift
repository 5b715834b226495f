// Where things live: the repository root, Labs/, Solutions/, .labrun/{cache,results}.

import Foundation

/// The course repository labrun works in.
public struct Project: Sendable {
    /// The repository root: the nearest directory at or above the working directory holding `Labs/` or
    /// `Package.swift`; env `LABRUN_ROOT` overrides.
    public var root: String

    public init(root: String) { self.root = root }

    /// Finds the project from env `LABRUN_ROOT` or the working directory.
    public static func current() -> Project {
        let env = ProcessInfo.processInfo.environment
        if let r = env["LABRUN_ROOT"], !r.isEmpty { return Project(root: absolutePath(r)) }
        let fm = FileManager.default
        var dir = fm.currentDirectoryPath
        while true {
            if fm.fileExists(atPath: dir + "/Labs") || fm.fileExists(atPath: dir + "/Package.swift") {
                return Project(root: dir)
            }
            let parent = (dir as NSString).deletingLastPathComponent
            if parent == dir || parent.isEmpty { return Project(root: fm.currentDirectoryPath) }
            dir = parent
        }
    }

    public var labsDir: String { root + "/Labs" }
    public var solutionsDir: String { root + "/Solutions" }
    public var stateDir: String { root + "/.labrun" }
    public var cacheDir: String { stateDir + "/cache" }
    public var resultsDir: String { stateDir + "/results" }
    public var reportsDir: String { stateDir + "/reports" }

    /// The lab's exercise sources, the sources of its own module (`Lab30` for `Labs/30/lab.md`):
    /// `Labs/30/Exercises` (the student's) or `Solutions/30` (the reference, with `solutions`).
    /// A lab that is a single Markdown file (`Labs/notes.md`) has no exercises.
    public func exercisesDir(lab: String, solutions: Bool) -> String {
        solutions ? solutionsDir + "/" + lab : labsDir + "/" + lab + "/Exercises"
    }

    /// `Tests/Graded/<lab>`: the lab's graded tests and `grading.yml`.
    public func gradedDir(lab: String) -> String { root + "/Tests/Graded/" + lab }

    /// The data directory: env `LABRUN_DATA_DIR`, else `../shared/data` next to the repository.
    public var dataDir: String {
        if let d = ProcessInfo.processInfo.environment["LABRUN_DATA_DIR"], !d.isEmpty { return absolutePath(d) }
        return ((root as NSString).deletingLastPathComponent as NSString).appendingPathComponent("shared/data")
    }

    /// The lab files: `Labs/<lab>/lab.md` (a lab with its own folder: exercises, solutions and graded tests
    /// under the same name) and single-file labs `Labs/*.md`; sorted by lab name (numerically).
    public func labFiles() -> [String] {
        let fm = FileManager.default
        let names = (try? fm.contentsOfDirectory(atPath: labsDir)) ?? []
        var files: [String] = []
        for n in names where !n.hasPrefix(".") {
            let path = labsDir + "/" + n
            if n.hasSuffix(".md"), n != "README.md" { files.append(path) }
            else if fm.fileExists(atPath: path + "/lab.md") { files.append(path + "/lab.md") }
        }
        return files.sorted { Lab.name(forPath: $0).localizedStandardCompare(Lab.name(forPath: $1)) == .orderedAscending }
    }

    /// `path` relative to the root if it is inside it, else absolute.
    public func displayPath(_ path: String) -> String {
        let abs = absolutePath(path)
        return abs.hasPrefix(root + "/") ? String(abs.dropFirst(root.count + 1)) : abs
    }
}

/// `path` made absolute against the working directory and normalised.
public func absolutePath(_ path: String) -> String {
    let p = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    return (p as NSString).standardizingPath
}

/// Writes `data` to `path` atomically (temp file in the same directory + rename), creating directories: a reader
/// sees the old file or the new one, never a part. `durable` also syncs the data to disk before the rename (a few
/// ms per file on ext4); without it a power cut right after the run may lose the new file, which a run's report and
/// results can afford (run the lab again), and a warm re-run saves those milliseconds.
public func writeAtomically(_ data: Data, to path: String, durable: Bool = true) throws {
    let dir = (path as NSString).deletingLastPathComponent
    if access(dir, W_OK) != 0 { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
    let tmp = dir + "/.\((path as NSString).lastPathComponent).\(getpid()).tmp"
    if durable {
        try data.write(to: URL(fileURLWithPath: tmp))   // Foundation syncs the file before closing it
    } else {
        try writeFile(data, to: tmp)
    }
    guard rename(tmp, path) == 0 else {
        unlink(tmp)
        throw LabError(path, "cannot write: \(String(cString: strerror(errno)))")
    }
}

/// Writes `data` to a new file at `path` (mode 0666 less the umask, as Foundation does) with plain write(2) calls, no sync.
func writeFile(_ data: Data, to path: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
    guard fd >= 0 else { throw LabError(path, "cannot write: \(String(cString: strerror(errno)))") }
    var failure: Int32 = 0
    data.withUnsafeBytes { (buf: UnsafeRawBufferPointer) in
        var off = 0
        while off < buf.count {
            let n = write(fd, buf.baseAddress! + off, buf.count - off)
            if n < 0 { if errno == EINTR { continue }; failure = errno; return }
            off += n
        }
    }
    if close(fd) != 0, failure == 0 { failure = errno }
    guard failure == 0 else {
        unlink(path)
        throw LabError(path, "cannot write: \(String(cString: strerror(failure)))")
    }
}
