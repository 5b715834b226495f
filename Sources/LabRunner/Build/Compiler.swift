// Compiling Swift against LabKit: a lab's exercises module (a cached dylib) and lab programs (cached executables).

import Foundation
import LabProcess

/// One compiler diagnostic (`-diagnostic-style=llvm`: `file:line:col: error: message`).
public struct Diagnostic: Equatable, Sendable, Codable {
    public enum Severity: String, Sendable, Codable { case error, warning, note }
    public var file: String
    public var line: Int
    public var column: Int
    public var severity: Severity
    public var message: String
    /// The source excerpt and caret lines the compiler printed under it.
    public var excerpt: String

    /// `Labs/lab.md:14:5: error: cannot find 'x' in scope`
    public var summary: String { "\(file):\(line):\(column): \(severity.rawValue): \(message)" }
}

/// Parses `swiftc -diagnostic-style=llvm` output.
public func parseDiagnostics(_ text: String) -> [Diagnostic] {
    var out: [Diagnostic] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        if let d = parseDiagnosticLine(line) {
            out.append(d)
        } else if !out.isEmpty, !line.isEmpty {
            out[out.count - 1].excerpt += (out[out.count - 1].excerpt.isEmpty ? "" : "\n") + line
        }
    }
    return out
}

func parseDiagnosticLine(_ line: Substring) -> Diagnostic? {
    for sev in [Diagnostic.Severity.error, .warning, .note] {
        guard let r = line.range(of: ": \(sev.rawValue): ") else { continue }
        let loc = line[..<r.lowerBound].split(separator: ":", omittingEmptySubsequences: false)
        guard loc.count >= 3, let l = Int(loc[loc.count - 2]), let c = Int(loc[loc.count - 1]) else { continue }
        let file = loc[..<(loc.count - 2)].joined(separator: ":")
        return Diagnostic(file: file, line: l, column: c, severity: sev, message: String(line[r.upperBound...]), excerpt: "")
    }
    if line.hasPrefix("error: ") {
        return Diagnostic(file: "", line: 0, column: 0, severity: .error, message: String(line.dropFirst(7)), excerpt: "")
    }
    return nil
}

/// A module built into the cache: `lib<Name>.so` + `<Name>.swiftmodule` in `dir`.
public struct BuiltModule: Sendable {
    public var name: String
    public var dir: String
    public var flags: [String] {
        ["-I", dir, "-L", dir, "-l\(name)", "-Xlinker", "-rpath", "-Xlinker", dir]
    }
}

/// The outcome of compiling a program.
public struct CompileOutcome: Sendable {
    public var executable: String?
    public var diagnostics: [Diagnostic]
    /// The compiler's output as printed.
    public var log: String
    /// Whether the result came from the cache.
    public var cached: Bool
    /// Seconds spent in swiftc (0 when cached).
    public var seconds: Double
}

/// Compiles Swift sources against LabKit, caching results by content hash under `cacheDir`.
///
/// ```swift
/// let compiler = try LabCompiler(cacheDir: project.cacheDir)
/// let exercises = try compiler.buildModule(name: "Lab30", sources: files)   // libLab30.so, cached
/// let out = try compiler.buildExecutable(source: program, fileName: "main.swift", modules: [exercises])
/// ```
public struct LabCompiler: Sendable {
    public var toolchain: Toolchain
    public var cacheDir: String
    /// Ignore cached products (they are rebuilt and replaced).
    public var useCache: Bool

    public init(toolchain: Toolchain? = nil, cacheDir: String, useCache: Bool = true) throws {
        self.toolchain = try toolchain ?? Toolchain.locate()
        self.cacheDir = cacheDir
        self.useCache = useCache
    }

    /// Builds `sources` as the dynamic library module `name` (`-parse-as-library`, links LabKit) into
    /// `<cacheDir>/modules/<name>-<hash>/`. Throws `LabError` with the compiler's first error when it fails.
    /// Unoptimised by default: exercise code is glue around LabKit's (optimised) ops, it compiles faster, and
    /// with line tables a crash backtrace walks through it to the lab's line.
    public func buildModule(name: String, sources: [String], optimize: Bool = false) throws -> BuiltModule {
        var h = ContentHash()
        h.update("module \(name) \(optimize) \(toolchain.fingerprint)")
        for s in sources.sorted() {
            h.update((s as NSString).lastPathComponent)
            h.update(file: s)
        }
        let dir = cacheDir + "/modules/\(name)-\(h.hex.prefix(20))"
        let module = BuiltModule(name: name, dir: dir)
        if useCache && FileManager.default.fileExists(atPath: dir + "/lib\(name).so") { return module }
        let tmp = try makeTempDir(cacheDir + "/tmp")
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        var args = ["-emit-library", "-emit-module", "-parse-as-library", "-module-name", name,
                    "-emit-module-path", tmp + "/\(name).swiftmodule", "-o", tmp + "/lib\(name).so",
                    "-Xlinker", "-soname", "-Xlinker", "lib\(name).so", "-diagnostic-style=llvm", "-swift-version", "5"]
        args += optimize ? ["-O"] : ["-Onone", "-gline-tables-only"]
        args += toolchain.labKitFlags + toolchain.linkerFlags + sources.sorted()
        let r = try runCompiler(args)
        guard r.termination == .exited(0) else {
            let diags = parseDiagnostics(r.stderrText + r.stdoutText)
            // The driver's own "emit-module command failed" line has no location and says nothing: skip it.
            let located = diags.filter { $0.severity == .error && !$0.file.isEmpty }
            let errors = located.isEmpty ? diags.filter { $0.severity == .error } : located
            let first = errors.first
            let more = errors.count > 1 ? " (and \(errors.count - 1) more error\(errors.count > 2 ? "s" : ""))" : ""
            throw LabError(first?.file ?? name, line: first?.line,
                           "cannot compile module \(name): \(first?.message ?? String(r.stderrText.prefix(300)))\(more)")
        }
        try install(tmp, at: dir)
        return module
    }

