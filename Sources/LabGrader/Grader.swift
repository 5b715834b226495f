import Foundation
import LabProcess

/// How to grade: compiler, cache, limits, parallelism.
public struct GradeOptions: Sendable {
    public var toolchain: GradeToolchain
    /// Tests of one submission run on this many processes at once.
    public var testJobs: Int = 1
    /// When root, run student code as `nobody` (and keep graded sources in 0700 directories).
    public var dropPrivileges: Bool = getuid() == 0
    /// Bytes of output a test may produce before it is killed; what is kept for feedback is much less.
    public var outputLimit: Int = 1 << 20
    /// Largest file a test may write.
    public var fileSizeLimit: Int = 64 << 20
    var cache: BuildCache = .default()

    public init(toolchain: GradeToolchain) { self.toolchain = toolchain }
}

/// Where a submission's exercise files come from and when it was handed in.
public struct Submission: Sendable {
    public var name: String
    public var dir: URL
    public var submittedAt: Date?

    public init(name: String, dir: URL, submittedAt: Date? = nil) {
        self.name = name; self.dir = dir; self.submittedAt = submittedAt
    }

    /// A folder in a batch: its name is the student id; `submission.json` `{"submitted_at": ISO-8601}` if present,
    /// else the newest modification time of its `.swift` files, is the hand-in time.
    public static func folder(_ dir: URL) -> Submission {
        var at: Date?
        if let data = try? Data(contentsOf: dir.appendingPathComponent("submission.json")),
           let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let s = obj["submitted_at"] as? String {
            at = ISO8601DateFormatter().date(from: s)
        }
        if at == nil {
            let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: [.contentModificationDateKey])
            while let u = e?.nextObject() as? URL {
                if u.pathExtension == "swift", let d = try? u.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate {
                    at = max(at ?? d, d)
                }
            }
        }
        return Submission(name: dir.lastPathComponent, dir: dir, submittedAt: at)
    }
}

/// Grades submissions of one lab. Student mistakes never throw: they become statuses in the report.
public final class Grader: @unchecked Sendable {
    public let course: Course
    public let lab: GradedLab
    public let options: GradeOptions
    /// Exercise file names a submission supplies.
    let exerciseNames: [String]
    /// Reference stubs per file (to keep grading when a student file does not compile).
    let stubs: [String: (text: String, regions: [Release.Region])]
    let toolchainIdentity: String
    static let harnessVersion = "labrun-grade/1"

    public init(course: Course, lab: String, options: GradeOptions) throws {
        self.course = course
        self.lab = try GradedLab.load(course: course, lab: lab)
        self.options = options
        self.exerciseNames = course.exerciseFileNames(lab)
        guard !exerciseNames.isEmpty else {
            throw GradeError.config("no exercise files in \(course.solutionsDir(lab).path) or \(course.exercisesDir(lab).path)")
        }
        self.stubs = course.hasSolutions(lab) ? try Release.stubsByFile(course: course, lab: lab) : [:]
        self.toolchainIdentity = try options.toolchain.identity
    }

    // MARK: Inputs

    /// The student's exercise files: `DIR/Labs/<lab>/Exercises` (a whole course repository), `DIR/Exercises`
    /// or `DIR` itself.
    func collect(_ dir: URL) -> (files: [String: String], found: URL?) {
        for sub in ["Labs/\(lab.id)/Exercises", "Exercises", ""] {
            let d = sub.isEmpty ? dir : dir.appendingPathComponent(sub)
            var files: [String: String] = [:]
            for name in exerciseNames {
                if let t = try? String(contentsOf: d.appendingPathComponent(name), encoding: .utf8) { files[name] = t }
            }
            if !files.isEmpty { return (files, d) }
        }
        return ([:], nil)
    }

    /// Everything a grade depends on (resume key).
    public func inputHash(_ submission: Submission) -> String {
        let files = collect(submission.dir).files
        var parts = [Self.harnessVersion, toolchainIdentity, (try? lab.manifest.yaml()) ?? ""]
        parts += lab.sources.flatMap { [$0.url.lastPathComponent, $0.text] }
        parts += exerciseNames.flatMap { [$0, files[$0] ?? "<missing>"] }
        return sha256Hex(parts)
    }

    var optimize: [String] { lab.manifest.optimize == true ? ["-O"] : ["-Onone"] }

    // MARK: Grade

