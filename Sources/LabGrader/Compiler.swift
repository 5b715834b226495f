import Foundation
import LabProcess
import LabRunner

/// Where `swiftc` and the course library (`LabKit`) are.
public struct GradeToolchain: Sendable {
    public var swiftc: String
    /// Directory with `LabKit.swiftmodule` (+ the modules it re-exports) and `libLabKit.so`, if found.
    public var labKitModules: String?
    public var labKitLib: String?
    /// Identifies the LabKit build (the runner's toolchain fingerprint): a rebuilt library invalidates cached builds.
    public var labKitFingerprint = ""

    /// `swiftc` and LabKit as the lab runner finds them (`LABRUN_LIBDIR`, else beside the `labrun` binary).
    /// Without a built LabKit, exercises can still use the Swift standard library.
    public static func locate() throws -> GradeToolchain {
        if let t = try? LabRunner.Toolchain.locate() {
            return GradeToolchain(swiftc: t.swiftc, labKitModules: t.libDir + "/Modules", labKitLib: t.libDir,
                                  labKitFingerprint: t.fingerprint)
        }
        let env = ProcessInfo.processInfo.environment
        guard let swiftc = try? resolveExecutable(env["SWIFTC"] ?? "swiftc") else {
            throw GradeError.harness("the Swift compiler was not found: put swiftc on PATH or set SWIFTC")
        }
        return GradeToolchain(swiftc: swiftc, labKitModules: nil, labKitLib: nil)
    }

    var labKitFlags: [String] {
        guard let m = labKitModules, let l = labKitLib else { return [] }
        return ["-I", m, "-L", l, "-lLabKit", "-Xlinker", "-rpath", "-Xlinker", l]
    }

    /// `swiftc --version` and the LabKit build: part of every build-cache key and of the resume key.
    func identity(cacheDir: URL) throws -> String { try versionText(cacheDir: cacheDir) + "\nLabKit " + labKitFingerprint }

