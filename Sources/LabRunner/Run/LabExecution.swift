// Running a lab end to end: compile (dropping cells from the first broken one), run the program, split its
// output per cell, watch per-cell and per-lab timeouts, and decide each cell's status.

import Foundation
import LabDisplay
import LabProcess

/// Runs labs for one project with one compiler.
public final class LabExecution {
    public let project: Project
    public let compiler: LabCompiler
    public var options: LabRunOptions

    public init(project: Project, options: LabRunOptions, toolchain: Toolchain? = nil) throws {
        self.project = project
        self.options = options
        self.compiler = try LabCompiler(toolchain: toolchain, cacheDir: project.cacheDir, useCache: options.useCache)
    }

    /// Runs `lab`; bad input throws `LabError`, everything that happens in cells is in the result.
    public func run(_ lab: Lab, observer: LabRunObserver? = nil) throws -> LabRunResult {
        let started = Date()
        try checkData(lab)
        var results = lab.cells.map { CellResult(index: $0.index, status: .notRun) }
        for c in lab.cells where c.options.noRun || !(options.only?.contains(c.index) ?? true) {
            results[c.index].status = .skipped
        }
        let exercises = try buildExercises(lab)
        let used = try buildUsedLabs(lab)
        PhaseClock.shared.mark("exercises modules")
        let generator = ProgramGenerator(lab: lab, sourcePath: project.displayPath(lab.path),
                                         exercisesModule: exercises?.name, usedModules: used.map(\.name))
        var runnable = lab.cells.filter { results[$0.index].status == .notRun }.map(\.index)

        // Compile; a cell with errors is reported and the program is cut just before it.
        observer?.compiling(lab, cached: false)
        var compileSeconds = 0.0
        var cached = true
        var executable: String?
        var labError: String?
        while !runnable.isEmpty {
            let source = generator.source(cells: runnable)
            PhaseClock.shared.mark("generate program")
            let outcome = try compiler.buildExecutable(source: source, modules: used + (exercises.map { [$0] } ?? []))
            compileSeconds += outcome.seconds
            cached = cached && outcome.cached
            let byCell = attribute(outcome.diagnostics, lab: lab, file: generator.sourcePath)
            if let exe = outcome.executable {
                executable = exe
                for (i, d) in byCell where runnable.contains(i) { results[i].diagnostics = d }
                break
            }
            let errorCells = byCell.filter { $0.value.contains { $0.severity == .error } }.keys
            guard let k = errorCells.min() else {
                labError = "the generated program did not compile: "
                    + (outcome.diagnostics.first { $0.severity == .error }?.summary ?? String(outcome.log.prefix(500)))
                break
            }
            results[k].diagnostics = byCell[k] ?? []
            let first = results[k].diagnostics.first { $0.severity == .error }!
            if lab.cells[k].options.shouldFail {
                results[k].status = .expectedFailure
                results[k].message = "compile error (expected): line \(first.line): \(first.message)"
                runnable.removeAll { $0 == k }
            } else {
                results[k].status = .failed
                results[k].message = "compile error: line \(first.line): \(first.message)"
                runnable.removeAll { $0 >= k }
            }
        }
        observer?.compiling(lab, cached: cached)

        var runSeconds = 0.0
        if let executable, labError == nil {
            let t0 = monotonicNow()
            labError = try execute(executable, lab: lab, cells: runnable, results: &results, observer: observer)
            runSeconds = monotonicNow() - t0
            PhaseClock.shared.mark("child run")
        }
        for c in lab.cells { observer?.cellFinished(c, result: results[c.index]) }
        let facts = RunFacts(date: started, toolchain: toolchainVersion(), library: libraryVersion(),
                             exercises: exercises == nil ? "none" : (options.solutions ? "solutions" : "student"),
                             compileSeconds: compileSeconds, compileCached: cached, runSeconds: runSeconds,
                             host: ProcessInfo.processInfo.hostName, settings: options.settings)
        PhaseClock.shared.mark("run facts")
        return LabRunResult(labPath: project.displayPath(lab.path), name: lab.name, slide: lab.frontMatter.slide,
                            title: lab.frontMatter.title, cells: results, facts: facts, error: labError)
    }