    public func grade(_ submission: Submission) throws -> GradeReport {
        let start = monotonicNow()
        let hash = inputHash(submission)
        var notes: [String] = []
        let (studentFiles, foundIn) = collect(submission.dir)
        if foundIn == nil {
            notes.append("No exercise files found in \(submission.dir.lastPathComponent) (expected \(exerciseNames.joined(separator: ", ")) in Labs/\(lab.id)/Exercises/, Exercises/ or the folder itself).")
        }

        // 1. The exercises. Files that do not compile are replaced by their stubs, so other tests still run.
        var current: [String: String] = [:]
        var stubbed: Set<String> = []
        for name in exerciseNames {
            if let t = studentFiles[name] { current[name] = t }
            else if let s = stubs[name] { current[name] = s.text; stubbed.insert(name); if foundIn != nil { notes.append("\(name) is missing from the submission: its exercises count as not implemented.") } }
        }
        var broken: [String: [BuildDiagnostic]] = [:]
        var allDiagnostics: [BuildDiagnostic] = []
        var exercises: (dir: URL, key: String)?
        var giveUp = false
        for _ in 0..<4 {
            let r = try compileExercises(current)
            if r.ok { exercises = (r.dir, r.key); break }
            let inStudent = r.diagnostics.filter { current[$0.file] != nil && !stubbed.contains($0.file) }
            let files = Set(inStudent.map(\.file))
            if files.isEmpty || files.contains(where: { stubs[$0] == nil }) {
                allDiagnostics += r.diagnostics.filter { !allDiagnostics.contains($0) }
                giveUp = true
                break
            }
            for f in files.sorted() {
                broken[f] = inStudent.filter { $0.file == f }
                allDiagnostics += broken[f]!
                current[f] = stubs[f]!.text
                stubbed.insert(f)
            }
        }
        if exercises == nil { giveUp = true }
        if !broken.isEmpty && !giveUp {
            notes.append("\(broken.keys.sorted().joined(separator: ", ")) did not compile: graded with \(broken.count == 1 ? "that file" : "those files") as stubs; tests that need \(broken.count == 1 ? "it" : "them") count as compile errors.")
        }

        // 2. The graded tests, against the compiled exercises. Test files that do not compile are left out.
        final class Results: @unchecked Sendable { var byID: [String: TestResult] = [:] }
        let box = Results()
        var runner: URL?
        if let ex = exercises {
            let compiled = try compileTests(against: ex)
            runner = compiled.runner
            // A test file that fails against the released stubs too is the course's fault, not the submission's.
            let courseBroken = compiled.excluded.isEmpty ? [:] : try testFilesBrokenAgainstStubs()
            for i in courseBroken.keys.sorted() where compiled.excluded[i] != nil {
                let n = lab.tests.filter { $0.file == i }.count
                let file = lab.sources[i].hidden ? "a hidden graded test file" : "the graded test file \(lab.sources[i].url.lastPathComponent)"
                notes.append("Course error: \(file) does not compile against the course's own stubs; its \(n) test\(n == 1 ? "" : "s") could not run. Tell your instructor.")
            }
            for t in lab.tests {
                guard let diags = compiled.excluded[t.file] else { continue }
                let hidden = lab.sources[t.file].hidden
                let text = diags.map { d -> String in
                    let name = d.file.replacingOccurrences(of: #"^t\d+_"#, with: "", options: .regularExpression)
                    return hidden ? "error: \(d.message)" : d.text.replacingOccurrences(of: d.file, with: name)
                }.joined(separator: "\n")
                let why = courseBroken[t.file] != nil
                    ? "This test does not compile against the course's own stubs either, so the fault is in the course's test file, not in your code; tell your instructor:"
                    : "The test does not compile against your code (did a name or signature change?):"
                box.byID[t.id] = result(t, .compileError, message: why + "\n" + text)
            }
        }
        if runner == nil || giveUp {
            let text = allDiagnostics.map(\.text).joined(separator: "\n")
            for t in lab.tests where box.byID[t.id] == nil {
                box.byID[t.id] = result(t, .compileError, message: text.isEmpty ? "The exercises do not compile." : text)
            }
        }

        // 3. Run each remaining test in its own process.
        if let runner, !giveUp {
            let pending = lab.tests.filter { box.byID[$0.id] == nil }
            let sandbox = try Sandbox(dropPrivileges: options.dropPrivileges)
            defer { sandbox.remove() }
            let lock = NSLock()
            let brokenFiles = broken
            let regionFile = Dictionary(stubs.flatMap { f, s in s.regions.map { ($0.name, f) } }, uniquingKeysWith: { a, _ in a })
            let budget = lab.manifest.submissionBudget
            let testsStart = monotonicNow()
            try parallelForEach(count: pending.count, jobs: options.testJobs) { i in
                let t = pending[i]
                if monotonicNow() - testsStart > budget {
                    let r = self.result(t, .timedOut, message: "Not run: this submission used up its \(formatPoints(budget)) s budget for all tests (earlier tests hung or were very slow).")
                    lock.lock(); box.byID[t.id] = r; lock.unlock()
                    return
                }
                var r = try self.run(t, runner: runner, sandbox: sandbox, slot: i)
                // A stub reached because the student's file was replaced: that is the compile error's doing.
                if r.status == .notImplemented, let name = notImplementedName(r.message), let f = regionFile[name] {
                    if let diags = brokenFiles[f] {
                        r.status = .compileError
                        r.message = "Needs \(f), which does not compile (all errors are listed under Compile errors):\n"
                            + diags.prefix(3).map { "\($0.file):\($0.line):\($0.column): error: \($0.message)" }.joined(separator: "\n")
                    } else if studentFiles[f] == nil {
                        r.message += "\n(\(f) is missing from the submission.)"
                    }
                }
                lock.lock(); box.byID[t.id] = r; lock.unlock()
            }
        }

        if let h = lab.manifest.hiddenSummary {
            notes.append("Hidden tests: \(h.tests) more test\(h.tests == 1 ? "" : "s") worth \(formatPoints(h.points)) points are not run locally; they run when your submission is graded.")
        }
        let tests = lab.tests.map { box.byID[$0.id]! }
        let (score, maxScore) = Scoring.total(tests)
        return GradeReport(lab: lab.id, title: lab.manifest.title, submission: submission.name,
                           buildOK: broken.isEmpty && !giveUp && allDiagnostics.isEmpty, diagnostics: allDiagnostics,
                           notes: notes, score: score, maxScore: maxScore, seconds: monotonicNow() - start,
                           tests: tests, submittedAt: submission.submittedAt, gradedAt: Date(), inputHash: hash)
    }

    /// Compiles the test runner against `exercises`, leaving out the test files that do not compile (up to 4 tries).
    /// Returns the runner, or nil when no test file compiles, and the left-out files (index into `lab.sources`)
    /// with their errors.
    func compileTests(against exercises: (dir: URL, key: String)) throws -> (runner: URL?, excluded: [Int: [BuildDiagnostic]]) {
        var excluded: [Int: [BuildDiagnostic]] = [:]
        for _ in 0..<4 {
            let included = lab.tests.filter { excluded[$0.file] == nil }
            if included.isEmpty { break }
            let r = try compileRunner(exercises: exercises, tests: included, excluded: Set(excluded.keys))
            if r.ok { return (r.dir.appendingPathComponent("runner"), excluded) }
            var byFile: [Int: [BuildDiagnostic]] = [:]
            for d in r.diagnostics {
                if let i = lab.sources.indices.first(where: { "t\($0)_\(lab.sources[$0].url.lastPathComponent)" == d.file }) {
                    byFile[i, default: []].append(d)
                }
            }
            if byFile.isEmpty {
                for i in lab.sources.indices where excluded[i] == nil { excluded[i] = r.diagnostics }
                break
            }
            excluded.merge(byFile) { a, _ in a }
        }
        return (nil, excluded)
    }

    /// The graded test files that do not compile against the released stubs (same API as the solutions): a fault
    /// in the course. Empty when the grader has no stubs to check with (no Solutions/). Builds are cached.
    func testFilesBrokenAgainstStubs() throws -> [Int: [BuildDiagnostic]] {
        guard !stubs.isEmpty else { return [:] }
        var files: [String: String] = [:]
        for name in exerciseNames { if let s = stubs[name] { files[name] = s.text } }
        let r = try compileExercises(files)
        guard r.ok else { return [:] }   // stubs that do not compile are for `labrun release --check` to report
        return try compileTests(against: (r.dir, r.key)).excluded
    }

    func result(_ t: DiscoveredTest, _ status: TestStatus, message: String, output: String = "", seconds: Double = 0) -> TestResult {
        let spec = lab.manifest.spec(t.id)!
        let hidden = lab.sources[t.file].hidden
        return TestResult(id: t.id, status: status, score: Scoring.score(status, spec), maxScore: spec.points,
                          visibility: spec.visibility, message: message, output: output, hint: spec.hint,
                          seconds: seconds, testCode: hidden ? "" : t.code, sourceHidden: hidden)
    }

    // MARK: Compile

    struct Compiled { var ok: Bool; var dir: URL; var key: String; var diagnostics: [BuildDiagnostic] }

    func compileExercises(_ files: [String: String]) throws -> Compiled {
        let tc = options.toolchain
        let module = course.moduleName(lab.id)
        let flags = ["-parse-as-library", "-enable-testing", "-module-name", module] + optimize + tc.labKitFlags
        let sorted = files.sorted { $0.key < $1.key }
        let key = "ex-" + sha256Hex(["exercises/1", toolchainIdentity, Release.supportSource] + flags + sorted.flatMap { [$0.key, $0.value] })
        let (dir, _) = try options.cache.entry(key) { tmp in
            let src = tmp.appendingPathComponent("src")
            try FileManager.default.createDirectory(at: src, withIntermediateDirectories: true)
            for (name, text) in sorted { try Data(text.utf8).write(to: src.appendingPathComponent(name)) }
            try Data(Release.supportSource.utf8).write(to: src.appendingPathComponent(Release.supportFileName))
            let args = flags + ["-emit-library", "-emit-module", "-emit-module-path", tmp.appendingPathComponent("\(module).swiftmodule").path,
                                "-Xlinker", "-soname=lib\(module).so", "-o", tmp.appendingPathComponent("lib\(module).so").path]
                + (sorted.map(\.key) + [Release.supportFileName]).map { "src/\($0)" }
            let (ok, out) = try runSwiftc(tc, args, cwd: tmp)
            try Data((ok ? "ok" : "failed").utf8).write(to: tmp.appendingPathComponent("status"))
            try JSONEncoder().encode(parseBuildErrors(out)).write(to: tmp.appendingPathComponent("diagnostics.json"))
            try Data(out.utf8).write(to: tmp.appendingPathComponent("compiler-output.txt"))
        }
        return try readCompiled(dir, key)
    }

    func compileRunner(exercises: (dir: URL, key: String), tests: [DiscoveredTest], excluded: Set<Int>) throws -> Compiled {
        let tc = options.toolchain
        let main = HarnessSource.main(tests: tests)
        let files = lab.sources.indices.filter { !excluded.contains($0) }
        let flags = ["-module-name", "GradedTests", "-I", exercises.dir.path, "-L", exercises.dir.path, "-l\(course.moduleName(lab.id))",
                     "-Xlinker", "-rpath", "-Xlinker", exercises.dir.path, "-lXCTest"] + optimize + tc.labKitFlags
        let key = "run-" + sha256Hex(["runner/1", toolchainIdentity, exercises.key, main] + flags
                                     + files.flatMap { [lab.sources[$0].url.lastPathComponent, lab.sources[$0].text] })
        let (dir, _) = try options.cache.entry(key) { tmp in
            let src = tmp.appendingPathComponent("src")
            try FileManager.default.createDirectory(at: src, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            var names: [String] = []
            for i in files {
                let name = "t\(i)_\(lab.sources[i].url.lastPathComponent)"
                try Data(lab.sources[i].text.utf8).write(to: src.appendingPathComponent(name))
                names.append(name)
            }
            try Data(main.utf8).write(to: src.appendingPathComponent("main.swift"))
            let args = flags + ["-o", tmp.appendingPathComponent("runner").path] + (names + ["main.swift"]).map { "src/\($0)" }
            let (ok, out) = try runSwiftc(tc, args, cwd: tmp)
            try Data((ok ? "ok" : "failed").utf8).write(to: tmp.appendingPathComponent("status"))
            try JSONEncoder().encode(parseBuildErrors(out)).write(to: tmp.appendingPathComponent("diagnostics.json"))
            // The graded sources (hidden ones too) are not kept next to the binary.
            try? FileManager.default.removeItem(at: src)
        }
        return try readCompiled(dir, key)
    }

    func readCompiled(_ dir: URL, _ key: String) throws -> Compiled {
        let status = (try? String(contentsOf: dir.appendingPathComponent("status"), encoding: .utf8)) ?? "failed"
        let diags = (try? JSONDecoder().decode([BuildDiagnostic].self, from: Data(contentsOf: dir.appendingPathComponent("diagnostics.json")))) ?? []
        return Compiled(ok: status == "ok", dir: dir, key: key, diagnostics: diags)
    }
}

/// `not implemented: Foo.bar` → `Foo.bar`.
func notImplementedName(_ message: String) -> String? {
    guard let r = message.range(of: #"not implemented: [A-Za-z_][\w.]*"#, options: .regularExpression) else { return nil }
    return String(message[r].dropFirst("not implemented: ".count))
}

/// Runs `body(i)` for `i` in `0..<count` on up to `jobs` threads; rethrows the first error after all finish.
func parallelForEach(count: Int, jobs: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws {
    final class State: @unchecked Sendable {
        let lock = NSLock()
        var next = 0
        var error: Error?
        func take() -> Int? {
            lock.lock(); defer { lock.unlock() }
            guard error == nil, next < total else { return nil }
            next += 1
            return next - 1
        }
        func fail(_ e: Error) { lock.lock(); if error == nil { error = e }; lock.unlock() }
        let total: Int
        init(_ total: Int) { self.total = total }
    }
    let state = State(count)
    let group = DispatchGroup()
    for _ in 0..<max(1, min(jobs, count)) {
        group.enter()
        let thread = Thread {
            while let i = state.take() {
                do { try body(i) } catch { state.fail(error) }
            }
            group.leave()
        }
        thread.stackSize = 4 << 20
        thread.start()
    }
    group.wait()
    if let e = state.error { throw e }
}
