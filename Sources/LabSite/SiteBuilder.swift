// labrun site: runs (or reuses) every lab against the solutions and writes a static site of plain files.

import Foundation
import LabRunner

/// How to build the course site.
public struct SiteOptions: Sendable {
    /// The folder the site is written to (replaced as a whole once every page is ready).
    public var output: String
    /// Labs run at once.
    public var jobs = 1
    /// Labs to run even if frozen: nil = all of them.
    public var rerun: Set<String>? = []
    /// Build (and exit 0) even when a lab fails.
    public var allowFailures = false
    /// The class gradebook (SQLite) for the grades pages; nil: no grades.
    public var gradebook: String?
    /// Students shown as `student-01`, ... instead of their ids.
    public var pseudonyms = false
    /// Whole-lab time limit, seconds.
    public var labTimeout: Double = 1800

    public init(output: String) { self.output = output }
}

/// One lab of the site: the lab, its result and where the result came from.
public struct SiteLab: Sendable {
    public var lab: Lab
    public var result: LabRunResult
    /// True when the frozen result was reused (nothing the lab depends on changed).
    public var reused: Bool
}

/// What a build did.
public struct SiteSummary: Sendable {
    public var labs: [SiteLab]
    public var pages: Int
    public var seconds: Double
    public var failed: [String] { labs.filter { !$0.result.passed }.map(\.lab.name) }
}

/// Builds the static course site.
///
/// ```swift
/// let summary = try SiteBuilder(project: .current(), options: SiteOptions(output: "site/_build")).build { print($0) }
/// ```
public final class SiteBuilder {
    public let project: Project
    public let options: SiteOptions
    let theme: Theme

    public init(project: Project, options: SiteOptions) throws {
        self.project = project
        self.options = options
        self.theme = try Theme.load(from: project.root + "/site/theme")
    }

    /// Runs or reuses every lab (in parallel up to `jobs`, a line per lab through `progress`), then writes the site.
    public func build(progress: @escaping @Sendable (String) -> Void) throws -> SiteSummary {
        let start = Date()
        let labs = try project.labFiles().map { try Lab.load(path: $0) }
        guard !labs.isEmpty else { throw LabError(project.labsDir, "no labs to build a site from") }
        let toolchain = try Toolchain.locate()
        let results = try runAll(labs, toolchain: toolchain, progress: progress)
        let pages = try SitePages(project: project, theme: theme, labs: results, options: options).write()
        return SiteSummary(labs: results, pages: pages, seconds: Date().timeIntervalSince(start))
    }

    func runAll(_ labs: [Lab], toolchain: Toolchain, progress: @escaping @Sendable (String) -> Void) throws -> [SiteLab] {
        final class Box: @unchecked Sendable {
            let lock = NSLock()
            var out: [Int: SiteLab] = [:]
            var error: Error?
            var next = 0
            var done = 0
        }
        let box = Box()
        let total = labs.count
        let group = DispatchGroup()
        for _ in 0..<max(1, min(options.jobs, total)) {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                while true {
                    box.lock.lock()
                    guard box.error == nil, box.next < total else { box.lock.unlock(); return }
                    let i = box.next
                    box.next += 1
                    box.lock.unlock()
                    do {
                        let t0 = Date()
                        let r = try self.runOrReuse(labs[i], toolchain: toolchain)
                        box.lock.lock()
                        box.out[i] = r
                        box.done += 1
                        let n = box.done
                        box.lock.unlock()
                        let how = r.reused ? "frozen, reused" : String(format: "ran in %.1f s", Date().timeIntervalSince(t0))
                        progress("[\(n)/\(total)] lab \(labs[i].name) (\(labs[i].frontMatter.title)): \(r.result.passed ? "passed" : "FAILED"), \(how)")
                    } catch {
                        box.lock.lock(); if box.error == nil { box.error = error }; box.lock.unlock()
                    }
                }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
        if let e = box.error { throw e }
        return (0..<total).map { box.out[$0]! }
    }

    func runOrReuse(_ lab: Lab, toolchain: Toolchain) throws -> SiteLab {
        let key = FreezeKey.compute(lab: lab, project: project, toolchain: toolchain)
        let forced = options.rerun == nil || options.rerun!.contains(lab.name) || options.rerun!.contains(String(lab.frontMatter.slide))
        if !forced, let frozen = FrozenRun.load(project, lab: lab.name), frozen.key == key {
            return SiteLab(lab: lab, result: frozen.result, reused: true)
        }
        var runOptions = LabRunOptions()
        runOptions.solutions = true
        runOptions.labTimeout = options.labTimeout
        let result = try LabExecution(project: project, options: runOptions, toolchain: toolchain).run(lab)
        // A failure is not frozen: the next build runs the lab again (the instructor is presumably fixing it).
        if result.passed { try FrozenRun(key: key, result: result).save(project, lab: lab.name) }
        return SiteLab(lab: lab, result: result, reused: false)
    }
}
