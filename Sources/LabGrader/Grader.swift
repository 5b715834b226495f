import Foundation
import LabProcess

/// How to grade: compiler, cache, limits, parallelism.
public struct GradeOptions: Sendable {
    public var toolchain: GradeToolchain
    /// Tests of one submission run on this many processes at once.
    public var testJobs: Int = 1
    /// Compiles of one submission (its exercise compositions, the lab's stubs and test runner) at once.
    public var compileJobs: Int = 1
    /// When root, run each test as an identity of its own (uid 61000 + slot), set before anything of it runs.
    public var dropPrivileges: Bool = getuid() == 0
    /// Folders no test may see besides the course, the submission, the build cache and the scratch space
    /// (a batch adds the submissions folder and its output).
    public var hiddenPaths: [String] = []
    /// Wall-clock budget of one compile of a submission (swiftc and every swift-frontend it starts).
    public var compileSeconds: Double = 300
    /// Memory budget of one compile, over the compiler's whole process tree.
    public var compileMemoryBytes: Int = 6 << 30
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
    /// Per exercise file: the course's stub (with its exercise markers) and the reference regions. Empty without
    /// `Solutions/`: then the student's files are compiled as they are.
    let reference: [String: (text: String, regions: [Release.Region])]
    /// Region name → exercise id.
    let exerciseOf: [String: String]
    let toolchainIdentity: String
    static let harnessVersion = "labrun-grade/2"
    final class Cached<T>: @unchecked Sendable { var value: T?; let lock = NSLock(); init() {} }
    let baseline = Cached<Int>()

    public init(course: Course, lab: String, options: GradeOptions) throws {
        self.course = course
        self.lab = try GradedLab.load(course: course, lab: lab)
        self.options = options
        self.exerciseNames = course.exerciseFileNames(lab)
        guard !exerciseNames.isEmpty else {
            throw GradeError.config("no exercise files in \(course.solutionsDir(lab).path) or \(course.exercisesDir(lab).path)")
        }
        self.reference = course.hasSolutions(lab) ? try Release.stubsByFile(course: course, lab: lab) : [:]
        var of: [String: String] = [:]
        for e in self.lab.manifest.exercises { for r in e.regions { of[r] = e.id } }
        self.exerciseOf = of
        if !reference.isEmpty {
            let sorted = reference.sorted { $0.key < $1.key }
            var at: [String: String] = [:]
            for (file, ref) in sorted { for r in ref.regions { at[r.name] = "Solutions/\(lab)/\(file):\(r.beginLine)" } }
            try self.lab.manifest.validateExercises(regions: sorted.flatMap { $0.value.regions.map(\.name) }, locations: at)
        }
        self.toolchainIdentity = try options.toolchain.identity(cacheDir: options.cache.root)
        Self.removeLeftovers()
    }

    nonisolated(unsafe) static var leftoversRemoved = false

    /// Once per process: cgroups and scratch spaces that a killed grader left behind.
    static func removeLeftovers() {
        guard !leftoversRemoved else { return }
        leftoversRemoved = true
        Cgroup.removeStale()
        Sandbox.removeStale()
    }

    // MARK: Inputs

    /// The student's exercise files: `DIR/Labs/<lab>/Exercises` (a whole course repository), `DIR/Exercises`
    /// or `DIR` itself. Files that are not valid UTF-8 are left out, with the reason (file and byte offset).
    func collect(_ dir: URL) -> (files: [String: String], found: URL?, unreadable: [String: String]) {
        for sub in ["Labs/\(lab.id)/Exercises", "Exercises", ""] {
            let d = sub.isEmpty ? dir : dir.appendingPathComponent(sub)
            var files: [String: String] = [:]
            var unreadable: [String: String] = [:]
            for name in exerciseNames {
                guard let data = try? Data(contentsOf: d.appendingPathComponent(name)) else { continue }
                if let off = invalidUTF8Offset(data) {
                    unreadable[name] = "\(name) is not valid UTF-8 text (the first bad byte is at offset \(off), 0x\(String(format: "%02X", data[data.startIndex + off]))): save it as UTF-8"
                } else {
                    files[name] = String(decoding: data, as: UTF8.self)
                }
            }
            if !files.isEmpty || !unreadable.isEmpty { return (files, d, unreadable) }
        }
        return ([:], nil, [:])
    }

