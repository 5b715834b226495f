// Locating swiftc and the LabKit build products (Modules/LabKit.swiftmodule + libLabKit.so).

import Foundation
import LabProcess

/// The compiler and the built library that lab programs and exercises link against.
public struct Toolchain: Sendable {
    /// The `swiftc` driver (env `SWIFTC`, else `swiftc` on `PATH`).
    public var swiftc: String
    /// The directory holding `libLabKit.so` and `Modules/LabKit.swiftmodule` (the SwiftPM `.build/<config>`).
    public var libDir: String
    /// Identifies the compiler and the library build: part of every cache key.
    public var fingerprint: String
    /// `-use-ld=lld` when the toolchain ships lld (Swift's Linux toolchains do): it links a lab program in about
    /// a third of the time of the system's default (gold), with the same output (line tables, build id).
    public var linkerFlags: [String] = []

    /// The toolchain's own `ld.lld` (in the directory of the real `swiftc`), if there is one.
    static func lldBeside(_ swiftc: String) -> String? {
        #if os(Linux)
        let lld = (realPath(swiftc) as NSString).deletingLastPathComponent + "/ld.lld"
        return access(lld, X_OK) == 0 ? lld : nil
        #else
        return nil
        #endif
    }

    /// Finds the toolchain: env `LABRUN_LIBDIR`, else the directory of the running executable (`labrun` sits in
    /// the same `.build/<config>` directory as `libLabKit.so`).
    public static func locate() throws -> Toolchain {
        let env = ProcessInfo.processInfo.environment
        let candidates: [String]
        if let d = env["LABRUN_LIBDIR"], !d.isEmpty {
            candidates = [absolutePath(d)]
        } else {
            let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
            let dir = (absolutePath(exe) as NSString).deletingLastPathComponent
            // An xctest bundle runs from .build/<config>/X.xctest on some platforms; look one level up too.
            candidates = [dir, (dir as NSString).deletingLastPathComponent]
        }
        guard let libDir = candidates.first(where: isLibDir) else {
            throw LabError(candidates[0], "LabKit is not built here (no libLabKit.so and Modules/LabKit.swiftmodule): "
                + "run `swift build` in the repository, or set LABRUN_LIBDIR to the .build/<config> directory")
        }
        let swiftc: String
        do {
            swiftc = try resolveExecutable(env["SWIFTC"] ?? "swiftc")
        } catch {
            throw LabError(env["SWIFTC"] ?? "swiftc", "the Swift compiler was not found: put swiftc on PATH or set SWIFTC")
        }
        var h = ContentHash()
        h.update(realPath(swiftc))
        h.update(statSignature(realPath(swiftc)))
        for f in ["libLabKit.so", "Modules/LabKit.swiftmodule"] { h.update(statSignature(libDir + "/" + f)) }
        let linker = lldBeside(swiftc).map { _ in ["-use-ld=lld"] } ?? []
        h.update(linker.joined(separator: " "))
        return Toolchain(swiftc: swiftc, libDir: libDir, fingerprint: h.hex, linkerFlags: linker)
    }

    /// The first line of `swiftc --version` ("Swift version 6.3.1 (swift-6.3.1-RELEASE)"), read without running the
    /// compiler: the standard library's module interface beside it records the compiler that built it
    /// (`// swift-compiler-version: Swift version ...` in `usr/lib/swift/<os>/Swift.swiftmodule/*.swiftinterface`).
    /// Nil when the toolchain has no such file (then ask the compiler).
    public var versionFromStandardLibrary: String? {
        // swiftc is usr/bin/swiftc (often a link to swift-driver in the same directory): the toolchain is usr/.
        let usr = ((realPath(swiftc) as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        for os in ["linux", "macosx"] {
            let dir = usr + "/lib/swift/\(os)/Swift.swiftmodule"
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
            for name in names.sorted() where name.hasSuffix(".swiftinterface") && !name.contains(".private.") {
                guard let fh = FileHandle(forReadingAtPath: dir + "/" + name) else { continue }
                defer { try? fh.close() }
                let head = String(decoding: fh.readData(ofLength: 512), as: UTF8.self)
                let key = "// swift-compiler-version: "
                guard let line = head.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { continue }
                let v = line.dropFirst(key.count).trimmingCharacters(in: .whitespaces)
                if v.contains("Swift version ") { return v }
            }
        }
        return nil
    }

    static func isLibDir(_ dir: String) -> Bool {
        let fm = FileManager.default
        return fm.fileExists(atPath: dir + "/libLabKit.so") && fm.fileExists(atPath: dir + "/Modules/LabKit.swiftmodule")
    }

    /// Size + modification time + inode of a file or directory (tree): cheap, changes whenever SwiftPM rebuilds it.
    static func statSignature(_ path: String) -> String {
        var sig = ""
        var st = stat()
        if stat(path, &st) == 0 {
            sig = "\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec):\(st.st_ino)"
            if (st.st_mode & S_IFMT) == S_IFDIR,
               let items = try? FileManager.default.contentsOfDirectory(atPath: path) {
                for item in items.sorted() { sig += "|\(item)=" + statSignature(path + "/" + item) }
            }
        }
        return sig
    }

    /// The swiftc flags that make `import LabKit` work and link libLabKit.so with an rpath.
    public var labKitFlags: [String] {
        ["-I", libDir + "/Modules", "-L", libDir, "-lLabKit", "-Xlinker", "-rpath", "-Xlinker", libDir]
    }

    /// Environment for child programs: `OPENBLAS_CORETYPE=SkylakeX` on AVX-512 CPUs (OpenBLAS's own detection
    /// misfires there; LabTensor applies the same rule in-process), and a short non-interactive crash backtrace
    /// (the runner reads the crash line from it and removes it from the output).
    public static func childEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = environmentDictionary()
        if env["OPENBLAS_CORETYPE"] == nil, let core = recommendedOpenBLASCoreType() { env["OPENBLAS_CORETYPE"] = core }
        env["SWIFT_BACKTRACE"] = "enable=yes,interactive=no,color=no,threads=crashed,registers=none,images=none,limit=32,top=0"
        for (k, v) in extra { env[k] = v }
        return env
    }

    /// `SkylakeX` if /proc/cpuinfo lists avx512f, else nil (OpenBLAS's detection is right).
    public static func recommendedOpenBLASCoreType() -> String? {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        for line in info.split(separator: "\n") where line.hasPrefix("flags") {
            return line.split(separator: " ").contains("avx512f") ? "SkylakeX" : nil
        }
        return nil
    }
}

func realPath(_ path: String) -> String {
    guard let r = realpath(path, nil) else { return path }
    defer { free(r) }
    return String(cString: r)
}
