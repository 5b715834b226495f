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

    /// `Labs/Exercises` or `Solutions/Exercises`: the sources of module `Exercises`.
    public func exercisesDir(solutions: Bool) -> String {
        (solutions ? solutionsDir : labsDir) + "/Exercises"
    }

    /// The data directory: env `LABRUN_DATA_DIR`, else `../shared/data` next to the repository.
    public var dataDir: String {
        if let d = ProcessInfo.processInfo.environment["LABRUN_DATA_DIR"], !d.isEmpty { return absolutePath(d) }
        return ((root as NSString).deletingLastPathComponent as NSString).appendingPathComponent("shared/data")
    }

    /// The lab files in `Labs/` (`*.md`, sorted by name).
    public func labFiles() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: labsDir)) ?? []
        return names.filter { $0.hasSuffix(".md") && !$0.hasPrefix(".") && $0 != "README.md" }.sorted().map { labsDir + "/" + $0 }
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

/// Writes `data` to `path` atomically (temp file in the same directory + rename), creating directories.
public func writeAtomically(_ data: Data, to path: String) throws {
    let dir = (path as NSString).deletingLastPathComponent
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let tmp = dir + "/.\((path as NSString).lastPathComponent).\(getpid()).tmp"
    try data.write(to: URL(fileURLWithPath: tmp))
    guard rename(tmp, path) == 0 else {
        unlink(tmp)
        throw LabError(path, "cannot write: \(String(cString: strerror(errno)))")
    }
}