    /// The data files named in the front matter must exist in the data directory.
    func checkData(_ lab: Lab) throws {
        var isDir: ObjCBool = false
        let dirExists = FileManager.default.fileExists(atPath: project.dataDir, isDirectory: &isDir) && isDir.boolValue
        for f in lab.frontMatter.data where !FileManager.default.fileExists(atPath: project.dataDir + "/" + f) {
            throw LabError(lab.path, line: lab.frontMatterLine("data"), dirExists
                ? "data file '\(f)' not found in \(project.dataDir) (--data-dir or LABRUN_DATA_DIR)"
                : "the data directory \(project.dataDir) does not exist, so '\(f)' is not there (--data-dir or LABRUN_DATA_DIR)")
        }
    }

    /// Builds the lab's own module (`Lab30`) from `Labs/30/Exercises/*.swift` (or `Solutions/30/` with
    /// `--solutions`), if the lab has a folder with exercise sources. Each lab's module is built and cached on
    /// its own: a broken file in one lab never stops another.
    func buildExercises(_ lab: Lab) throws -> BuiltModule? {
        guard lab.hasFolder else { return nil }
        let dir = project.exercisesDir(lab: lab.name, solutions: options.solutions)
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
            .filter { $0.hasSuffix(".swift") }.sorted().map { dir + "/" + $0 }
        guard !files.isEmpty else { return nil }
        return try compiler.buildModule(name: lab.moduleName, sources: files)
    }

