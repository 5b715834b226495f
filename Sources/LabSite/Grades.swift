// The grades pages (only with --gradebook; never in a student build): per-lab score distributions, per-test pass
// rates sorted by difficulty with the test's hint, a per-student table with late and override markers.

import Foundation
import LabDisplay
import LabGrader
import LabRunner

struct GradesPages {
    let book: Gradebook
    let project: Project
    let pseudonyms: Bool

    init(path: String, project: Project, pseudonyms: Bool) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw LabError(path, "no gradebook here (labrun grade --submissions ... writes one)")
        }
        book = try Gradebook(path: path)
        self.project = project
        self.pseudonyms = pseudonyms
    }

    /// The template context of grades.mustache and summary.mustache.
    func context() throws -> [String: Any] {
        let rows = try book.rows()
        let names = pseudonymMap(Set(rows.map(\.student)))
        var labs: [[String: Any]] = []
        for lab in try book.labs() {
            let mine = rows.filter { $0.lab == lab.id }
            guard !mine.isEmpty else { continue }
            let pct = mine.map { $0.maxScore > 0 ? 100 * $0.finalScore / $0.maxScore : 0 }
            var bins = [Double](repeating: 0, count: 10)
            for p in pct { bins[min(9, Int(p / 10))] += 1 }
            let histogram = BarChart(title: "Lab \(lab.id): final scores", xLabel: "% of points", yLabel: "students",
                                     labels: (0..<10).map { "\($0 * 10)–\($0 == 9 ? 100 : $0 * 10 + 9)" }, values: bins).html
            let hints = manifestHints(lab.id)
            let tests = try book.tests(lab: lab.id).map { t -> [String: Any] in
                let passed = mine.filter { ($0.tests[t.id] ?? 0) >= t.maxScore - 1e-9 }.count
                let rate = Double(passed) / Double(mine.count)
                return ["id": t.id, "points": formatPoints(t.maxScore), "passed": passed, "total": mine.count,
                        "rate": String(format: "%.0f%%", 100 * rate), "rateValue": rate, "hint": hints[t.id] ?? ""]
            }.sorted { ($0["rateValue"] as! Double) < ($1["rateValue"] as! Double) }
            let students = mine.sorted { names[$0.student]! < names[$1.student]! }.map { r -> [String: Any] in
                ["student": names[r.student]!, "score": formatPoints(r.finalScore), "max": formatPoints(r.maxScore),
                 "auto": formatPoints(r.autoScore), "late": r.latePenalty > 0,
                 "penalty": String(format: "%.0f%%", 100 * r.latePenalty), "override": r.overrides > 0,
                 "submitted": r.submittedAt.map(SitePages.date) ?? "—"]
            }
            let sorted = pct.sorted()
            labs.append(["id": lab.id, "title": lab.title ?? "Lab \(lab.id)", "count": mine.count,
                         "mean": String(format: "%.1f%%", pct.reduce(0, +) / Double(pct.count)),
                         "median": String(format: "%.1f%%", sorted[sorted.count / 2]),
                         "histogram": histogram, "tests": tests, "students": students,
                         "hardest": tests.prefix(3).map { $0 }])
        }
        return ["labs": labs, "pseudonyms": pseudonyms, "students": names.count]
    }

    /// Student id → shown name: the id, or `student-01`... in the order of a hash of the id (stable across builds,
    /// unrelated to alphabetical order).
    func pseudonymMap(_ ids: Set<String>) -> [String: String] {
        guard pseudonyms else { return Dictionary(uniqueKeysWithValues: ids.map { ($0, $0) }) }
        let ordered = ids.sorted { Self.hash($0) < Self.hash($1) }
        let width = max(2, String(ordered.count).count)
        return Dictionary(uniqueKeysWithValues: ordered.enumerated().map { i, id in
            (id, "student-" + String(repeating: "0", count: width - String(i + 1).count) + String(i + 1))
        })
    }

    static func hash(_ s: String) -> String { var h = ContentHash(); h.update(s); return h.hex }

    /// Test id → hint, from the lab's grading.yml when the course has it.
    func manifestHints(_ lab: String) -> [String: String] {
        let url = URL(fileURLWithPath: project.gradedDir(lab: lab) + "/grading.yml")
        guard let m = try? LabManifest.load(url) else { return [:] }
        return Dictionary(m.tests.compactMap { t in t.hint.map { (t.id, $0) } }, uniquingKeysWith: { a, _ in a })
    }
}
