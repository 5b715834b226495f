import Foundation
import GRDB

/// The class gradebook in SQLite: labs, students, one submission per (student, lab) with its per-test results,
/// manual overrides (kept across regrades), late penalties from hand-in time and due date. Shards merge into one.
///
/// ```swift
/// let book = try Gradebook(path: "grades/gradebook.sqlite")
/// try book.record(report, student: "alice")
/// try book.override(student: "alice", lab: "1", test: "StatsTests/testMeanEmpty", score: 1, reason: "regrade request")
/// print(try book.exportCSV())
/// ```
public final class Gradebook: @unchecked Sendable {
    let db: DatabaseQueue

    public init(path: String) throws {
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        var config = Configuration()
        config.busyMode = .timeout(30)
        do { db = try DatabaseQueue(path: path, configuration: config) } catch {
            throw GradeError.config("\(path): cannot open the gradebook: \(error)")
        }
        try migrator.migrate(db)
    }

    var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE lab (id TEXT PRIMARY KEY, title TEXT, due TEXT, late_per_day REAL, late_max REAL, max_score REAL NOT NULL);
                CREATE TABLE student (id TEXT PRIMARY KEY);
                CREATE TABLE submission (
                    student_id TEXT NOT NULL REFERENCES student(id), lab_id TEXT NOT NULL REFERENCES lab(id),
                    submitted_at TEXT, graded_at TEXT NOT NULL, input_hash TEXT NOT NULL,
                    score REAL NOT NULL, max_score REAL NOT NULL, build_ok INTEGER NOT NULL, seconds REAL NOT NULL,
                    PRIMARY KEY (student_id, lab_id));
                CREATE TABLE test_result (
                    student_id TEXT NOT NULL, lab_id TEXT NOT NULL, test_id TEXT NOT NULL, position INTEGER NOT NULL,
                    status TEXT NOT NULL, score REAL NOT NULL, max_score REAL NOT NULL, visibility TEXT NOT NULL,
                    message TEXT NOT NULL, seconds REAL NOT NULL,
                    PRIMARY KEY (student_id, lab_id, test_id));
                -- test_id '' = the whole lab's final score. Never touched by grading, so it survives regrades.
                CREATE TABLE override (
                    student_id TEXT NOT NULL, lab_id TEXT NOT NULL, test_id TEXT NOT NULL DEFAULT '',
                    score REAL NOT NULL, reason TEXT NOT NULL, created_at TEXT NOT NULL,
                    PRIMARY KEY (student_id, lab_id, test_id));
                """)
        }
        return m
    }

    static let iso = ISO8601DateFormatter()

    public func recordLab(_ m: LabManifest) throws {
        try db.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO lab VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [m.lab, m.title, m.due.map(Self.iso.string), m.late?.perDay, m.late?.max, m.maxScore])
        }
    }

    /// Replaces the student's submission of `report.lab` and its test results. Overrides are left alone.
    public func record(_ r: GradeReport, student: String) throws {
        try db.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO student VALUES (?)", arguments: [student])
            if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM lab WHERE id = ?", arguments: [r.lab]) == 0 {
                try db.execute(sql: "INSERT INTO lab (id, title, max_score) VALUES (?, ?, ?)", arguments: [r.lab, r.title, r.maxScore])
            }
            try db.execute(sql: "DELETE FROM test_result WHERE student_id = ? AND lab_id = ?", arguments: [student, r.lab])
            try db.execute(sql: "INSERT OR REPLACE INTO submission VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           arguments: [student, r.lab, r.submittedAt.map(Self.iso.string), Self.iso.string(from: r.gradedAt),
                                       r.inputHash, r.score, r.maxScore, r.buildOK, r.seconds])
            for (i, t) in r.tests.enumerated() {
                try db.execute(sql: "INSERT INTO test_result VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               arguments: [student, r.lab, t.id, i, t.status.rawValue, t.score, t.maxScore,
                                           t.visibility.rawValue, t.message, t.seconds])
            }
        }
    }

    /// Sets a manual score for one test (`test`) or for the whole lab (`test == nil`).
    public func override(student: String, lab: String, test: String?, score: Double, reason: String) throws {
        try db.write { db in
            guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM submission WHERE student_id = ? AND lab_id = ?", arguments: [student, lab])! > 0 else {
                throw GradeError.config("no graded submission of lab \(lab) by \(student) in the gradebook")
            }
            if let test, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM test_result WHERE student_id = ? AND lab_id = ? AND test_id = ?",
                                           arguments: [student, lab, test])! == 0 {
                throw GradeError.config("lab \(lab) has no test \(test) (ids look like Class/testName)")
            }
            try db.execute(sql: "INSERT OR REPLACE INTO override VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [student, lab, test ?? "", score, reason, Self.iso.string(from: Date())])
        }
    }

    /// Removes an override; returns whether there was one.
    @discardableResult
    public func removeOverride(student: String, lab: String, test: String?) throws -> Bool {
        try db.write { db in
            try db.execute(sql: "DELETE FROM override WHERE student_id = ? AND lab_id = ? AND test_id = ?", arguments: [student, lab, test ?? ""])
            return db.changesCount > 0
        }
    }

    /// One student's lab, after overrides and the late penalty.
    public struct Row: Sendable, Equatable {
        public var student: String
        public var lab: String
        public var submittedAt: Date?
        public var autoScore: Double
        /// After per-test overrides (or the whole-lab override).
        public var adjustedScore: Double
        /// Fraction taken off for lateness (0 when on time or with a whole-lab override).
        public var latePenalty: Double
        public var finalScore: Double
        public var maxScore: Double
        public var overrides: Int
        /// Score per test id, after overrides.
        public var tests: [String: Double]
    }

    public func rows(lab: String? = nil) throws -> [Row] {
        try db.read { db in
            let labs = try Row_.labs(db)
            var out: [Row] = []
            let subs = try GRDB.Row.fetchAll(db, sql: "SELECT * FROM submission \(lab == nil ? "" : "WHERE lab_id = ?") ORDER BY lab_id, student_id",
                                             arguments: lab.map { [$0] } ?? [])
            for s in subs {
                let student: String = s["student_id"], labID: String = s["lab_id"]
                var tests: [String: Double] = [:]
                for t in try GRDB.Row.fetchAll(db, sql: "SELECT test_id, score FROM test_result WHERE student_id = ? AND lab_id = ?", arguments: [student, labID]) {
                    tests[t["test_id"]] = t["score"]
                }
                var overrides = 0
                var whole: Double?
                for o in try GRDB.Row.fetchAll(db, sql: "SELECT test_id, score FROM override WHERE student_id = ? AND lab_id = ?", arguments: [student, labID]) {
                    let id: String = o["test_id"]
                    overrides += 1
                    if id.isEmpty { whole = o["score"] } else if tests[id] != nil { tests[id] = o["score"] }
                }
                let auto: Double = s["score"]
                let adjusted = whole ?? tests.values.reduce(0, +)
                let submitted = (s["submitted_at"] as String?).flatMap(Self.iso.date)
                var penalty = 0.0
                if whole == nil, let info = labs[labID], let due = info.due, let policy = info.late, let at = submitted {
                    penalty = policy.penalty(submitted: at, due: due)
                }
                out.append(Row(student: student, lab: labID, submittedAt: submitted, autoScore: auto, adjustedScore: adjusted,
                               latePenalty: penalty, finalScore: adjusted * (1 - penalty), maxScore: s["max_score"],
                               overrides: overrides, tests: tests))
            }
            return out
        }
    }

    private enum Row_ {
        static func labs(_ db: Database) throws -> [String: (due: Date?, late: LatePolicy?)] {
            var d: [String: (due: Date?, late: LatePolicy?)] = [:]
            for r in try GRDB.Row.fetchAll(db, sql: "SELECT * FROM lab") {
                let perDay: Double? = r["late_per_day"], mx: Double? = r["late_max"]
                d[r["id"]] = ((r["due"] as String?).flatMap(Gradebook.iso.date), perDay.map { LatePolicy(perDay: $0, max: mx ?? 1) })
            }
            return d
        }
    }

    /// The labs in the gradebook: id, title, maximum score (sorted by id, numerically).
    public func labs() throws -> [(id: String, title: String?, maxScore: Double)] {
        try db.read { db in
            try GRDB.Row.fetchAll(db, sql: "SELECT id, title, max_score FROM lab").map { ($0["id"], $0["title"], $0["max_score"]) }
        }.sorted { $0.id.localizedStandardCompare($1.id) == .orderedAscending }
    }

    /// The tests of a lab in grading order, with their maximum score.
    public func tests(lab: String) throws -> [(id: String, maxScore: Double)] {
        try db.read { db in
            try GRDB.Row.fetchAll(db, sql: "SELECT test_id, MAX(max_score) AS m FROM test_result WHERE lab_id = ? GROUP BY test_id ORDER BY MIN(position)",
                                  arguments: [lab]).map { ($0["test_id"], $0["m"]) }
        }
    }

    /// One line per (student, lab): scores before/after overrides and penalty, then one column per test.
    public func exportCSV(lab: String? = nil) throws -> String {
        let rows = try rows(lab: lab)
        let testIDs = try db.read { db in
            try String.fetchAll(db, sql: "SELECT test_id FROM test_result \(lab == nil ? "" : "WHERE lab_id = ?") GROUP BY lab_id, test_id ORDER BY lab_id, MIN(position)",
                                arguments: lab.map { [$0] } ?? [])
        }
        var s = csvLine(["student", "lab", "submitted_at", "auto_score", "adjusted_score", "late_penalty", "final_score", "max_score", "overrides"] + testIDs)
        for r in rows {
            s += csvLine([r.student, r.lab, r.submittedAt.map(Self.iso.string) ?? "", num(r.autoScore), num(r.adjustedScore),
                          num(r.latePenalty), num(r.finalScore), num(r.maxScore), String(r.overrides)]
                         + testIDs.map { r.tests[$0].map(num) ?? "" })
        }
        return s
    }

    /// Canvas gradebook import: `Student,ID,SIS User ID,SIS Login ID,Section,<assignment>` with a
    /// "Points Possible" row. Submission folder names go in SIS Login ID (name folders by login).
    public func exportCanvasCSV(lab: String, assignment: String? = nil) throws -> String {
        let rows = try rows(lab: lab)
        let title = assignment ?? "Lab \(lab)"
        let maxScore = try db.read { db in try Double.fetchOne(db, sql: "SELECT max_score FROM lab WHERE id = ?", arguments: [lab]) } ?? rows.first?.maxScore ?? 0
        var s = csvLine(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", title])
        s += csvLine(["    Points Possible", "", "", "", "", num(maxScore)])
        for r in rows { s += csvLine([r.student, "", "", r.student, "", num(r.finalScore)]) }
        return s
    }

    /// Copies every lab, student, submission, test result and override of `other` into this gradebook
    /// (a submission graded later wins; overrides are copied when newer). For merging `--shard` runs.
    public func merge(from other: String) throws -> Int {
        guard FileManager.default.fileExists(atPath: other) else { throw GradeError.config("\(other): no such gradebook") }
        _ = try Gradebook(path: other)  // migrate it to this schema if it is older
        return try db.writeWithoutTransaction { db in
            try db.execute(sql: "ATTACH DATABASE ? AS other", arguments: [other])
            defer { try? db.execute(sql: "DETACH DATABASE other") }
            var merged = 0
            try db.inTransaction {
                try db.execute(sql: "INSERT OR REPLACE INTO lab SELECT * FROM other.lab")
                try db.execute(sql: "INSERT OR IGNORE INTO student SELECT * FROM other.student")
                let newer = """
                    SELECT o.student_id, o.lab_id FROM other.submission o LEFT JOIN submission m
                    ON m.student_id = o.student_id AND m.lab_id = o.lab_id WHERE m.graded_at IS NULL OR o.graded_at > m.graded_at
                    """
                let pairs = try GRDB.Row.fetchAll(db, sql: newer)
                for p in pairs {
                    let args: StatementArguments = [p["student_id"] as String, p["lab_id"] as String]
                    try db.execute(sql: "DELETE FROM test_result WHERE student_id = ? AND lab_id = ?", arguments: args)
                    try db.execute(sql: "INSERT OR REPLACE INTO submission SELECT * FROM other.submission WHERE student_id = ? AND lab_id = ?", arguments: args)
                    try db.execute(sql: "INSERT INTO test_result SELECT * FROM other.test_result WHERE student_id = ? AND lab_id = ?", arguments: args)
                }
                merged = pairs.count
                try db.execute(sql: """
                    INSERT OR REPLACE INTO override SELECT o.* FROM other.override o LEFT JOIN override m
                    ON m.student_id = o.student_id AND m.lab_id = o.lab_id AND m.test_id = o.test_id
                    WHERE m.created_at IS NULL OR o.created_at > m.created_at
                    """)
                return .commit
            }
            return merged
        }
    }
}

func num(_ x: Double) -> String { formatPoints((x * 10_000).rounded() / 10_000) }

func csvLine(_ fields: [String]) -> String {
    fields.map { f in
        f.contains(",") || f.contains("\"") || f.contains("\n") ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
    }.joined(separator: ",") + "\n"
}
