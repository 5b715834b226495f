import Foundation
import SwiftCSV

/// When each submission was handed in, for the late penalty: from the LMS's export (`--hand-in-times`), else the
/// folder's `submission.json` (`{"submitted_at": "2026-12-04T22:10:00Z"}`), else (with a warning) the newest
/// modification time of its `.swift` files.
///
/// ```swift
/// let times = try HandInTimes.load(URL(fileURLWithPath: "canvas-submissions.csv"))   // folder/login, submitted_at
/// times["alice"]   // 2026-12-04 22:10:00 +0000
/// ```
/// (pandas: `pd.read_csv(path, parse_dates=["submitted_at"]).set_index("login")`.)
public enum HandInTimes {
    /// A CSV with a header: the submission folder (`folder`, `login`, `sis login id`, `student`) and the time
    /// (`submitted_at`, `submitted`, `submitted at`, `submission date`) in ISO 8601. Rows without a time are skipped.
    public static func load(_ url: URL) throws -> [String: Date] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw GradeError.config("\(url.path): cannot read the hand-in times") }
        let csv: CSV<Named>
        do { csv = try CSV<Named>(string: text, delimiter: .comma) } catch { throw GradeError.config("\(url.path): not a CSV file (\(error))") }
        func column(_ names: [String]) -> String? { csv.header.first { names.contains($0.trimmingCharacters(in: .whitespaces).lowercased()) } }
        guard let who = column(["folder", "login", "sis login id", "student"]),
              let when = column(["submitted_at", "submitted", "submitted at", "submission date"]) else {
            throw GradeError.config("\(url.path): needs a folder (or login) column and a submitted_at column; it has \(csv.header.joined(separator: ", "))")
        }
        let iso = ISO8601DateFormatter()
        var out: [String: Date] = [:]
        for (i, row) in csv.rows.enumerated() {
            guard let name = row[who]?.trimmingCharacters(in: .whitespaces), !name.isEmpty,
                  let t = row[when]?.trimmingCharacters(in: .whitespaces), !t.isEmpty else { continue }
            guard let date = iso.date(from: t) else {
                throw GradeError.config("\(url.path):\(i + 2): '\(t)' is not an ISO 8601 time (e.g. 2026-12-04T22:10:00Z)")
            }
            out[name] = date
        }
        return out
    }

    /// Whether the folder states its own hand-in time.
    public static func hasSubmissionJSON(_ dir: URL) -> Bool {
        FileManager.default.fileExists(atPath: dir.appendingPathComponent("submission.json").path)
    }
}
