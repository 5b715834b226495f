// Grader.grade's phases: the student's regions cut from their files, each exercise spliced into the course's code
// and checked, the compositions compiled (fused into one module where they can be), the test jobs, and the tests run.
import Foundation
import LabProcess

/// What one `grade` collects as it goes.
final class GradeState {
    let box = ResultsBox()
    var notes: [String] = []
    var diagnostics: [BuildDiagnostic] = []
    /// Test id → why its exercise's code is absent (appended to a "not implemented" message).
    var absentReason: [String: String] = [:]
    /// Each test to run, the runner that runs it, the directory of the exercises library it loads and its exercise
    /// number in a fused module (-1: none).
    var jobs: [(test: DiscoveredTest, runner: URL, library: URL, exercise: Int)] = []
    /// Graded test files that do not compile against the course's stubs.
    var courseBroken: Set<Int> = []
    /// Exercises that failed the allowlist, did not compile or failed the library check.
    var broken: [String] = []
}

/// What `compileSpliced` built: the modules that compiled and passed the library check, with their tests; each
/// test's exercise number when the exercises are one fused module (nil: one module per composition); and, when one
/// runner serves every module, the test runner built against the lab's stubs (nil when the stubs do not compile).
struct CompiledSubmission {
    var built: [(tests: [DiscoveredTest], dir: URL, key: String)] = []
    var fusedExercise: [String: Int]?
    var runner: (runner: URL?, excluded: [Int: [BuildDiagnostic]])?
}

typealias SplicedExercise = (unit: String, tests: [DiscoveredTest], composition: Composition)

extension Grader {
    /// No Solutions/ (a student grading their own copy): the student's files as they are, one module.
    func gradeAsOneModule(_ studentFiles: [String: String], _ state: GradeState) throws {
        var files = studentFiles
        if files.isEmpty { for name in exerciseNames { files[name] = "" } }
        let r = try compileExercises(files, label: Self.wholeSubmission)
        let tests = lab.tests
        if r.ok {
            let runner = try runnerFor(tests: tests, exercises: (r.dir, r.key), box: state.box, courseBroken: &state.courseBroken)
            if let runner { state.jobs += tests.filter { state.box.byID[$0.id] == nil }.map { ($0, runner, r.dir, -1) } }
        } else {
            state.diagnostics += r.diagnostics
            let text = r.diagnostics.map(\.text).joined(separator: "\n")
            for t in tests { state.box.byID[t.id] = result(t, .compileError, message: text.isEmpty ? "The exercises do not compile." : text) }
        }
    }

    /// 1. The student's regions, cut at the markers (everything outside them is the course's), and for each region
    /// that is absent, why.
    func cutRegions(_ studentFiles: [String: String], foundIn: URL?, unreadable: [String: String],
                    _ state: GradeState) -> (bodies: [String: StudentRegions.Body], problems: [String: String]) {
        var bodies: [String: StudentRegions.Body] = [:]
        var problems: [String: String] = [:]
        timed("regions") {
            for (file, ref) in reference {
                if let text = studentFiles[file] {
                    let cut = StudentRegions.parse(text, file: file, expected: ref.regions.map { ($0.name, exerciseOf[$0.name]) })
                    bodies.merge(cut.bodies) { a, _ in a }
                    problems.merge(cut.problems) { a, _ in a }
                } else {
                    let why = unreadable[file] ?? "\(file) is missing from the submission"
                    if foundIn != nil, unreadable[file] == nil { state.notes.append("\(file) is missing from the submission: its exercises count as not implemented.") }
                    for r in ref.regions { problems[r.name] = why }
                }
            }
        }
        for p in Set(problems.values).sorted() where !p.contains("is missing from the submission") && !p.contains("not valid UTF-8") { state.notes.append(p) }
        return (bodies, problems)
    }

