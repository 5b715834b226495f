import Foundation
import LabProcess

/// `i/n`: this process grades the submissions whose index (sorted by name) is `i - 1` modulo `n`.
public struct Shard: Sendable, Equatable {
    public var index: Int
    public var count: Int

    public static func parse(_ s: String) throws -> Shard {
        let p = s.split(separator: "/")
        guard p.count == 2, let i = Int(p[0]), let n = Int(p[1]), n >= 1, i >= 1, i <= n else {
            throw GradeError.config("--shard \(s): expected i/n with 1 <= i <= n, e.g. 3/10 (in a Slurm array: $((SLURM_ARRAY_TASK_ID+1))/$SLURM_ARRAY_TASK_COUNT)")
        }
        return Shard(index: i, count: n)
    }

    public func contains(_ position: Int) -> Bool { position % count == index - 1 }
}

public enum BatchFormat: String, Sendable { case gradescope, exercism, junit }

/// Receives batch progress (called from worker threads).
public protocol BatchProgress: Sendable {
    func update(done: Int, total: Int, skipped: Int, last: String)
}

/// Grades every submission folder of a directory: in parallel, resumable, one submission's failure never
/// stops the others. Writes `<out>/<name>/report.json` (full, instructor), `results.json` (chosen format),
/// `feedback.html` (student view), and records everything in the SQLite gradebook.
public struct Batch {
    public var grader: Grader
    public var submissionsDir: URL
    public var outDir: URL
    public var gradebook: URL
    public var jobs = 2
    public var shard: Shard?
    public var force = false
    public var format: BatchFormat = .gradescope
    public var published = false
    /// Hand-in times from the LMS (`--hand-in-times`), by submission folder; they win over submission.json and file times.
    public var handInTimes: [String: Date] = [:]

    public init(grader: Grader, submissionsDir: URL, outDir: URL, gradebook: URL) {
        self.grader = grader; self.submissionsDir = submissionsDir; self.outDir = outDir; self.gradebook = gradebook
    }

    public struct Summary: Sendable {
        public var graded: [GradeReport] = []
        public var skipped: [String] = []
        public var harnessErrors = 0
        public var errors: [String] = []
        public var seconds = 0.0
        /// Submissions whose hand-in time is only their files' modification time (no submission.json, no LMS time).
        public var fileTimesOnly: [String] = []
        public var text: String {
            let all = graded.count + skipped.count
            var s = String(format: "Graded %d submission%@ (%d skipped as unchanged) in %.1f s.", graded.count, graded.count == 1 ? "" : "s", skipped.count, seconds)
            if all > 0, !graded.isEmpty {
                let mean = graded.reduce(0) { $0 + $1.score } / Double(graded.count)
                s += String(format: " Mean score of those graded: %.2f/%@.", mean, formatPoints(graded[0].maxScore))
            }
            for e in errors { s += "\nerror: \(e)" }
            if !fileTimesOnly.isEmpty {
                s += "\nwarning: \(fileTimesOnly.count) submission\(fileTimesOnly.count == 1 ? " has" : "s have") no hand-in time "
                    + "(no submission.json, not in --hand-in-times): the late penalty uses the newest .swift file's "
                    + "modification time, which copying or unzipping changes (\(fileTimesOnly.prefix(5).joined(separator: ", "))\(fileTimesOnly.count > 5 ? ", ..." : ""))"
            }
            return s
        }
    }