    /// Everything a grade depends on (resume key).
    public func inputHash(_ submission: Submission) -> String {
        let (files, _, unreadable) = collect(submission.dir)
        var parts = [Self.harnessVersion, toolchainIdentity, (try? lab.manifest.yaml()) ?? ""]
        parts += lab.sources.flatMap { [$0.url.lastPathComponent, $0.text] }
        parts += reference.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value.text] + $0.value.regions.map(\.body) }
        parts += exerciseNames.flatMap { [$0, files[$0] ?? unreadable[$0] ?? "<missing>"] }
        return sha256Hex(parts)
    }

    var optimize: [String] { lab.manifest.optimize == true ? ["-O"] : ["-Onone"] }

    /// The exercises graded one by one: the declared ones, or one made of every region.
    var exerciseUnits: [(id: String, regions: [String])] {
        if !lab.manifest.exercises.isEmpty { return lab.manifest.exercises.map { ($0.id, $0.regions) } }
        return [(Self.wholeSubmission, reference.values.flatMap { $0.regions.map(\.name) })]
    }
    static let wholeSubmission = "*"
    func exerciseID(_ t: DiscoveredTest) -> String { lab.manifest.spec(t.id)?.exercise ?? Self.wholeSubmission }
    func describe(_ exercise: String) -> String {
        exercise == Self.wholeSubmission ? "the exercises" : "exercise \(exercise)" + (lab.manifest.exercise(exercise)?.title.map { " (\($0))" } ?? "")
    }

    // MARK: Grade

    public func grade(_ submission: Submission) throws -> GradeReport {
        let start = monotonicNow()
        let outer = GradeTimings.currentSubmission
        GradeTimings.currentSubmission = submission.name
        defer {
            GradeTimings.shared?.record("grade", start: start, seconds: monotonicNow() - start)
            GradeTimings.currentSubmission = outer
        }
        let hash = timed("input-hash") { inputHash(submission) }
        let state = GradeState()
        let (studentFiles, foundIn, unreadable) = timed("collect") { collect(submission.dir) }
        if foundIn == nil {
            state.notes.append("No exercise files found in \(submission.dir.lastPathComponent) (expected \(exerciseNames.joined(separator: ", ")) in Labs/\(lab.id)/Exercises/, Exercises/ or the folder itself).")
        }
        for name in unreadable.keys.sorted() { state.notes.append(unreadable[name]! + "; its exercises count as not written.") }

        if reference.isEmpty {
            try gradeAsOneModule(studentFiles, state)
        } else {
            let (bodies, problems) = cutRegions(studentFiles, foundIn: foundIn, unreadable: unreadable, state)
            let spliced = spliceExercises(bodies, problems, state)
            let compiled = try compileSpliced(spliced, bodies: bodies, submission: submission.name, state)
            try addJobs(compiled, state)
            let broken = state.broken
            if !broken.isEmpty {
                state.notes.append("\(broken.map(describe).joined(separator: ", ")) did not compile: \(broken.count == 1 ? "its" : "their") tests count as compile errors; every other exercise was graded with the course's reference code in place of \(broken.count == 1 ? "it" : "them").")
            }
        }
        for i in state.courseBroken.sorted() {
            let n = lab.tests.filter { $0.file == i }.count
            let file = lab.sources[i].hidden ? "a hidden graded test file" : "the graded test file \(lab.sources[i].url.lastPathComponent)"
            state.notes.append("Course error: \(file) does not compile against the course's own stubs; its \(n) test\(n == 1 ? "" : "s") could not run. Tell your instructor.")
        }
        try runTests(submission, state)

        if let h = lab.manifest.hiddenSummary {
            state.notes.append("\(formatPoints(h.points)) more point\(h.points == 1 ? " is" : "s are") checked after the due date, by tests that are not in your copy of the course.")
        }
        let tests = lab.tests.map { state.box.byID[$0.id]! }
        let (score, maxScore) = Scoring.total(tests)
        return GradeReport(lab: lab.id, title: lab.manifest.title, submission: submission.name,
                           buildOK: state.diagnostics.isEmpty && state.absentReason.isEmpty, diagnostics: state.diagnostics,
                           notes: state.notes, score: score, maxScore: maxScore, seconds: monotonicNow() - start,
                           tests: tests, submittedAt: submission.submittedAt, gradedAt: Date(), inputHash: hash)
    }

    /// The scratch space and what its tests may see: the directories of the test runners and of the exercises
    /// libraries they load (often the same: a runner linked beside its composition's library) with only the
    /// runners and the libraries readable; the course, the submission, the build cache and `options.hiddenPaths`
    /// not at all.
    func makeSandbox(_ submission: Submission, runners: [URL], libraries: [URL]) throws -> Sandbox {
        var sandbox = try Sandbox(dropPrivileges: options.dropPrivileges)
        let dirs = Array(Set(runners.map { $0.deletingLastPathComponent().path } + libraries.map(\.path))).sorted()
        if sandbox.dropPrivileges {
            // Reachable only inside a test's mount namespace: the cache root stays 0700 and is hidden there. What a
            // composition's build left beside the library (its sources hold reference code, its logs compiler
            // output) stays readable by root only.
            for dir in dirs {
                chmod(dir, 0o711)
                for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
                    let path = dir + "/" + name
                    if name.hasPrefix("runner") { chmod(path, 0o711) }
                    else if name.hasSuffix(".so") { chmod(path, 0o644) }
                    else { chmod(path, 0o700) }
                }
            }
        }
        sandbox.hidden = [course.root.path, submission.dir.path, options.cache.root.path] + options.hiddenPaths
        sandbox.visible = dirs + (options.toolchain.labKitLib.map { [$0] } ?? [])
            + (ProcessInfo.processInfo.environment["LABRUN_DATA_DIR"].map { [$0] } ?? [])
        return sandbox
    }

    /// Compiles the runner of `tests` against one composition; tests whose file does not compile get their result
    /// in `box` (compile error, naming the course when the file fails against the stubs too).
    func runnerFor(tests: [DiscoveredTest], exercises: (dir: URL, key: String), box: ResultsBox,
                   courseBroken faults: inout Set<Int>) throws -> URL? {
        try recordExcluded(try compileTests(against: exercises, tests: tests), tests: tests, box: box, courseBroken: &faults)
    }

    /// The runner of a `compileTests` result; the tests of `tests` whose file it left out get a compile error in `box`.
    func recordExcluded(_ compiled: (runner: URL?, excluded: [Int: [BuildDiagnostic]]), tests: [DiscoveredTest], box: ResultsBox,
                        courseBroken faults: inout Set<Int>) throws -> URL? {
        let courseBroken = compiled.excluded.isEmpty ? [:] : try testFilesBrokenAgainstStubs()
        for i in courseBroken.keys where compiled.excluded[i] != nil { faults.insert(i) }
        for t in tests {
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
        return compiled.runner
    }

    /// Whether every composition has the same module interface as the stubs, so one runner serves them all: all
    /// regions are function bodies (no stored properties), nothing is inlined across modules (`-Onone`, no
    /// `@inlinable`-style attributes in the course's files), so the runner calls into whichever library it loads.
    var sharesRunner: Bool {
        guard !reference.isEmpty, lab.manifest.optimize != true else { return false }
        let inlining = ["@inlinable", "@_alwaysEmitIntoClient", "@_transparent", "@_specialize", "@frozen"]
        return reference.values.allSatisfy { ref in
            !ref.regions.contains(where: \.declarations) && !inlining.contains(where: { ref.text.contains($0) })
        }
    }

    /// A hard link (else a copy) of `runner` in the module directory `dir`, named after the runner's cache entry.
    func linkRunner(_ runner: URL, into dir: URL) throws -> URL {
        let target = dir.appendingPathComponent("runner-" + runner.deletingLastPathComponent().lastPathComponent.prefix(24))
        if FileManager.default.fileExists(atPath: target.path) { return target }
        let tmp = dir.appendingPathComponent(".\(target.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max))")
        if link(runner.path, tmp.path) != 0 { try FileManager.default.copyItem(at: runner, to: tmp) }
        if rename(tmp.path, target.path) != 0 {
            try? FileManager.default.removeItem(at: tmp)
            guard FileManager.default.fileExists(atPath: target.path) else { throw GradeError.harness("cannot link the test runner into \(dir.path)") }
        }
        return target
    }

    /// What the library check finds wrong with the exercises library in `dir` (empty when fine).
    func libraryProblems(_ dir: URL) throws -> [String] {
        let module = course.moduleName(lab.id)
        let lib = dir.appendingPathComponent("lib\(module).so")
        guard FileManager.default.fileExists(atPath: lib.path), let elf = try? ELFSummary(contentsOf: lib) else { return [] }
        return LibraryCheck.problems(elf, module: module, constructors: try baselineConstructors())
    }

    /// Load-time constructors of the course's own build (the stubs), which the compiler adds by itself.
    func baselineConstructors() throws -> Int {
        baseline.lock.lock(); defer { baseline.lock.unlock() }
        if let n = baseline.value { return n }
        var files: [String: String] = [:]
        for (name, ref) in reference { files[name] = ref.text }
        let r = try compileExercises(files, label: "stubs")
        let lib = r.dir.appendingPathComponent("lib\(course.moduleName(lab.id)).so")
        let n = r.ok ? ((try? ELFSummary(contentsOf: lib))?.constructors ?? 0) : 0
        baseline.value = n
        return n
    }

    /// Compiles the test runner against `exercises`, leaving out the test files that do not compile (up to 4 tries).
    /// Returns the runner, or nil when no test file compiles, and the left-out files (index into `lab.sources`)
    /// with their errors.
    func compileTests(against exercises: (dir: URL, key: String), tests: [DiscoveredTest]) throws -> (runner: URL?, excluded: [Int: [BuildDiagnostic]]) {
        var excluded: [Int: [BuildDiagnostic]] = [:]
        for _ in 0..<4 {
            let included = tests.filter { excluded[$0.file] == nil }
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
        guard !reference.isEmpty else { return [:] }
        var files: [String: String] = [:]
        for (name, s) in reference { files[name] = s.text }
        let r = try compileExercises(files, label: "stubs")
        guard r.ok else { return [:] }   // stubs that do not compile are for `labrun release --check` to report
        return try compileTests(against: (r.dir, r.key), tests: lab.tests).excluded
    }

    func result(_ t: DiscoveredTest, _ status: TestStatus, message: String, output: String = "", seconds: Double = 0) -> TestResult {
        let spec = lab.manifest.spec(t.id)!
        let hidden = lab.sources[t.file].hidden
        return TestResult(id: t.id, status: status, score: Scoring.score(status, spec), maxScore: spec.points,
                          visibility: spec.visibility, message: message, output: output, hint: spec.hint,
                          hintAfterDueDate: spec.hintAfterDueDate, seconds: seconds, testCode: hidden ? "" : t.code, sourceHidden: hidden)
    }

    // MARK: Compile

    struct Compiled { var ok: Bool; var dir: URL; var key: String; var diagnostics: [BuildDiagnostic] }

    /// The exercises module's compiler flags. Whole-module: one frontend parses, checks and compiles every file
    /// (at -Onone this changes no code, and it loads LabKit's modules once instead of once per file).
    var exercisesFlags: [String] {
        ["-parse-as-library", "-enable-testing", "-module-name", course.moduleName(lab.id), "-wmo"] + optimize + options.toolchain.labKitFlags
    }

    /// The build-cache key of the exercises module made of `files`.
    func exercisesKey(_ files: [String: String]) -> String {
        "ex-" + sha256Hex(["exercises/2", toolchainIdentity, Release.supportSource, Composition.selectSource] + exercisesFlags + files.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value] })
    }

    func compileExercises(_ files: [String: String], label: String = "") throws -> Compiled {
        let t0 = monotonicNow()
        let tc = options.toolchain
        let module = course.moduleName(lab.id)
        let flags = exercisesFlags
        let sorted = files.sorted { $0.key < $1.key }
        let key = exercisesKey(files)
        let (dir, cached) = try options.cache.entry(key) { tmp in
            let src = tmp.appendingPathComponent("src")
            try FileManager.default.createDirectory(at: src, withIntermediateDirectories: true)
            for (name, text) in sorted { try Data(text.utf8).write(to: src.appendingPathComponent(name)) }
            try Data(Release.supportSource.utf8).write(to: src.appendingPathComponent(Release.supportFileName))
            try Data(Composition.selectSource.utf8).write(to: src.appendingPathComponent(Composition.selectFileName))
            let args = flags + ["-emit-library", "-emit-module", "-emit-module-path", tmp.appendingPathComponent("\(module).swiftmodule").path,
                                "-Xlinker", "-soname=lib\(module).so", "-o", tmp.appendingPathComponent("lib\(module).so").path]
                + (sorted.map(\.key) + [Release.supportFileName, Composition.selectFileName]).map { "src/\($0)" }
            let (ok, out, overBudget) = try runSwiftc(tc, args, cwd: tmp, budget: compileBudget)
            try Data((ok ? "ok" : "failed").utf8).write(to: tmp.appendingPathComponent("status"))
            try JSONEncoder().encode(parseBuildErrors(out)).write(to: tmp.appendingPathComponent("diagnostics.json"))
            try Data(out.utf8).write(to: tmp.appendingPathComponent("compiler-output.txt"))
            if overBudget { try Data().write(to: tmp.appendingPathComponent("over-budget")) }
        }
        GradeTimings.shared?.record("compile-exercises", detail: label + " " + key.prefix(15), start: t0, seconds: monotonicNow() - t0, cached: cached)
        return try readCompiled(dir, key)
    }

    func compileRunner(exercises: (dir: URL, key: String), tests: [DiscoveredTest], excluded: Set<Int>) throws -> Compiled {
        let t0 = monotonicNow()
        let tc = options.toolchain
        let main = HarnessSource.main(tests: tests, module: course.moduleName(lab.id))
        let files = lab.sources.indices.filter { !excluded.contains($0) }
        let flags = ["-module-name", "GradedTests", "-I", exercises.dir.path, "-L", exercises.dir.path, "-l\(course.moduleName(lab.id))",
                     // $ORIGIN first: a copy of the runner beside another build of the module loads that one.
                     "-Xlinker", "-rpath", "-Xlinker", "$ORIGIN",
                     "-Xlinker", "-rpath", "-Xlinker", exercises.dir.path, "-lXCTest", "-wmo"] + optimize + tc.labKitFlags
        let key = "run-" + sha256Hex(["runner/2", toolchainIdentity, exercises.key, main] + flags
                                     + files.flatMap { [lab.sources[$0].url.lastPathComponent, lab.sources[$0].text] })
        let (dir, cached) = try options.cache.entry(key) { tmp in
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
            let (ok, out, overBudget) = try runSwiftc(tc, args, cwd: tmp, budget: compileBudget)
            try Data((ok ? "ok" : "failed").utf8).write(to: tmp.appendingPathComponent("status"))
            try JSONEncoder().encode(parseBuildErrors(out)).write(to: tmp.appendingPathComponent("diagnostics.json"))
            if overBudget { try Data().write(to: tmp.appendingPathComponent("over-budget")) }
            // The graded sources (hidden ones too) are not kept next to the binary.
            try? FileManager.default.removeItem(at: src)
        }
        GradeTimings.shared?.record("compile-runner", detail: "\(tests.count) tests " + key.prefix(15), start: t0, seconds: monotonicNow() - t0, cached: cached)
        return try readCompiled(dir, key)
    }

    var compileBudget: CompileBudget { CompileBudget(seconds: options.compileSeconds, memoryBytes: options.compileMemoryBytes) }

    func readCompiled(_ dir: URL, _ key: String) throws -> Compiled {
        let status = (try? String(contentsOf: dir.appendingPathComponent("status"), encoding: .utf8)) ?? "failed"
        let diags = (try? JSONDecoder().decode([BuildDiagnostic].self, from: Data(contentsOf: dir.appendingPathComponent("diagnostics.json")))) ?? []
        // A compile over its budget is not cached: on a less loaded machine it may fit.
        if FileManager.default.fileExists(atPath: dir.appendingPathComponent("over-budget").path) { try? FileManager.default.removeItem(at: dir) }
        return Compiled(ok: status == "ok", dir: dir, key: key, diagnostics: diags)
    }
}

/// Test results by id, filled from several threads under a lock.
final class ResultsBox: @unchecked Sendable { var byID: [String: TestResult] = [:] }

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
