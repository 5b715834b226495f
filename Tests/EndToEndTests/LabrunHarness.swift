import Foundation
import XCTest
@testable import LabProcess

/// Runs the real `labrun` binary (built next to this test bundle in `.build/<config>/`) in a scratch project.
struct Labrun {
    /// `LABRUN_BIN`, else `labrun` beside the test bundle.
    static let binary: String = {
        if let b = ProcessInfo.processInfo.environment["LABRUN_BIN"] { return b }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = (exe as NSString).deletingLastPathComponent
        for _ in 0..<3 where !FileManager.default.fileExists(atPath: dir + "/labrun") {
            dir = (dir as NSString).deletingLastPathComponent
        }
        return dir + "/labrun"
    }()

    /// The repository this test file is in.
    static let packageRoot = (((#filePath as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent as NSString)
        .deletingLastPathComponent

    static let fixtures = ((#filePath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("Fixtures")

    static func fixture(_ name: String) -> String { fixtures + "/" + name }

    /// A fresh project root (its .labrun/ holds cache, results and reports).
    static func makeRoot() throws -> String {
        let dir = NSTemporaryDirectory() + "labrun-e2e-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir + "/Labs", withIntermediateDirectories: true)
        return dir
    }

    struct Output {
        var code: Int32
        var stdout: String
        var stderr: String
        var result: ChildResult
    }

    /// Runs `labrun args...` with the project root `root`; fails the test if the binary is missing. `watchdog` is
    /// `ChildProcess.run`'s (called about every 50 ms while labrun runs; a reason returned kills it).
    static func run(_ args: [String], root: String, env: [String: String] = [:], timeout: Double = 300,
                    watchdog: (() -> String?)? = nil,
                    file: StaticString = #filePath, line: UInt = #line) throws -> Output {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            XCTFail("labrun is not built at \(binary): run `swift build` first", file: file, line: line)
            throw CocoaError(.fileNoSuchFile)
        }
        var c = ChildProcess(binary, args)
        var e = environmentDictionary()
        e["LABRUN_ROOT"] = root
        e["NO_COLOR"] = "1"
        // Course models (LabZoo) are trained once per checkout and shared by every scratch root.
        if e["LABRUN_CACHE"] == nil { e["LABRUN_CACHE"] = packageRoot + "/.labrun/models" }
        for (k, v) in env { e[k] = v }
        c.environment = e
        c.workingDirectory = root
        c.timeout = timeout
        let r = try c.run(watchdog: watchdog)
        XCTAssertFalse(r.timedOut, "labrun \(args) timed out", file: file, line: line)
        let code: Int32
        switch r.termination {
        case .exited(let c): code = c
        case .signaled(let s): code = 128 + s
        }
        return Output(code: code, stdout: r.stdoutText, stderr: r.stderrText, result: r)
    }

    /// The stored result JSON of a lab run.
    static func result(_ name: String, root: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: root + "/.labrun/results/\(name).json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    static func cells(_ name: String, root: String) throws -> [[String: Any]] {
        try result(name, root: root)["cells"] as! [[String: Any]]
    }

    static func report(_ name: String, root: String) throws -> String {
        try String(contentsOfFile: root + "/.labrun/reports/\(name).html", encoding: .utf8)
    }
}