    /// Compiles a program (top-level code in `fileName`) against LabKit and `modules` into a cached executable.
    /// Compile errors are returned in the outcome, not thrown.
    public func buildExecutable(source: String, fileName: String = "main.swift", moduleName: String = "Lab",
                                modules: [BuiltModule] = [], extraFlags: [String] = []) throws -> CompileOutcome {
        var h = ContentHash()
        h.update("exe \(moduleName) \(fileName) \(toolchain.fingerprint) \(LabCompiler.programFlags) \(extraFlags)")
        for m in modules { h.update(m.dir) }
        h.update(source)
        let dir = cacheDir + "/programs/\(h.hex.prefix(24))"
        let exe = dir + "/program"
        PhaseClock.shared.mark("hash")
        if useCache, let log = try? String(contentsOfFile: dir + "/compile.log", encoding: .utf8) {
            // A cached build, or a cached compile failure (a log without a program).
            let built = FileManager.default.fileExists(atPath: exe)
            PhaseClock.shared.mark("cache lookup")
            return CompileOutcome(executable: built ? exe : nil, diagnostics: parseDiagnostics(log), log: log,
                                  cached: true, seconds: 0)
        }
        let tmp = try makeTempDir(cacheDir + "/tmp")
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        // Plain writes (no sync): the build directory is moved into the cache by rename once complete.
        try writeFile(Data(source.utf8), to: tmp + "/" + fileName)
        // Diagnostics name the lab file; the generated file itself is only named for errors outside cells.
        var args = LabCompiler.programFlags + ["-module-name", moduleName, "-o", tmp + "/program"]
        args += toolchain.labKitFlags + toolchain.linkerFlags + modules.flatMap(\.flags) + extraFlags + [tmp + "/" + fileName]
        let t0 = monotonicNow()
        let r = try runCompiler(args, cwd: tmp)
        let seconds = monotonicNow() - t0
        PhaseClock.shared.mark("swiftc")
        let log = r.stderrText + r.stdoutText
        let diags = parseDiagnostics(log)
        try writeFile(Data(log.utf8), to: tmp + "/compile.log")
        // The generated source stays next to the program: it is what ran (and what the benchmark compiles bare).
        let ok = r.termination == .exited(0)
        if !ok { try? FileManager.default.removeItem(atPath: tmp + "/program") }
        if ok || !log.isEmpty { try install(tmp, at: dir) }  // never cache a failure without diagnostics
        guard ok else {
            return CompileOutcome(executable: nil, diagnostics: diags, log: log, cached: false, seconds: seconds)
        }
        return CompileOutcome(executable: exe, diagnostics: diags, log: log, cached: false, seconds: seconds)
    }

    /// Flags for lab programs (part of the cache key). Line tables are about free at -Onone and let the crash
    /// backtrace name the Markdown line of a trap.
    static let programFlags = ["-Onone", "-gline-tables-only", "-diagnostic-style=llvm", "-swift-version", "5"]

    func runCompiler(_ args: [String], cwd: String? = nil) throws -> ChildResult {
        var c = ChildProcess(toolchain.swiftc, args)
        c.workingDirectory = cwd
        c.timeout = 600
        c.outputLimit = 4 << 20
        do {
            return try c.run()
        } catch {
            throw LabError(toolchain.swiftc, "cannot run the compiler: \(error)")
        }
    }

    /// Moves a finished build directory into place (rename is atomic; a concurrent identical build may win).
    func install(_ tmp: String, at dir: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: (dir as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if fm.fileExists(atPath: dir) { try? fm.removeItem(atPath: dir) }
        let done = tmp + ".done"
        guard rename(tmp, done) == 0 else { throw LabError(dir, "cannot move build products into the cache") }
        if rename(done, dir) != 0 {
            try? fm.removeItem(atPath: done)  // another process installed the same key first
        }
    }

    func makeTempDir(_ base: String) throws -> String {
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        let template = base + "/build-XXXXXX"
        var chars = Array(template.utf8CString)
        guard let p = chars.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw LabError(base, "cannot create a temporary directory: \(String(cString: strerror(errno)))")
        }
        return String(cString: p)
    }
}