    /// Submission folders (not hidden, sorted), then this shard's share.
    public func submissions() throws -> [Submission] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: submissionsDir.path) else {
            throw GradeError.config("\(submissionsDir.path): cannot read the submissions directory")
        }
        var dirs: [URL] = []
        for n in names.sorted() where !n.hasPrefix(".") {
            var isDir: ObjCBool = false
            let u = submissionsDir.appendingPathComponent(n)
            if FileManager.default.fileExists(atPath: u.path, isDirectory: &isDir), isDir.boolValue { dirs.append(u) }
        }
        return dirs.enumerated().filter { shard?.contains($0.offset) ?? true }.map {
            var s = Submission.folder($0.element)
            if let t = handInTimes[s.name] { s.submittedAt = t }
            return s
        }
    }

    public func run(progress: BatchProgress?) throws -> Summary {
        let start = monotonicNow()
        let subs = try submissions()
        try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
        let book = try Gradebook(path: gradebook.path)
        try book.recordLab(grader.lab.manifest)
        final class State: @unchecked Sendable {
            let lock = NSLock()
            var summary = Summary()
            var done = 0
        }
        let state = State()
        let total = subs.count
        let g = grader, out = outDir, force = force, format = format, published = published
        try parallelForEach(count: subs.count, jobs: jobs) { i in
            let sub = subs[i]
            let dir = out.appendingPathComponent(sub.name)
            let reportURL = dir.appendingPathComponent("report.json")
            var line: String
            var report: GradeReport?
            var skipped = false
            var failure: String?
            if !force, let data = try? Data(contentsOf: reportURL), let old = try? GradeReport.decoder.decode(GradeReport.self, from: data),
               old.inputHash == g.inputHash(sub) {
                report = old
                skipped = true
                line = "\(sub.name): unchanged, \(formatPoints(old.score))/\(formatPoints(old.maxScore))"
            } else {
                do {
                    let r = try g.grade(sub)
                    try GradeTimings.measure("report", submission: sub.name) { try Batch.write(r, to: dir, format: format, manifest: g.lab.manifest, published: published) }
                    report = r
                    line = "\(sub.name): \(formatPoints(r.score))/\(formatPoints(r.maxScore))"
                } catch {
                    failure = "\(sub.name): the grader failed: \(error)"
                    try? atomicWrite(GradescopeFormat.harnessFailure("\(error)"), to: dir.appendingPathComponent("results.json"))
                    line = failure!
                }
            }
            // The gradebook has one writer (GRDB queue); recording is cheap next to grading.
            if let r = report { GradeTimings.measure("gradebook", submission: sub.name) { _ = try? book.record(r, student: sub.name) } }
            state.lock.lock()
            state.done += 1
            if let r = report { if skipped { state.summary.skipped.append(sub.name) } else { state.summary.graded.append(r) } }
            if let f = failure { state.summary.harnessErrors += 1; state.summary.errors.append(f) }
            let (done, nSkipped) = (state.done, state.summary.skipped.count)
            state.lock.unlock()
            progress?.update(done: done, total: total, skipped: nSkipped, last: line)
        }
        var s = state.summary
        s.seconds = monotonicNow() - start
        s.fileTimesOnly = subs.filter { handInTimes[$0.name] == nil && !HandInTimes.hasSubmissionJSON($0.dir) }.map(\.name)
        return s
    }

    /// `report.json` (full), the results file in `format`, and `feedback.html` (student view).
    static func write(_ r: GradeReport, to dir: URL, format: BatchFormat, manifest: LabManifest, published: Bool) throws {
        let results: Data
        switch format {
        case .gradescope: results = try GradescopeFormat.encode(r)
        case .exercism: results = try ExercismFormat.encode(r.studentView(due: manifest.due, published: published))
        case .junit: results = JUnitFormat.encode(r.studentView(due: manifest.due, published: published))
        }
        try atomicWrite(results, to: dir.appendingPathComponent(format == .junit ? "results.xml" : "results.json"))
        try atomicWrite(Data(FeedbackPage.render(r.studentView(due: manifest.due, published: published)).utf8),
                        to: dir.appendingPathComponent("feedback.html"))
        // Last: its presence (with the input hash) is what makes a later run skip this submission.
        try atomicWrite(try GradeReport.encoder.encode(r), to: dir.appendingPathComponent("report.json"))
    }
}

extension GradeReport {
    public static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.dateEncodingStrategy = .iso8601
        return e
    }
    public static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }
}

/// The course's self-check of one lab: solutions 100%, the stubs `release` generates 0 with every test
/// "not implemented". It grades generated copies, never the working files in `Labs/` (a student's edits there
/// must not fail it); `labrun release --check` compares those with the generated stubs.
public enum SelfCheck {
    public struct Outcome { public var ok: Bool; public var text: String }

