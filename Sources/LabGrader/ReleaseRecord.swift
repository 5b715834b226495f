import Foundation
import LabText

/// What `labrun release` last wrote into `Labs/<lab>/Exercises`: the SHA-256 of each generated stub, kept in
/// `Labs/<lab>/Exercises/.release.json`. A file whose content is not the one recorded was edited by someone (a
/// student's work, an instructor's fix) and is never overwritten without `--force`.
///
/// ```swift
/// let record = ReleaseRecord.load(from: course.exercisesDir("30"))
/// record.files["SelfAttention.swift"]   // "9f2c…" (hex SHA-256 of the stub release wrote)
/// ```
public struct ReleaseRecord: Codable, Equatable, Sendable {
    public static let fileName = ".release.json"

    /// File name → hex SHA-256 of the content release generated.
    public var files: [String: String]

    public init(files: [String: String] = [:]) { self.files = files }

    /// The record in `dir`, or an empty one (nothing is known to be generated).
    public static func load(from dir: URL) -> ReleaseRecord {
        guard let data = try? Data(contentsOf: dir.appendingPathComponent(fileName)),
              let r = try? JSONDecoder().decode(ReleaseRecord.self, from: data) else { return ReleaseRecord() }
        return r
    }

    public func save(in dir: URL) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        var data = try enc.encode(self)
        data.append(0x0A)
        try atomicWrite(data, to: dir.appendingPathComponent(Self.fileName))
    }

    public static func hash(_ text: String) -> String { sha256Hex(Array(text.utf8)) }

    /// Whether `text`, found on disk as `name`, is exactly what release wrote last.
    public func isGenerated(_ name: String, _ text: String) -> Bool { files[name] == Self.hash(text) }
}

/// The result of regenerating one lab's stubs.
public struct ReleaseOutcome: Sendable {
    /// Files (re)written.
    public var written: [URL] = []
    /// Edited files left alone (they differ from the last generated stub); `--force` replaces them.
    public var refused: [URL] = []
    /// With `force`: edited file → the backup it was moved to before being replaced.
    public var backups: [(file: URL, backup: URL)] = []
}

extension Release {
    /// Regenerates `Labs/<lab>/Exercises` from `Solutions/<lab>` without destroying work: a file is replaced only if
    /// it is missing, already what release generates, or exactly what release wrote last (`.release.json`).
    /// An edited file is left alone and listed in `refused`; with `force` it is first copied to
    /// `.labrun/release-backups/<lab>-<time>/<file>` under the course root (listed in `backups`).
    public static func regenerate(course: Course, lab: String, force: Bool = false, now: Date = Date()) throws -> ReleaseOutcome {
        let expected = try expectedStubs(course: course, lab: lab)
        let dir = course.exercisesDir(lab)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let old = ReleaseRecord.load(from: dir)
        var record = ReleaseRecord()
        var outcome = ReleaseOutcome()
        lazy var backupDir: URL = {
            let base = course.root.appendingPathComponent(".labrun/release-backups/\(lab)-\(backupStamp(now))")
            var url = base
            var n = 2
            while FileManager.default.fileExists(atPath: url.path) { url = URL(fileURLWithPath: base.path + "-\(n)"); n += 1 }
            return url
        }()
        for (name, text) in expected {
            let url = dir.appendingPathComponent(name)
            let current = try? String(contentsOf: url, encoding: .utf8)
            if current == text { record.files[name] = ReleaseRecord.hash(text); continue }
            if let current, !old.isGenerated(name, current) {
                guard force else {
                    outcome.refused.append(url)
                    if let recorded = old.files[name] { record.files[name] = recorded }
                    continue
                }
                let backup = backupDir.appendingPathComponent(name)
                try atomicWrite(Data(current.utf8), to: backup)
                outcome.backups.append((url, backup))
            }
            try atomicWrite(Data(text.utf8), to: url)
            record.files[name] = ReleaseRecord.hash(text)
            outcome.written.append(url)
        }
        if record != old { try record.save(in: dir) }
        return outcome
    }

    static func backupStamp(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd-HHmmss"
        return f.string(from: date)
    }
}

extension Release {
    /// "Labs/30/Exercises/SelfAttention.swift was edited since the last release ...": why nothing was overwritten.
    public static func refusalMessage(_ refused: [URL], lab: String) -> String {
        let names = refused.map(\.path).joined(separator: ", ")
        return "not overwriting \(names): \(refused.count == 1 ? "it differs" : "they differ") from the stub release "
            + "generated last (someone's work?). Keep a copy and rerun with --force to replace "
            + "\(refused.count == 1 ? "it" : "them") (a backup goes to .labrun/release-backups/)."
    }
}
