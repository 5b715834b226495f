import Foundation
import GRDB
import SwiftCSV

/// The class list from the LMS: who each submission folder belongs to, for exports back into the LMS.
///
/// A CSV with a header row; columns are matched by name, case-insensitively: the student id (`student_id`, `id`,
/// `sis user id`), the login (`login`, `sis login id`, `email`), the submission folder (`folder`; default: the
/// login), and optionally `name` and `section`.
///
/// ```swift
/// let roster = try Roster.load(URL(fileURLWithPath: "roster.csv"))   // student_id,login,folder
/// roster.entry(folder: "alice")?.id                                  // "10001"
/// ```
/// (pandas: `pd.read_csv("roster.csv").set_index("folder")`.)
public struct Roster: Sendable {
    public struct Entry: Sendable, Equatable {
        public var id: String
        public var login: String
        public var folder: String
        public var name: String?
        public var section: String?
    }

    public var entries: [Entry]

    public func entry(folder: String) -> Entry? { entries.first { $0.folder == folder } }

    public static func load(_ url: URL) throws -> Roster {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw GradeError.config("\(url.path): cannot read the roster") }
        return try parse(text, path: url.path)
    }

    public static func parse(_ text: String, path: String) throws -> Roster {
        let csv: CSV<Named>
        do { csv = try CSV<Named>(string: text, delimiter: .comma) } catch {
            throw GradeError.config("\(path): not a CSV file (\(error))")
        }
        func column(_ names: [String]) -> String? {
            csv.header.first { names.contains($0.trimmingCharacters(in: .whitespaces).lowercased()) }
        }
        guard let idCol = column(["student_id", "student id", "id", "sis user id"]),
              let loginCol = column(["login", "sis login id", "email"]) else {
            throw GradeError.config("\(path): the roster needs a student id column (student_id) and a login column (login); it has \(csv.header.joined(separator: ", "))")
        }
        let folderCol = column(["folder"]), nameCol = column(["name", "student"]), sectionCol = column(["section"])
        var entries: [Entry] = []
        var folders = Set<String>()
        for (i, row) in csv.rows.enumerated() {
            func value(_ c: String?) -> String? {
                guard let c, let v = row[c]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
                return v
            }
            guard let id = value(idCol), let login = value(loginCol) else {
                throw GradeError.config("\(path):\(i + 2): a student id and a login are needed on every row")
            }
            let folder = value(folderCol) ?? login
            guard folders.insert(folder).inserted else { throw GradeError.config("\(path):\(i + 2): folder '\(folder)' is listed twice") }
            entries.append(Entry(id: id, login: login, folder: folder, name: value(nameCol), section: value(sectionCol)))
        }
        return Roster(entries: entries)
    }
}

extension Gradebook {
    /// Canvas gradebook import for one lab with the students of `roster`: one row per roster entry (a student with
    /// no submission gets an empty score), the LMS's ids in `SIS User ID` and `SIS Login ID`. Graded folders that
    /// are not in the roster are returned as warnings (their scores would be lost).
    public func exportCanvasCSV(lab: String, assignment: String? = nil, roster: Roster) throws -> (csv: String, warnings: [String]) {
        let rows = try rows(lab: lab)
        let byStudent = Dictionary(rows.map { ($0.student, $0) }, uniquingKeysWith: { a, _ in a })
        let title = assignment ?? "Lab \(lab)"
        let maxScore = try db.read { db in try Double.fetchOne(db, sql: "SELECT max_score FROM lab WHERE id = ?", arguments: [lab]) } ?? rows.first?.maxScore ?? 0
        var s = csvLine(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", title])
        s += csvLine(["    Points Possible", "", "", "", "", num(maxScore)])
        for e in roster.entries {
            s += csvLine([e.name ?? e.login, "", e.id, e.login, e.section ?? "", byStudent[e.folder].map { num($0.finalScore) } ?? ""])
        }
        let known = Set(roster.entries.map(\.folder))
        let warnings = rows.map(\.student).filter { !known.contains($0) }.sorted().map {
            "submission folder '\($0)' (lab \(lab)) is not in the roster: its score is not in the export"
        }
        return (s, warnings)
    }
}