    /// `swiftc --version`, run once per compiler build: kept in `cacheDir` under the size, modification time and
    /// inode of the driver and of `swift-frontend` beside it (a new or rebuilt toolchain changes them).
    func versionText(cacheDir: URL) throws -> String {
        let driver = URL(fileURLWithPath: swiftc).resolvingSymlinksInPath().path
        let frontend = (driver as NSString).deletingLastPathComponent + "/swift-frontend"
        let stamp = sha256Hex(["swiftc-version/1", swiftc, driver, fileSignature(driver), fileSignature(frontend)])
        let file = cacheDir.appendingPathComponent(".swiftc-version-" + stamp.prefix(32))
        if let text = try? String(contentsOf: file, encoding: .utf8), !text.isEmpty { return text }
        let r = try ChildProcess(swiftc, ["--version"]).run()
        let text = r.stdoutText + r.stderrText
        if r.succeeded, !text.isEmpty {
            try? FileManager.default.createDirectory(at: cacheDir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try? atomicWrite(Data(text.utf8), to: file)
        }
        return text
    }
}

/// Size, modification time and inode of a file ("" if it does not exist).
func fileSignature(_ path: String) -> String {
    var st = stat()
    guard stat(path, &st) == 0 else { return "" }
    return "\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec):\(st.st_ino)"
}

/// One compiler diagnostic, `file:line:col: error: message` (+ the source excerpt lines after it).
public struct BuildDiagnostic: Codable, Sendable, Equatable {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String
    /// The diagnostic with its source excerpt, paths reduced to file names.
    public var text: String
}

/// Parses `swiftc -diagnostic-style=llvm` output; keeps errors only. Paths become base names.
func parseBuildErrors(_ output: String) -> [BuildDiagnostic] {
    let re = try! NSRegularExpression(pattern: #"^(/[^:]+|[^:\s]+\.swift):(\d+):(\d+): (error|warning|note): (.*)$"#)
    var out: [BuildDiagnostic] = []
    var current: BuildDiagnostic?
    for line in output.components(separatedBy: "\n") {
        let ns = line as NSString
        if let m = re.firstMatch(in: line, range: NSRange(location: 0, length: ns.length)) {
            if let c = current { out.append(c); current = nil }
            guard ns.substring(with: m.range(at: 4)) == "error" else { continue }
            let file = (ns.substring(with: m.range(at: 1)) as NSString).lastPathComponent
            let l = Int(ns.substring(with: m.range(at: 2))) ?? 0, col = Int(ns.substring(with: m.range(at: 3))) ?? 0
            let msg = ns.substring(with: m.range(at: 5))
            current = BuildDiagnostic(file: file, line: l, column: col, message: msg, text: "\(file):\(l):\(col): error: \(msg)")
        } else if current != nil, !line.isEmpty, !line.hasPrefix("error:"), !line.hasPrefix("<unknown>") {
            if current!.text.count < 2000 { current!.text += "\n" + line }
        } else if line.hasPrefix("error: ") || line.hasPrefix("<unknown>:0: error: ") {
            // No source location: a driver or module-loading error ("missing required module 'X'").
            if let c = current { out.append(c); current = nil }
            let msg = String(line.dropFirst(line.hasPrefix("error: ") ? 7 : "<unknown>:0: error: ".count))
            out.append(BuildDiagnostic(file: "", line: 0, column: 0, message: msg, text: "error: " + msg))
        }
    }
    if let c = current { out.append(c) }
    // The driver's "emit-module command failed with exit code 1 (use -v …)" only says that a job failed; keep it
    // only when no other error says why.
    let specific = out.filter { !($0.file.isEmpty && $0.message.contains("command failed with exit code")) }
    return specific.isEmpty ? out : specific
}

/// A content-addressed build cache: the same sources + flags + compiler are compiled once.
struct BuildCache {
    var root: URL

    static func `default`() -> BuildCache {
        let env = ProcessInfo.processInfo.environment
        let base = env["LABRUN_GRADE_CACHE"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: env["XDG_CACHE_HOME"] ?? (NSHomeDirectory() + "/.cache")).appendingPathComponent("labrun/grade")
        return BuildCache(root: base)
    }

    /// Runs `build` into a fresh directory unless `key` is cached; publishes the directory atomically.
    /// The directory is 0700: compiled tests contain the hidden tests.
    func entry(_ key: String, build: (URL) throws -> Void) throws -> (dir: URL, cached: Bool) {
        let dir = root.appendingPathComponent(key)
        if FileManager.default.fileExists(atPath: dir.appendingPathComponent("done").path) { return (dir, true) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let tmp = root.appendingPathComponent(".\(key).\(getpid()).\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try build(tmp)
        try Data().write(to: tmp.appendingPathComponent("done"))
        if rename(tmp.path, dir.path) != 0 {
            // Someone else published it first (ENOTEMPTY/EEXIST): use theirs.
            try? FileManager.default.removeItem(at: tmp)
            guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("done").path) else {
                throw GradeError.harness("cannot publish build cache entry \(dir.path)")
            }
        }
        return (dir, false)
    }
}

/// The wall-clock and memory budget of one compile.
struct CompileBudget {
    var seconds: Double = 300
    var memoryBytes: Int = 6 << 30
}

/// The start of the diagnostic a compile over its budget gets (and the mark that keeps it out of the cache).
let compileTimeoutMessage = "took too long to compile"

/// Runs swiftc in its own PID namespace and cgroup: over the budget, the driver and every swift-frontend it
/// started are killed as a tree (and die with the grader). Returns (ok, combined output, over budget).
func runSwiftc(_ toolchain: GradeToolchain, _ args: [String], cwd: URL, budget: CompileBudget = CompileBudget()) throws -> (ok: Bool, output: String, timedOut: Bool) {
    var p = ChildProcess(toolchain.swiftc, ["-diagnostic-style=llvm"] + args)
    p.workingDirectory = cwd.path
    p.timeout = budget.seconds
    p.outputLimit = 1 << 20
    var box = Containment()
    box.privateDirectories = []
    box.memoryBytes = budget.memoryBytes
    box.maxProcesses = 512
    p.containment = box
    let r = try p.run()
    if r.timedOut {
        return (false, "error: \(compileTimeoutMessage) (more than \(Int(budget.seconds)) s; the compiler was stopped). Long expressions that mix literals and operators can take the type checker minutes: split them, or add type annotations.", true)
    }
    if r.memoryLimitHit {
        return (false, "error: the compiler ran out of memory (more than \(budget.memoryBytes >> 20) MiB) on this code.", true)
    }
    return (r.succeeded, r.stderrText + r.stdoutText, false)
}