    /// The modules of the labs this lab `uses:` (front matter), for its cells: each built from the lab's reference
    /// solutions, or, where the course has none (a student's hand-out), from the student's exercises of that lab.
    func buildUsedLabs(_ lab: Lab) throws -> [BuiltModule] {
        try lab.frontMatter.uses.map { used in
            let line = lab.frontMatterLine("uses")
            guard used != lab.name else { throw LabError(lab.path, line: line, "a lab cannot use itself ('uses: \(used)')") }
            let solutions = project.exercisesDir(lab: used, solutions: true)
            let student = project.exercisesDir(lab: used, solutions: false)
            let fm = FileManager.default
            let dir = fm.fileExists(atPath: solutions) ? solutions : student
            let files = ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".swift") }.sorted().map { dir + "/" + $0 }
            guard !files.isEmpty else {
                throw LabError(lab.path, line: line, "this lab uses lab \(used)'s exercises, but neither \(project.displayPath(solutions)) nor \(project.displayPath(student)) has any")
            }
            do {
                return try compiler.buildModule(name: Lab.moduleName(forLab: used), sources: files)
            } catch let e as LabError where dir == student {
                throw LabError(lab.path, line: line, "this lab uses your exercises of lab \(used), which do not compile yet; finish lab \(used) first (\(e.description))")
            }
        }
    }

    /// Diagnostics grouped by the cell whose lines they point at.
    func attribute(_ diags: [Diagnostic], lab: Lab, file: String) -> [Int: [Diagnostic]] {
        var out: [Int: [Diagnostic]] = [:]
        let isLab = { (f: String) in f == file || absolutePath(f) == absolutePath(lab.path) }
        let inCell = { (f: String, l: Int) in isLab(f) && lab.cells.contains { $0.contains(line: l) } }
        for d in relocateToLab(diags, inCell: inCell) where isLab(d.file) {
            if let c = lab.cells.first(where: { $0.contains(line: d.line) }) {
                var d = d
                d.file = file
                out[c.index, default: []].append(d)
            }
        }
        return out.mapValues(syntaxErrorsFirst)
    }

    /// Runs the compiled program; fills `results`; returns a lab-level error message if any.
    func execute(_ executable: String, lab: Lab, cells: [Int], results finalResults: inout [CellResult],
                 observer: LabRunObserver?) throws -> String? {
        var results = finalResults
        defer { finalResults = results }
        let tmpDir = project.stateDir + "/tmp"
        try FileManager.default.createDirectory(atPath: tmpDir, withIntermediateDirectories: true)
        let marker = String(UInt64.random(in: 1...UInt64.max), radix: 36)
        let eventsPath = tmpDir + "/\(lab.name)-\(getpid())-\(marker).events"
        _ = FileManager.default.createFile(atPath: eventsPath, contents: nil)
        defer { unlink(eventsPath) }

        var child = ChildProcess(executable)
        child.environment = Toolchain.childEnvironment(["LABRUN_EVENTS": eventsPath, "LABRUN_MARKER": marker,
                                                        "LABRUN_DATA_DIR": project.dataDir])
        child.workingDirectory = project.root
        child.timeout = options.labTimeout
        child.outputLimit = 0  // output is kept per cell by the splitters

        var out = OutputSplitter(marker: marker, cap: options.outputCapPerCell)
        var err = OutputSplitter(marker: marker, cap: options.outputCapPerCell)
        var events = EventTail(path: eventsPath)
        var current: Int?
        var cellStart: [Int: Double] = [:]
        var endTime: Double?
        var expected: [Int: (failed: Bool, reason: String)] = [:]
        var timedOutCell: Int?
        var view = ViewQueue(order: lab.cells.map(\.index).filter { cells.contains($0) || results[$0].status != .notRun && results[$0].status != .skipped })
        for k in view.order where !cells.contains(k) {  // compile errors (possibly expected) cut from the program
            view.add(.started(k))
            view.add(.finished(k))
        }

        /// A cell is done once the next one starts: its verdict is known.
        func settle(_ c: Int, at time: Double) {
            if let s = cellStart[c] { results[c].seconds = time - s }
            results[c].droppedBytes = (out.dropped[c] ?? 0) + (err.dropped[c] ?? 0)
            if let e = expected[c] {
                results[c].status = e.failed ? .expectedFailure : .failed
                describeExpected(c)
            } else {
                results[c].status = .passed
            }
            view.add(.finished(c))
        }
        /// The message of a should-fail cell comes from its stderr, which is read separately from the channel:
        /// it is (re)made when the cell's output is known to be complete (its verdict is shown, or the program ended).
        func describeExpected(_ c: Int) {
            guard let e = expected[c] else { return }
            results[c].crashLine = e.failed ? crashLine(in: err.text(c), labFile: project.displayPath(lab.path)) : nil
            results[c].message = e.failed
                ? expectedFailureMessage(e.reason, line: results[c].crashLine, stderr: withoutStackTrace(err.text(c)))
                : "expected an error (should-fail), but the cell ran without one"
        }
        /// Passes queued events to the observer in document order (stdout, stderr and the channel are read
        /// separately, so a cell's output can arrive after the next cell's channel record).
        func flushSettled() {
            view.flush(stdoutCell: out.current, stderrCell: err.current, deliver)
        }
        /// Hands one queued event to the observer (a verdict once the cell's output is complete).
        func deliver(_ action: ViewQueue.Action) {
            guard let observer else { return }
            switch action {
            case .started(let c): observer.cellStarted(lab.cells[c])
            case .output(let c, let kind, let text): observer.output(lab.cells[c], stream: kind, text: text)
            case .display(let c, let d): observer.display(lab.cells[c], output: d)
            case .progress(let c, let line): observer.progress(lab.cells[c], line: line)
            case .finished(let c):
                describeExpected(c)
                observer.cellFinished(lab.cells[c], result: results[c])
            }
        }
        func handle(_ records: [LabChannel.Record]) {
            for r in records {
                switch r.kind {
                case "cell":
                    guard let i = Int(r.parts.first ?? ""), lab.cells.indices.contains(i) else { continue }
                    if let c = current { settle(c, at: r.time) }
                    current = i
                    cellStart[i] = r.time
                case "end":
                    if let c = current { settle(c, at: r.time) }
                    endTime = r.time
                    current = nil
                case "display":
                    guard let c = current, r.parts.count == 2 else { continue }
                    let d = DisplayOutput(html: r.parts[0], text: r.parts[1])
                    results[c].displays.append(d)
                    view.add(.display(c, d))
                case "progress":
                    guard let c = current, let p = ProgressReport(payload: r.parts.first ?? "") else { continue }
                    results[c].progress = p.line
                    view.add(.progress(c, p.line))
                case "figure":
                    guard let c = current, r.parts.count == 4, let v = Double(r.parts[3]) else { continue }
                    results[c].figures.append(Figure(name: r.parts[0], shown: r.parts[1], unit: r.parts[2], value: v))
                case "text":
                    guard let c = current, r.parts.count == 2 else { continue }
                    results[c].texts.append(Series.Text(name: r.parts[0], text: r.parts[1]))
                case "series":
                    guard let c = current, r.parts.count == 2 else { continue }
                    var x: [Double] = [], y: [Double] = []
                    for line in r.parts[1].split(separator: "\n") {
                        let p = line.split(separator: " ")
                        guard p.count == 2, let a = Double(p[0]), let b = Double(p[1]) else { continue }
                        x.append(a); y.append(b)
                    }
                    results[c].series.append(Series(name: r.parts[0], x: x, y: y))
                case "xfail", "xpass":
                    guard let i = Int(r.parts.first ?? "") else { continue }
                    expected[i] = (r.kind == "xfail", r.parts.count > 1 ? r.parts[1] : "")
                default:
                    continue
                }
            }
        }
        func route(_ pieces: [(cell: Int, bytes: ArraySlice<UInt8>?)], _ kind: OutputKind) {
            // Cell switches come from the channel (with times); here only the text matters.
            for p in pieces {
                guard p.cell >= 0, lab.cells.indices.contains(p.cell) else { continue }
                if let b = p.bytes {
                    view.add(.output(p.cell, kind, String(decoding: b, as: UTF8.self)))
                } else {
                    view.add(.started(p.cell))
                }
            }
            handle(events.read())
            flushSettled()
        }

        let result: ChildResult
        do {
            result = try child.run(onOutput: { stream, chunk in
                if stream == .stdout { route(out.feed(chunk), .stdout) } else { route(err.feed(chunk), .stderr) }
            }, watchdog: {
                handle(events.read())
                flushSettled()
                if let c = current, let s = cellStart[c] {
                    let limit = lab.cells[c].options.timeout ?? lab.frontMatter.timeout ?? self.options.defaultCellTimeout
                    if monotonicSeconds() - s > limit {
                        timedOutCell = c
                        return "cell timed out after \(formatSeconds(limit))"
                    }
                }
                return nil
            })
        } catch {
            return "cannot start the lab program: \(error)"
        }
        route(out.finish(), .stdout)
        route(err.finish(), .stderr)
        handle(events.read())
        view.flushAll { action in
            if case .finished = action { return }  // verdicts of unfinished cells come below
            deliver(action)
        }
        let exitTime = monotonicSeconds()

        for i in cells {
            results[i].stdout = out.text(i)
            results[i].stderr = withoutStackTrace(err.text(i))
            results[i].droppedBytes = (out.dropped[i] ?? 0) + (err.dropped[i] ?? 0)
            describeExpected(i)
        }
        // Output before the first cell (library start-up messages) goes to the first cell.
        if let first = cells.first, !out.text(-1).isEmpty || !err.text(-1).isEmpty {
            results[first].stdout = out.text(-1) + results[first].stdout
            results[first].stderr = err.text(-1) + results[first].stderr
        }

        let finished = endTime != nil && result.termination == .exited(0) && !result.timedOut && result.killReason == nil
        var culprit: Int? = nil
        if !finished, let c = current { culprit = c }
        if !finished {
            let c = culprit ?? timedOutCell
            let why: String
            if result.timedOut {
                why = "lab timed out after \(formatSeconds(options.labTimeout)) (--timeout)"
            } else if let reason = result.killReason {
                why = reason
            } else if endTime != nil {
                why = "the program ended with \(result.termination) after the last cell"
            } else {
                why = crashMessage(result.termination, stderr: withoutStackTrace(c.map { err.text($0) } ?? err.text(-1)))
            }
            if let c {
                results[c].status = .failed
                results[c].crashLine = crashLine(in: err.text(c), labFile: project.displayPath(lab.path))
                results[c].message = why
                if let l = results[c].crashLine, why.hasPrefix("crashed: ") {
                    results[c].message = "crashed at line \(l): " + why.dropFirst(9)
                }
                if let thrown = thrownAtTopLevel(err.text(c)) {
                    // The backtrace has no line for `main`; a `try` at the cell's top level is the statement that threw.
                    let lines = results[c].crashLine.map { [$0] } ?? topLevelTryLines(lab.cells[c])
                    let at = lines.isEmpty ? "" : " at line" + (lines.count == 1 ? " \(lines[0])" : "s " + lines.map(String.init).joined(separator: ", "))
                    if results[c].crashLine == nil, lines.count == 1 { results[c].crashLine = lines[0] }
                    results[c].message = "error" + at + ": " + thrown
                }
                if !options.solutions, let u = UnwrittenExercise.find(in: err.text(c), lab: lab, project: project) {
                    results[c].message = u.message(calledAt: results[c].crashLine)
                }
                if results[c].seconds == nil, let s = cellStart[c] { results[c].seconds = exitTime - s }
            } else {
                return "the lab program failed before the first cell: \(why)"
            }
        }
        return nil
    }

    /// The error a cell threw at top level (`try` outside a `do`), from the runtime's
    /// `Fatal error: Error raised at top level: <error>`: the error's own description, without the module prefix
    /// the runtime adds for plain structs.
    func thrownAtTopLevel(_ stderr: String) -> String? {
        guard let line = stderr.split(separator: "\n").last(where: { $0.contains("Error raised at top level: ") }),
              let r = line.range(of: "Error raised at top level: ") else { return nil }
        let text = line[r.upperBound...].trimmingCharacters(in: .whitespaces)
        return text.isEmpty ? nil : text
    }

    /// The Markdown lines of the cell with a `try` (not `try?`/`try!`) outside any braces: the statements whose
    /// error reaches the top level.
    func topLevelTryLines(_ cell: Cell) -> [Int] {
        var depth = 0
        var out: [Int] = []
        let re = try! NSRegularExpression(pattern: #"\btry(?![?!])\b"#)
        for (i, raw) in cell.source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = String(raw)
            if let c = line.range(of: "//") { line = String(line[..<c.lowerBound]) }
            let ns = line as NSString
            if depth == 0, re.firstMatch(in: line, range: NSRange(location: 0, length: ns.length)) != nil {
                out.append(cell.firstLine + i)
            }
            depth = max(0, depth + line.filter { $0 == "{" }.count - line.filter { $0 == "}" }.count)
        }
        return out
    }

    /// "Fatal error: Index out of range (SIGILL)" for a should-fail cell's copy that died.
    func expectedFailureMessage(_ reason: String, line: Int?, stderr: String) -> String {
        var how = reason
        if reason.hasPrefix("signal "), let n = Int32(reason.dropFirst(7)) { how = signalName(n) }
        return "failed as expected\(line.map { " at line \($0)" } ?? ""): " + (fatalLine(stderr).map { "\($0) (\(how))" } ?? how)
    }

    /// "crashed: Fatal error: boom (signal SIGILL (Swift runtime trap ...))".
    func crashMessage(_ t: Termination, stderr: String) -> String {
        let fatal = fatalLine(stderr)
        switch t {
        case .exited(let code):
            return "the program exited with code \(code) in this cell" + (fatal.map { ": \($0)" } ?? "")
        case .signaled(let s):
            if let fatal { return "crashed: \(fatal) (\(signalName(s)))" }
            return "crashed: \(t)"
        }
    }

    /// The runtime's last "Fatal error: ..." line, without a location inside the standard library
    /// (`Swift/ContiguousArrayBuffer.swift:692: `), which says nothing about the lab.
    func fatalLine(_ stderr: String) -> String? {
        guard var line = stderr.split(separator: "\n").last(where: {
            $0.contains("Fatal error") || $0.hasPrefix("Error: ") || $0.contains("error:")
        }).map({ $0.trimmingCharacters(in: .whitespaces) }) else { return nil }
        if line.hasPrefix("Swift/"), let r = line.range(of: ": Fatal error") {
            line = String(line[line.index(r.lowerBound, offsetBy: 2)...])
        }
        return line
    }

    // MARK: - Run facts

    func toolchainVersion() -> String {
        let key = project.cacheDir + "/toolchain-\(compiler.toolchain.fingerprint.prefix(16)).txt"
        if let s = try? String(contentsOfFile: key, encoding: .utf8) { return s }
        // Not a process per cold run: the standard library's interface names the compiler (checked against
        // `swiftc --version` in LabRunnerTests).
        if let v = compiler.toolchain.versionFromStandardLibrary {
            try? writeAtomically(Data(v.utf8), to: key, durable: false)
            return v
        }
        var c = ChildProcess(compiler.toolchain.swiftc, ["--version"])
        c.timeout = 30
        let v = ((try? c.run())?.stdoutText ?? "").split(separator: "\n").first.map(String.init) ?? "swiftc (unknown version)"
        try? writeAtomically(Data(v.utf8), to: key, durable: false)
        return v
    }

    func libraryVersion() -> String {
        var rev = "unknown revision"
        let head = project.root + "/.git/HEAD"
        if let h = try? String(contentsOfFile: head, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) {
            if h.hasPrefix("ref: "), let r = try? String(contentsOfFile: project.root + "/.git/" + h.dropFirst(5), encoding: .utf8) {
                rev = String(r.prefix(10))
            } else {
                rev = String(h.prefix(10))
            }
        }
        return "LabKit at git \(rev), build \(compiler.toolchain.fingerprint.prefix(8))"
    }
}