    public static func run(course: Course, grader: Grader) throws -> Outcome {
        var ok = true
        var text = ""
        let lab = grader.lab.id
        let sol = try grader.grade(Submission(name: "Solutions/\(lab)", dir: course.solutionsDir(lab)))
        if sol.score == sol.maxScore && sol.tests.allSatisfy({ $0.status == .passed }) {
            text += "✓ solutions: \(formatPoints(sol.score))/\(formatPoints(sol.maxScore)), all \(sol.tests.count) tests passed\n"
        } else {
            ok = false
            text += "✗ solutions score \(formatPoints(sol.score))/\(formatPoints(sol.maxScore)):\n" + indent(TerminalFormat.render(sol), 4) + "\n"
        }

        // The stubs exactly as `release` generates them (not whatever is in Labs/ now).
        let tmp = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("labrun-selfcheck-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: tmp) }
        for (name, t) in try Release.expectedStubs(course: course, lab: lab) { try atomicWrite(Data(t.utf8), to: tmp.appendingPathComponent(name)) }
        let stubs = try grader.grade(Submission(name: "released stubs", dir: tmp))
        let notNI = stubs.tests.filter { $0.status != .notImplemented }
        if stubs.score == 0 && notNI.isEmpty {
            text += "✓ stubs: 0/\(formatPoints(stubs.maxScore)), all \(stubs.tests.count) tests 'not implemented'\n"
        } else {
            ok = false
            text += "✗ stubs score \(formatPoints(stubs.score)); tests not reported as 'not implemented': "
                + notNI.map { "\($0.name) (\($0.status.label))" }.joined(separator: ", ") + "\n"
        }
        return Outcome(ok: ok, text: text)
    }
}

extension Grader {
    /// What keeps graded sources from the code under test, checked before grading: `errors` refuse to grade,
    /// `warnings` are printed. As root, hidden tests or solutions readable by a test identity are an error unless
    /// each test's mount namespace hides the course anyway.
    public func exposure() -> (errors: [String], warnings: [String]) { exposure(support: .current) }

    func exposure(support: ContainmentSupport) -> (errors: [String], warnings: [String]) {
        var errors: [String] = [], warnings: [String] = []
        // Instructors only: without Solutions/ (a student's hand-out) there is nothing to warn about.
        guard course.hasSolutions(lab.id) else { return (errors, warnings) }
        let hiddenDir = lab.dir.appendingPathComponent("hidden")
        for dir in [hiddenDir, course.solutionsRoot] where FileManager.default.fileExists(atPath: dir.path) && readableByOthers(dir) {
            if support.root && options.dropPrivileges && !support.namespaces {
                errors.append("\(dir.path) is readable by the tests' identities and this machine has no mount namespaces to hide it: `chmod 700` it")
            } else if !support.namespaces {
                warnings.append("\(dir.path) is readable by other users; `chmod 700` it so code under test cannot read it")
            }
        }
        if !support.root && lab.sources.contains(where: \.hidden) && !support.namespaces {
            warnings.append("not running as root: student code runs as you and could read the hidden tests and solutions; grade as root (in a container) for isolation")
        }
        return (errors, warnings)
    }

    /// The containment guarantees this machine cannot give (no root, no namespaces, no cgroups), one line each.
    public static var notEnforced: [String] { ContainmentSupport.current.notEnforced }

    /// Compatibility: the warnings and errors of `exposure()` as lines.
    public func exposureWarnings() -> [String] { let e = exposure(); return e.errors + e.warnings }
}

/// Whether a user other than the owner (a test identity) could read `url`: every ancestor searchable by others and the directory itself readable.
func readableByOthers(_ url: URL) -> Bool {
    var st = stat()
    guard stat(url.path, &st) == 0, st.st_mode & 0o004 != 0 else { return false }
    var dir = url.deletingLastPathComponent()
    while dir.path != "/" {
        guard stat(dir.path, &st) == 0, st.st_mode & 0o001 != 0 else { return false }
        dir = dir.deletingLastPathComponent()
    }
    return true
}