    /// 2. Each exercise: the student's regions for it and the reference for every other exercise, checked against the
    /// allowlist and spliced (compiled by `compileSpliced`).
    func spliceExercises(_ bodies: [String: StudentRegions.Body], _ problems: [String: String],
                         _ state: GradeState) -> [SplicedExercise] {
        var spliced: [SplicedExercise] = []
        for unit in exerciseUnits {
            let tests = lab.tests.filter { exerciseID($0) == unit.id }
            guard !tests.isEmpty else { continue }
            let mine = Set(unit.regions)
            let reasons = unit.regions.compactMap { problems[$0] }
            for t in tests where !reasons.isEmpty { state.absentReason[t.id] = Array(Set(reasons)).sorted().joined(separator: "\n") }
            // The allowlist, on the student's own lines.
            var violations: [BuildDiagnostic] = []
            timed("check", unit.id) {
                for (file, ref) in reference.sorted(by: { $0.key < $1.key }) {
                    for r in ref.regions where mine.contains(r.name) {
                        if let b = bodies[r.name] {
                            violations += SubmissionCheck.check(b.lines.joined(separator: "\n"), file: file, firstLine: b.firstLine)
                        }
                    }
                }
            }
            if !violations.isEmpty {
                state.diagnostics += violations
                state.broken.append(unit.id)
                let text = "The code of \(describe(unit.id)) uses what a submission may not (it was not compiled):\n" + violations.map(\.text).joined(separator: "\n")
                for t in tests { state.box.byID[t.id] = result(t, .compileError, message: text) }
                continue
            }
            var c = Composition()
            timed("splice", unit.id) {
                for (file, ref) in reference {
                    let byName = Dictionary(uniqueKeysWithValues: ref.regions.map { ($0.name, $0) })
                    Composition.splice(stub: ref.text, file: file, body: { name in
                        if mine.contains(name) { return bodies[name].map { .student($0) } ?? .keep }
                        return .reference(byName[name]?.body ?? "")
                    }, into: &c)
                }
            }
            spliced.append((unit.id, tests, c))
        }
        return spliced
    }

