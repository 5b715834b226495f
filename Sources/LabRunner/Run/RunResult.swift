// What a run produced, per cell and for the lab; stored as JSON in .labrun/results/<lab>.json.

import Foundation

/// How a cell ended.
public enum CellStatus: String, Codable, Sendable {
    /// Ran without error.
    case passed
    /// Compile error, crash, thrown error, timeout, or a `should-fail` cell that did not fail.
    case failed
    /// A `should-fail` cell that failed, as expected.
    case expectedFailure = "expected-failure"
    /// Not run because an earlier cell failed or the run was cut short.
    case notRun = "not-run"
    /// A `no-run` cell, or not part of this run (`labrun demo`).
    case skipped

    public var isFailure: Bool { self == .failed }
}

/// A rich output from `display(...)`.
public struct DisplayOutput: Codable, Sendable, Equatable {
    public var html: String
    public var text: String
}

/// The result of one cell.
public struct CellResult: Codable, Sendable {
    public var index: Int
    public var status: CellStatus
    public var stdout = ""
    public var stderr = ""
    /// Bytes of output dropped because of the per-cell cap.
    public var droppedBytes = 0
    /// Wall time in seconds (nil if the cell did not run).
    public var seconds: Double?
    public var displays: [DisplayOutput] = []
    /// The last progress line, e.g. `step 500/500  loss 1.8121  41.2k tok/s  ETA 0:00`.
    public var progress: String?
    public var diagnostics: [Diagnostic] = []
    /// Why the cell failed (or failed as expected), one line.
    public var message: String?
    /// The Markdown line where the program crashed, when the backtrace names one.
    public var crashLine: Int?
    /// Key figures the cell recorded with `record(...)`.
    public var figures: [Figure] = []
    /// Curves the cell recorded with `recordSeries(...)`.
    public var series: [Series] = []
    /// Texts the cell recorded with `recordText(...)` (samples), by name.
    public var texts: [Series.Text] = []

    public init(index: Int, status: CellStatus) {
        self.index = index
        self.status = status
    }
}

/// A key figure a lab recorded (`record("validation loss", 1.601, unit: "nats/char")`).
public struct Figure: Codable, Sendable, Equatable {
    public var name: String
    /// The value as the lab formatted it.
    public var shown: String
    public var unit: String
    public var value: Double
}

/// A curve a lab recorded (`recordSeries("loss", x: steps, y: losses)`).
public struct Series: Codable, Sendable, Equatable {
    public var name: String
    public var x: [Double]
    public var y: [Double]

    /// A text a lab recorded (`recordText("sample", text)`).
    public struct Text: Codable, Sendable, Equatable {
        public var name: String
        public var text: String
    }
}

/// Facts about a run shown in the report.
public struct RunFacts: Codable, Sendable {
    public var date: Date
    /// `swiftc --version`, first line.
    public var toolchain: String
    /// The LabKit build: git revision of the repository and the library fingerprint.
    public var library: String
    /// "solutions" (Solutions/<lab>) or "student" (Labs/<lab>/Exercises); "none" for a lab without exercises.
    public var exercises: String
    public var compileSeconds: Double
    public var compileCached: Bool
    public var runSeconds: Double
    public var host: String
    /// The `--set name=value` overrides of this run (empty: the lab's defaults).
    public var settings: [String]?
}

/// The result of running one lab.
public struct LabRunResult: Codable, Sendable {
    public var labPath: String
    public var name: String
    public var slide: Int
    public var title: String
    public var cells: [CellResult]
    public var facts: RunFacts
    /// A problem that stopped the whole lab (e.g. the program could not be built), one line.
    public var error: String?
    /// Path of the HTML report, if one was written.
    public var reportPath: String?

    public var passed: Bool { error == nil && !cells.contains { $0.status.isFailure } }

    /// Every figure the run recorded, in order (a later figure of the same name replaces an earlier one).
    public var figures: [Figure] {
        var out: [Figure] = []
        for f in cells.flatMap(\.figures) {
            if let i = out.firstIndex(where: { $0.name == f.name }) { out[i] = f } else { out.append(f) }
        }
        return out
    }

    public var summary: String {
        let count = { (s: CellStatus) in self.cells.filter { $0.status == s }.count }
        var parts = ["\(count(.passed)) passed"]
        if count(.failed) > 0 { parts.append("\(count(.failed)) failed") }
        if count(.expectedFailure) > 0 { parts.append("\(count(.expectedFailure)) failed as expected") }
        if count(.notRun) > 0 { parts.append("\(count(.notRun)) not run") }
        if count(.skipped) > 0 { parts.append("\(count(.skipped)) skipped") }
        return parts.joined(separator: ", ")
    }

    /// Saves to `<resultsDir>/<name>.json` atomically (not synced to disk: see `writeAtomically`).
    public func save(in resultsDir: String) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        enc.dateEncodingStrategy = .iso8601
        try writeAtomically(try enc.encode(self), to: resultsDir + "/\(name).json", durable: false)
    }

    public static func load(name: String, in resultsDir: String) -> LabRunResult? {
        guard let d = FileManager.default.contents(atPath: resultsDir + "/\(name).json") else { return nil }
        let dec = JSONDecoder()
        dec.dateDecodingStrategy = .iso8601
        return try? dec.decode(LabRunResult.self, from: d)
    }
}