/// Observer events waiting until every stream has reached their cell.
struct ViewQueue {
    enum Action {
        case started(Int)
        case output(Int, OutputKind, String)
        case display(Int, DisplayOutput)
        case progress(Int, String)
        case finished(Int)

        var cell: Int {
            switch self {
            case .started(let c), .output(let c, _, _), .display(let c, _), .progress(let c, _), .finished(let c): return c
            }
        }
        var phase: Int {
            switch self {
            case .started: return 0
            case .finished: return 2
            default: return 1
            }
        }
    }

    /// The cells of this run in order (including cells cut by compile errors).
    var order: [Int]
    var finished: Set<Int> = []
    var pending: [(seq: Int, action: Action)] = []
    var seq = 0

    init(order: [Int]) { self.order = order }

    mutating func add(_ a: Action) {
        pending.append((seq, a))
        seq += 1
    }

    /// Emits, in (cell, phase, arrival) order, everything whose cell the output streams have reached: content of
    /// cell c once stdout is at c; the verdict of c once both streams are past c and nothing else of c waits.
    mutating func flush(stdoutCell: Int, stderrCell: Int, _ emit: (Action) -> Void) {
        pending.sort { ($0.action.cell, $0.action.phase, $0.seq) < ($1.action.cell, $1.action.phase, $1.seq) }
        var keep: [(seq: Int, action: Action)] = []
        for item in pending {
            let a = item.action
            // Every earlier cell of the run must have its verdict out first.
            let earlierDone = order.prefix { $0 < a.cell }.allSatisfy { finished.contains($0) }
            let ready: Bool
            if a.phase == 2 {
                ready = earlierDone && stdoutCell > a.cell && stderrCell > a.cell && !keep.contains { $0.action.cell <= a.cell }
            } else {
                ready = earlierDone && (stdoutCell >= a.cell || !order.contains(a.cell)) && !keep.contains { $0.action.cell < a.cell }
            }
            if ready {
                emit(a)
                if a.phase == 2 { finished.insert(a.cell) }
            } else {
                keep.append(item)
            }
        }
        pending = keep
    }