    /// 3. Compiles each distinct composition once and, when one runner serves them all, the stubs and the lab's test
    /// runner (lab-wide builds, cached across submissions), `compileJobs` at a time.
    func compileSpliced(_ spliced: [SplicedExercise], bodies: [String: StudentRegions.Body], submission name: String,
                        _ state: GradeState) throws -> CompiledSubmission {
        var compiled = CompiledSubmission()
        let shared = sharesRunner
        var firstOf: [String: Int] = [:]
        var distinct: [(unit: String, files: [String: String])] = []
        for s in spliced {
            let k = exercisesKey(s.composition.files)
            if firstOf[k] == nil { firstOf[k] = distinct.count; distinct.append((s.unit, s.composition.files)) }
        }
        /// What the compile threads produce (each slot written by one thread, read after they all finished).
        final class Builds: @unchecked Sendable {
            let lock = NSLock()
            var compositions: [Compiled?]
            var runner: (runner: URL?, excluded: [Int: [BuildDiagnostic]])?
            var fused: Compiled?
            init(_ n: Int) { compositions = Array(repeating: nil, count: n) }
            func set(_ i: Int, _ c: Compiled) { lock.lock(); compositions[i] = c; lock.unlock() }
        }
        // Several exercises to compile: those whose regions are each the whole body of their block are first
        // tried as one module, each region holding the student's code and the reference's, the student's running
        // only in the tests of its own exercise (one compile instead of one per exercise). If that module does not
        // compile or fails the library check, each composition is compiled on its own (and only those
        // diagnostics are shown). Student code is compiled only for exercises that passed the allowlist.
        let units = exerciseUnits.map(\.id)
        var whole = Set<String>()
        for ref in reference.values { whole.formUnion(Composition.wholeBlockRegions(ref.text)) }
        let fusable = shared ? Set(exerciseUnits.filter { u in spliced.contains { $0.unit == u.id } && u.regions.allSatisfy(whole.contains) }.map(\.id)) : []
        var fusedFiles: [String: String]?
        if Set(spliced.filter { fusable.contains($0.unit) }.map { exercisesKey($0.composition.files) }).count > 1 {
            var c = Composition()
            timed("splice", "fused") {
                for (file, ref) in reference {
                    let byName = Dictionary(uniqueKeysWithValues: ref.regions.map { ($0.name, $0) })
                    Composition.splice(stub: ref.text, file: file, body: { name in
                        let reference = byName[name]?.body ?? ""
                        guard let unit = self.exerciseOf[name], fusable.contains(unit), let k = units.firstIndex(of: unit) else { return .reference(reference) }
                        return .fused(student: bodies[name], reference: reference, exercise: k)
                    }, into: &c)
                }
            }
            fusedFiles = c.files
        }
        let builds = Builds(distinct.count)
        /// Round 1: the lab's builds, the fused module and the compositions it does not replace; round 2 (the
        /// fused module failed): the rest.
        var fused: Compiled?
        let needed = Set(spliced.filter { fusedFiles == nil || !fusable.contains($0.unit) }.map { firstOf[exercisesKey($0.composition.files)]! })
        let firstRound = distinct.indices.filter(needed.contains)
        let tasks: [Int] = (shared && !distinct.isEmpty ? [-1] : []) + (fusedFiles != nil ? [-2] : []) + firstRound
        let todo = distinct, fusedSource = fusedFiles
        let compile = { @Sendable (task: Int) throws -> Void in
            GradeTimings.currentSubmission = name
            switch task {
            case -1:
                var stubs: [String: String] = [:]
                for (file, ref) in self.reference { stubs[file] = ref.text }
                let stub = try self.compileExercises(stubs, label: "stubs")
                var runner: (runner: URL?, excluded: [Int: [BuildDiagnostic]])?
                if stub.ok {
                    _ = try self.baselineConstructors()
                    runner = try self.compileTests(against: (stub.dir, stub.key), tests: self.lab.tests)
                }
                builds.lock.lock(); builds.runner = runner; builds.lock.unlock()
            case -2:
                let f = try self.compileExercises(fusedSource!, label: "fused")
                builds.lock.lock(); builds.fused = f; builds.lock.unlock()
            default:
                builds.set(task, try self.compileExercises(todo[task].files, label: todo[task].unit))
            }
        }
        try parallelForEach(count: tasks.count, jobs: options.compileJobs) { try compile(tasks[$0]) }
        if let f = builds.fused, f.ok, try timed("library-check", "fused", { try libraryProblems(f.dir) }).isEmpty { fused = f }
        if fusedFiles != nil, fused == nil {
            let rest = distinct.indices.filter { builds.compositions[$0] == nil }
            try parallelForEach(count: rest.count, jobs: options.compileJobs) { try compile(rest[$0]) }
        }
        if fused != nil {
            var of: [String: Int] = [:]
            for t in lab.tests where fusable.contains(exerciseID(t)) { of[t.id] = units.firstIndex(of: exerciseID(t)) }
            compiled.fusedExercise = of
        }
        for (unitID, tests, c) in spliced {
            let unit = (id: unitID, tests: tests)
            if let fused, fusable.contains(unit.id) {
                compiled.built.append((tests, fused.dir, fused.key))
                continue
            }
            let r = builds.compositions[firstOf[exercisesKey(c.files)]!]!
            guard r.ok else {
                let diags = r.diagnostics.map { c.studentDiagnostic($0) ?? $0 }
                state.diagnostics += diags.filter { !state.diagnostics.contains($0) }
                state.broken.append(unit.id)
                let text = diags.map(\.text).joined(separator: "\n")
                for t in tests { state.box.byID[t.id] = result(t, .compileError, message: text.isEmpty ? "\(describe(unit.id)) does not compile." : text) }
                continue
            }
            let libProblems = try timed("library-check", unit.id) { try libraryProblems(r.dir) }
            if !libProblems.isEmpty {
                state.broken.append(unit.id)
                let d = libProblems.map { BuildDiagnostic(file: "", line: 0, column: 0, message: $0, text: "error: " + $0) }
                state.diagnostics += d
                for t in tests { state.box.byID[t.id] = result(t, .compileError, message: libProblems.joined(separator: "\n")) }
                continue
            }
            compiled.built.append((tests, r.dir, r.key))
        }
        compiled.runner = builds.runner
        return compiled
    }

