// labrun grade: grade one submission, the reference solutions, or a whole class.

import ArgumentParser
import Foundation
import LabGrader

struct Grade: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Grade a lab's exercises with its graded XCTest cases (one process per test).",
        discussion: """
            Layout (see Labs/README.md): Solutions/<lab> (reference), Labs/<lab>/Exercises (stubs), \
            Tests/Graded/<lab>/grading.yml + *.swift (graded tests) + hidden/*.swift (hidden tests).

            Each test runs in its own process with a wall-clock limit, a CPU limit and an output cap. Statuses: \
            passed, failed, not implemented, crashed, timed out, compile error. A file that does not compile is \
            replaced by its stub so other tests still run.

            Submissions: only the code between each exercise's `// BEGIN EXERCISE` and `// END EXERCISE` lines is \
            taken from a submission (the rest comes from the course's stubs), checked against an allowlist (no \
            imports, underscored attributes, unsafe pointers or C-level calls), and the built library may export \
            only its own module's symbols and add no load-time constructors. Each test of exercise X runs against \
            the student's code for X and the reference solutions for every other exercise (when Solutions/ is \
            present), so a stubbed exercise costs only its own tests. To compile once instead of once per \
            exercise, the exercises whose regions are whole function bodies are built as one module in which each \
            region holds the student's code and the reference's; a test's run configuration names its exercise, \
            and only that exercise's regions run the student's code (when that module does not compile, each \
            exercise is compiled on its own, as above, and only those errors are shown).

            Containment (Linux; what is not available is printed once at the start): every test starts in new \
            PID, mount, IPC, network and UTS namespaces (inside a user namespace when not root); as root it runs \
            as an identity of its own (uid 61000 + slot, one per running test), set before exec, so nothing of \
            the submission (not even load-time code in the exercises library) runs privileged. It sees private, \
            empty /tmp, /var/tmp, /dev/shm; the course folder, the submissions, the build cache and the output \
            are hidden; its working directory is the only place it can write. A cgroup per test (v2, else v1 \
            memory+pids+freezer) limits the memory of its whole process tree and its number of processes, and \
            kills the tree at the end; the tree dies with the grader (the namespace's init has PDEATHSIG). A \
            later run removes cgroups and scratch folders a killed grader left. Each compile of a submission runs \
            in its own cgroup and PID namespace with a time and memory budget (--compile-timeout): over it, the \
            compiler is killed as a tree and the submission gets "took too long to compile".

            Pass evidence: the run configuration (a pipe) holds nothing secret. The harness keeps the result \
            records of the test in memory; when the test is over it blocks and resets all signal handlers, stops \
            timers, checks that it is the only thread and (in the PID namespace) the only process, then asks the \
            grader for a one-time token on a private socket (fd 3); the grader answers the first request only. \
            A test passes only with the signed "finished without failures" record of the graded test's own class, \
            exactly one token request, and a clean exit. This assumes that submitted code cannot make system \
            calls or read and write memory directly (no imports, no unsafe pointers, no C symbols: the \
            submission checks reject them), so it can reach the channel only as the harness does, and it cannot \
            outlive the test inside the process (no threads, processes, handlers or timers left: checked).

            As root, grading refuses to start when hidden tests or solutions are readable by the tests' \
            identities and the machine has no mount namespaces to hide them (`chmod 700` them).

            Examples:
              labrun grade --lab 30            (your own Labs/30/Exercises)
              labrun grade ~/alice --lab 30 --results results.json --html feedback.html
              labrun grade --self-check --lab 30
              labrun grade --submissions subs/ --lab 30 --jobs 2
              labrun grade --submissions subs/ --lab 30 --shard 3/10
              labrun gradebook merge --into all.sqlite subs-graded/lab-30/gradebook.shard-*.sqlite

            On Gradescope: labrun grade /autograder/submission --lab 30 --results /autograder/results/results.json
            In a Slurm array of n tasks: --shard $((SLURM_ARRAY_TASK_ID + 1))/$SLURM_ARRAY_TASK_COUNT.

            Exit status: 0 graded (whatever the score), 1 self-check failed, 2 bad input, 3 the grader itself failed.
            """)

    @Argument(help: "A submission folder (its exercise files in Labs/<lab>/Exercises/, Exercises/ or the folder itself). Default: the course's Labs/<lab>/Exercises.")
    var submission: String?

    @Option(help: "The lab to grade (a folder of Tests/Graded). Default: the only lab there is.")
    var lab: String?

    @Option(help: "The course root. Default: the nearest ancestor of the current directory with Tests/Graded.")
    var course: String?

    @Flag(help: "Grade the reference solutions (Solutions/<lab>).")
    var solutions = false

    @Flag(help: "CI self-check: solutions score 100%, the released stubs score 0 with every test 'not implemented', Labs/ is in sync with release.")
    var selfCheck = false

    @Option(help: "Write results here (single submission). Written atomically; valid even when nothing compiles.")
    var results: String?

    @Option(help: "Format of --results and of each results file in a batch: gradescope, exercism (v3) or junit.")
    var format: ResultsFormat = .gradescope

    @Option(help: "Write an HTML feedback page (student view: tests a student may not see yet are left out).")
    var html: String?

    @Flag(help: "Treat grades as published (shows after_published tests in student views).")
    var published = false

    @Option(help: "Grade every submission folder in this directory (batch mode).")
    var submissions: String?

    @Option(help: "Batch output directory: <out>/<student>/{report.json,results.json,feedback.html}. Default: <submissions>-graded/lab-<lab>.")
    var out: String?

    @Option(help: "Processes at once: submissions in a batch, tests and compiles of a single submission.")
    var jobs: Int = 2

    @Option(help: "Grade only shard i of n (1-based, e.g. 3/10): submission k (sorted by name) belongs to shard k mod n + 1.")
    var shard: String?

    @Option(help: "SQLite gradebook to record a batch in. Default: <out>/gradebook.sqlite (with --shard: <out>/gradebook.shard-i-of-n.sqlite).")
    var gradebook: String?

    @Flag(help: "Regrade submissions even if their files, tests and manifest are unchanged.")
    var force = false

    @Option(help: ArgumentHelp("Batch: hand-in times from the LMS, a CSV with folder (or login) and submitted_at (ISO 8601) columns; else each folder's submission.json, else (with a warning) its files' modification times.", valueName: "csv"))
    var handInTimes: String?

    @Option(help: ArgumentHelp("The data directory the graded tests read (becomes LABRUN_DATA_DIR).", valueName: "dir"))
    var dataDir: String?

    @Option(help: "Seconds one compile of a submission may take (the compiler is killed as a tree after that).")
    var compileTimeout: Double = 300

    @Option(help: ArgumentHelp("Append the seconds of each grading phase (compiles, test processes, report) to this file, a JSON object per line (as LABRUN_GRADE_TIMINGS does); read by Benchmarks/GradeBench.", valueName: "file"))
    var timings: String?

    enum ResultsFormat: String, ExpressibleByArgument, CaseIterable { case gradescope, exercism, junit }

    func run() throws {
        do {
            try execute()
        } catch let e as GradeError {
            FileHandle.standardError.write(Data("error: \(e.description)\n".utf8))
            if case .harness = e { throw ExitCode(3) }
            throw ExitCode(2)
        }
    }

    func execute() throws {
        guard jobs >= 1 else { throw GradeError.config("--jobs must be at least 1") }
        if let timings { GradeTimings.shared = GradeTimings(path: timings) }
        let setupStart = GradeTimings.now()
        useDataDir(dataDir)
        let course = try course.map { Course(root: URL(fileURLWithPath: $0)) } ?? Course.locate()
        let labID = try course.resolveLab(lab)
        let shardSpec = try shard.map(Shard.parse)
        var options = GradeOptions(toolchain: try GradeToolchain.locate())
        guard compileTimeout > 0 else { throw GradeError.config("--compile-timeout must be positive") }
        options.compileSeconds = compileTimeout
        if let dir = submissions {
            let subs = URL(fileURLWithPath: dir).standardizedFileURL
            options.hiddenPaths = [subs.path] + [out.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
                ?? subs.deletingLastPathComponent().appendingPathComponent("\(subs.lastPathComponent)-graded").path]
                + (gradebook.map { [URL(fileURLWithPath: $0).standardizedFileURL.deletingLastPathComponent().path] } ?? [])
        }
        if submissions == nil {
            // One submission: its tests, and its compiles, `jobs` at a time (a batch runs `jobs` submissions at once).
            options.testJobs = jobs
            options.compileJobs = jobs
        }
        let grader = try Grader(course: course, lab: labID, options: options)
        let exposure = grader.exposure()
        GradeTimings.shared?.record("setup", detail: "course, manifest, toolchain, containment probe", start: setupStart, seconds: GradeTimings.now() - setupStart)
        for w in exposure.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
        if let e = exposure.errors.first { throw GradeError.config(e) }
        for n in Grader.notEnforced { FileHandle.standardError.write(Data("note: not enforced here: \(n)\n".utf8)) }

        if selfCheck { return try runSelfCheck(course: course, grader: grader) }

        if let dir = submissions {
            guard submission == nil, results == nil, html == nil, !solutions else {
                throw GradeError.config("--submissions grades a batch: drop the SUBMISSION argument, --results, --html and --solutions")
            }
            let subs = URL(fileURLWithPath: dir).standardizedFileURL
            let outDir = out.map { URL(fileURLWithPath: $0) }
                ?? subs.deletingLastPathComponent().appendingPathComponent("\(subs.lastPathComponent)-graded/lab-\(labID)")
            let db = gradebook.map { URL(fileURLWithPath: $0) }
                ?? outDir.appendingPathComponent(shardSpec.map { "gradebook.shard-\($0.index)-of-\($0.count).sqlite" } ?? "gradebook.sqlite")
            var batch = Batch(grader: grader, submissionsDir: subs, outDir: outDir, gradebook: db)
            batch.jobs = jobs
            batch.shard = shardSpec
            batch.force = force
            batch.format = BatchFormat(rawValue: format.rawValue)!
            batch.published = published
            if let handInTimes { batch.handInTimes = try HandInTimes.load(URL(fileURLWithPath: handInTimes)) }
            let summary = try batch.run(progress: ProgressBar())
            print(summary.text)
            if summary.harnessErrors > 0 { throw ExitCode(3) }
            return
        }

        let single = grader
        let dir: URL
        if solutions {
            guard submission == nil else { throw GradeError.config("give either a SUBMISSION or --solutions") }
            dir = course.solutionsDir(labID)
        } else if let s = submission {
            dir = URL(fileURLWithPath: s).standardizedFileURL
            guard FileManager.default.fileExists(atPath: dir.path) else { throw GradeError.config("\(s): no such submission folder") }
        } else {
            dir = course.exercisesDir(labID)
        }
        let sub = dir == course.solutionsDir(labID) || dir == course.exercisesDir(labID)
            ? Submission(name: dir.path.hasPrefix(course.root.path) ? String(dir.path.dropFirst(course.root.path.count + 1)) : dir.lastPathComponent, dir: dir)
            : Submission.folder(dir)
        let report: GradeReport
        do {
            report = try single.grade(sub)
        } catch let e as GradeError {
            if let path = results { try? atomicWrite(GradescopeFormat.harnessFailure(e.description), to: URL(fileURLWithPath: path)) }
            throw e
        }
        // Instructors (Solutions/ present) see every test; a student sees what their visibility allows, and no
        // name of a test they may not see yet.
        let reportStart = GradeTimings.now()
        defer { GradeTimings.shared?.record("report", submission: sub.name, start: reportStart, seconds: GradeTimings.now() - reportStart) }
        let instructor = course.hasSolutions(labID)
        let shown = instructor ? report : report.studentView(due: single.lab.manifest.due, published: published)
        print(TerminalFormat.render(shown), terminator: "")
        if let path = results {
            try atomicWrite(encode(report, format, manifest: single.lab.manifest), to: URL(fileURLWithPath: path))
            print("Results: \(path) (\(format.rawValue))")
        }
        if let path = html {
            let view = report.studentView(due: single.lab.manifest.due, published: published)
            try atomicWrite(Data(FeedbackPage.render(view).utf8), to: URL(fileURLWithPath: path))
            print("Feedback: \(path)")
        }
    }

    func encode(_ r: GradeReport, _ f: ResultsFormat, manifest: LabManifest) throws -> Data {
        switch f {
        case .gradescope: return try GradescopeFormat.encode(r)
        case .exercism: return try ExercismFormat.encode(r.studentView(due: manifest.due, published: published))
        case .junit: return JUnitFormat.encode(r.studentView(due: manifest.due, published: published))
        }
    }

    func runSelfCheck(course: Course, grader: Grader) throws {
        let check = try SelfCheck.run(course: course, grader: grader)
        print(check.text, terminator: "")
        if !check.ok { throw ExitCode(1) }
    }
}

/// A one-line progress bar on stderr (a line per submission when stderr is not a terminal).
final class ProgressBar: BatchProgress, @unchecked Sendable {
    let tty = isatty(2) == 1
    let lock = NSLock()
    let start = Date()

    func update(done: Int, total: Int, skipped: Int, last: String) {
        lock.lock(); defer { lock.unlock() }
        let elapsed = Date().timeIntervalSince(start)
        let graded = done - skipped
        let eta = graded > 0 && done < total ? elapsed / Double(graded) * Double(total - done) : 0
        if tty {
            let width = 30
            let filled = total > 0 ? width * done / total : width
            let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
            let line = String(format: "\r[%@] %d/%d  %d skipped  ETA %d:%02d  %@", bar, done, total, skipped, Int(eta) / 60, Int(eta) % 60, last)
            FileHandle.standardError.write(Data((line.padding(toLength: 110, withPad: " ", startingAt: 0)).utf8))
            if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
        } else {
            FileHandle.standardError.write(Data("[\(done)/\(total)] \(last)\n".utf8))
        }
    }
}