    /// Emits everything left (the program has ended), verdicts excluded.
    mutating func flushAll(_ emit: (Action) -> Void) {
        pending.sort { ($0.action.cell, $0.action.phase, $0.seq) < ($1.action.cell, $1.action.phase, $1.seq) }
        for item in pending { emit(item.action) }
        pending = []
    }
}

/// Reads new records from the events file as it grows.
struct EventTail {
    let path: String
    var fd: Int32 = -1
    var buffer: [UInt8] = []

    init(path: String) { self.path = path }

    mutating func read() -> [LabChannel.Record] {
        if fd < 0 { fd = open(path, O_RDONLY | O_CLOEXEC); if fd < 0 { return [] } }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n <= 0 { break }
            buffer += chunk[0..<n]
        }
        let (records, used) = LabChannel.parse(buffer[...])
        buffer.removeFirst(used)
        return records
    }
}

/// Drops the runtime's crash report from a cell's stderr: the backtracer's block (`*** Signal 4: ...` up to
/// `Backtrace took ...`) or the plain `Current stack trace:` list.
func withoutStackTrace(_ text: String) -> String {
    guard text.contains("Current stack trace:") || text.contains("*** Signal ") || text.contains("*** Program crashed") else { return text }
    var out: [Substring] = []
    var inTrace = false
    var inBacktrace = false
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.hasPrefix("*** Signal ") || line.hasPrefix("*** Program crashed") { inBacktrace = true }
        if inBacktrace {
            if line.hasPrefix("Backtrace took") { inBacktrace = false }
            continue
        }
        if line == "Current stack trace:" { inTrace = true; continue }
        if inTrace, let first = line.first, first.isNumber { continue }
        inTrace = false
        out.append(line)
    }
    while out.count > 1, out[out.count - 1].isEmpty, out[out.count - 2].isEmpty { out.removeLast() }
    return out.joined(separator: "\n")
}

/// The Markdown line of the first backtrace frame in the lab file (`... at <dir>/Labs/x.md:18:9`).
func crashLine(in stderr: String, labFile: String) -> Int? {
    let suffix = "/" + labFile + ":"
    for line in stderr.split(separator: "\n") where line.contains(" at ") {
        guard let at = line.range(of: " at ", options: .backwards) else { continue }
        let loc = line[at.upperBound...]
        let parts = loc.split(separator: ":")
        guard parts.count >= 3, ("/" + loc).contains(suffix) || loc.hasPrefix(labFile + ":"),
              let l = Int(parts[parts.count - 2]) else { continue }
        return l
    }
    return nil
}

func formatSeconds(_ s: Double) -> String {
    s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s)
}