    /// 4. The test jobs: one runner per distinct module (exercises whose composition is the same share it).
    func addJobs(_ compiled: CompiledSubmission, _ state: GradeState) throws {
        var order: [String] = []
        var byKey: [String: (tests: [DiscoveredTest], dir: URL)] = [:]
        for b in compiled.built {
            if byKey[b.key] == nil { order.append(b.key); byKey[b.key] = ([], b.dir) }
            byKey[b.key]!.tests += b.tests
        }
        if sharesRunner, !order.isEmpty {
            // Every composition has the course's interface: one runner, built against the stubs, is linked
            // into each module's directory, where it loads that module ($ORIGIN comes first in its run path).
            // It is built for all of the lab's tests (one build per lab); only the tests of exercises that compiled run.
            let all = order.flatMap { byKey[$0]!.tests }
            if let compiledRunner = compiled.runner,
               let runner = try recordExcluded(compiledRunner, tests: all, box: state.box, courseBroken: &state.courseBroken) {
                for key in order {
                    let (tests, dir) = byKey[key]!
                    let linked = try timed("link-runner") { try linkRunner(runner, into: dir) }
                    state.jobs += tests.filter { state.box.byID[$0.id] == nil }.map { ($0, linked, dir, compiled.fusedExercise?[$0.id] ?? -1) }
                }
            }
        } else {
            for key in order {
                let (tests, dir) = byKey[key]!
                if let runner = try runnerFor(tests: tests, exercises: (dir, key), box: state.box, courseBroken: &state.courseBroken) {
                    state.jobs += tests.filter { state.box.byID[$0.id] == nil }.map { ($0, runner, dir, -1) }
                }
            }
        }
    }

    /// 5. Runs each test in its own process, in the manifest's order, within the submission's time budget.
    func runTests(_ submission: Submission, _ state: GradeState) throws {
        let rank = Dictionary(uniqueKeysWithValues: lab.tests.enumerated().map { ($1.id, $0) })
        state.jobs.sort { rank[$0.test.id]! < rank[$1.test.id]! }
        if !state.jobs.isEmpty {
            let sandbox = try timed("sandbox") { try makeSandbox(submission, runners: state.jobs.map(\.runner), libraries: state.jobs.map(\.library)) }
            defer { sandbox.remove() }
            let lock = NSLock()
            let budget = lab.manifest.submissionBudget
            let testsStart = monotonicNow()
            let reasons = state.absentReason
            let pending = state.jobs
            let name = submission.name
            defer { GradeTimings.shared?.record("tests", detail: "\(state.jobs.count) tests, \(options.testJobs) at once", start: testsStart, seconds: monotonicNow() - testsStart) }
            try parallelForEach(count: pending.count, jobs: options.testJobs) { i in
                GradeTimings.currentSubmission = name
                let (t, runner, _, exercise) = pending[i]
                if monotonicNow() - testsStart > budget {
                    let r = self.result(t, .timedOut, message: "Not run: this submission used up its \(formatPoints(budget)) s budget for all tests (earlier tests hung or were very slow).")
                    lock.lock(); state.box.byID[t.id] = r; lock.unlock()
                    return
                }
                var r = try timed("test", t.id) { try self.run(t, runner: runner, sandbox: sandbox, slot: i, exercise: exercise) }
                if r.status == .notImplemented, let why = reasons[t.id] { r.message += "\n(" + why + ")" }
                lock.lock(); state.box.byID[t.id] = r; lock.unlock()
            }
        }
    }
}
