import Foundation
import Yams

/// The students' repository, written by `labrun release --out DIR`: everything needed to build labrun, run every
/// lab and grade oneself, and nothing an instructor keeps back.
///
/// What ships:
/// - `Package.swift` without its `// BEGIN INSTRUCTOR` … `// END INSTRUCTOR` region (targets that need `Solutions/`);
/// - `Sources/` and `site/theme/` (the report's style sheet), and of `Tests/` and `Benchmarks/` exactly the folders
///   that Package.swift still names;
/// - `Labs/` with each lab's stubs as release generates them (never the course's working copies) and their `.release.json`;
/// - `Tests/Graded/<lab>/` without `hidden/`, its grading.yml listing only the shipped tests (hints of tests a
///   student sees later dropped, held-back points summed in `hidden_summary`);
/// - `.gitignore`, and `Handout/` copied over the top (the students' README.md, `.ci/run`).
///
/// Never: `Solutions/`, hidden tests, `Handout/` itself, `scripts/`, the rest of `site/`, the build, `.labrun/`, `.git`.
///
/// ```swift
/// try Release.export(course: Course(root: URL(fileURLWithPath: ".")), to: URL(fileURLWithPath: "/tmp/handout"))
/// ```
/// (No PyTorch equivalent: nbgrader's `generate_assignment` does this for notebooks.)
extension Release {
    public static let instructorBegin = "// BEGIN INSTRUCTOR"
    public static let instructorEnd = "// END INSTRUCTOR"

    public static func export(course: Course, to dir: URL) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: dir.path), !((try? fm.contentsOfDirectory(atPath: dir.path)) ?? []).isEmpty {
            throw GradeError.config("\(dir.path) is not empty; release --out needs a new or empty directory")
        }
        let root = course.root
        let solutions = course.solutionsRoot.resolvingSymlinksInPath().path
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)

        // The package, without its instructor-only targets; Tests/ and Benchmarks/ folders it still names.
        var manifest = ""
        let packageURL = root.appendingPathComponent("Package.swift")
        if let text = try? String(contentsOf: packageURL, encoding: .utf8) {
            manifest = try withoutInstructorRegions(text, path: packageURL.path)
            try atomicWrite(Data(manifest.utf8), to: dir.appendingPathComponent("Package.swift"))
        }
        for name in [".gitignore"] where fm.fileExists(atPath: root.appendingPathComponent(name).path) {
            try copyTree(root.appendingPathComponent(name), to: dir.appendingPathComponent(name), skipping: solutions)
        }
        // The sources, and the report's style sheet they embed (site/theme; the rest of site/ is the instructor's).
        for folder in ["Sources", "site/theme"] where fm.fileExists(atPath: root.appendingPathComponent(folder).path) {
            try copyTree(root.appendingPathComponent(folder), to: dir.appendingPathComponent(folder), skipping: solutions)
        }
        for (folder, named) in [("Tests", { (n: String) in "name: \"\(n)\"" }), ("Benchmarks", { "path: \"Benchmarks/\($0)\"" })] {
            let src = root.appendingPathComponent(folder)
            for n in ((try? fm.contentsOfDirectory(atPath: src.path)) ?? []).sorted()
            where n != "Graded" && manifest.contains(named(n)) {
                try copyTree(src.appendingPathComponent(n), to: dir.appendingPathComponent("\(folder)/\(n)"), skipping: solutions)
            }
        }

        // Labs: every lab file and its folder, with the generated stubs in place of the course's Exercises.
        let labs = root.appendingPathComponent("Labs")
        for n in ((try? fm.contentsOfDirectory(atPath: labs.path)) ?? []).sorted() where !n.hasPrefix(".") {
            let src = labs.appendingPathComponent(n)
            try copyTree(src, to: dir.appendingPathComponent("Labs/\(n)"), skipping: solutions,
                         excluding: [src.appendingPathComponent("Exercises").path])
        }
        for lab in labsWithSolutions(course: course) {
            let out = dir.appendingPathComponent("Labs/\(lab)/Exercises")
            var record = ReleaseRecord()
            for (name, text) in try expectedStubs(course: course, lab: lab) {
                try atomicWrite(Data(text.utf8), to: out.appendingPathComponent(name))
                record.files[name] = ReleaseRecord.hash(text)
            }
            try record.save(in: out)
        }

        // Graded tests: visible sources, and a manifest of only what ships.
        for lab in course.labs() {
            let graded = try GradedLab.load(course: course, lab: lab)
            let out = dir.appendingPathComponent("Tests/Graded/\(lab)")
            try fm.createDirectory(at: out, withIntermediateDirectories: true)
            for s in graded.sources where !s.hidden {
                try atomicWrite(Data(s.text.utf8), to: out.appendingPathComponent(s.url.lastPathComponent))
            }
            try atomicWrite(Data(try studentManifest(graded).utf8), to: out.appendingPathComponent("grading.yml"))
        }

        // The students' README and CI, over the top.
        let overlay = root.appendingPathComponent("Handout")
        for n in ((try? fm.contentsOfDirectory(atPath: overlay.path)) ?? []).sorted() {
            let target = dir.appendingPathComponent(n)
            if fm.fileExists(atPath: target.path) { try fm.removeItem(at: target) }
            try copyTree(overlay.appendingPathComponent(n), to: target, skipping: solutions)
        }
    }

    /// grading.yml as a student gets it: the shipped tests only, no hint of a test they see later, the
    /// held-back tests and points summed; numbers written as `points: 3`, not `3e+0`.
    public static func studentManifest(_ graded: GradedLab) throws -> String {
        let shipped = Set(graded.tests.filter { !graded.sources[$0.file].hidden }.map(\.id))
        var m = graded.manifest
        let held = m.tests.filter { !shipped.contains($0.id) }
        m.tests = m.tests.filter { shipped.contains($0.id) }
        for i in m.tests.indices {
            // Hints that give the answer away stay with the instructor, and so does any hint of a test shown later.
            m.tests[i].hintAfterDueDate = nil
            if m.tests[i].visibility != .visible { m.tests[i].hint = nil }
        }
        m.hiddenSummary = held.isEmpty ? nil : .init(tests: held.count, points: held.reduce(0) { $0 + $1.points })
        return "# Lab \(graded.id): the points of your graded tests (`labrun grade --lab \(graded.id)`).\n"
            + plainNumbers(try readableYAML(m))
    }

    /// The manifest as YAML a person reads: Unicode as is (`q·kᵀ`, not `q\xB7k\u1D40`), long hints on one line.
    static func readableYAML(_ m: LabManifest) throws -> String {
        let encoder = YAMLEncoder()
        encoder.options.allowUnicode = true
        encoder.options.width = -1
        return try encoder.encode(m)
    }

    /// Rewrites YAML scalars like `3e+0`, `2.5e+1`, `1e-1` as `3`, `25`, `0.1` (Yams writes every Double in
    /// exponent form). Quoted strings are left alone.
    public static func plainNumbers(_ yaml: String) -> String {
        let re = try! NSRegularExpression(pattern: #"(:\s|-\s)(-?[0-9]+(?:\.[0-9]+)?e[+-][0-9]+)\s*$"#)
        return yaml.components(separatedBy: "\n").map { line -> String in
            let ns = line as NSString
            guard let m = re.firstMatch(in: line, range: NSRange(location: 0, length: ns.length)),
                  let v = Double(ns.substring(with: m.range(at: 2))), v.isFinite else { return line }
            let plain = v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
            return ns.replacingCharacters(in: m.range(at: 2), with: plain)
        }.joined(separator: "\n")
    }

    /// `text` without the lines from each `// BEGIN INSTRUCTOR` to its `// END INSTRUCTOR`, both included.
    public static func withoutInstructorRegions(_ text: String, path: String) throws -> String {
        var out: [String] = []
        var open: Int?
        for (i, line) in text.components(separatedBy: "\n").enumerated() {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix(instructorBegin) {
                if let o = open { throw GradeError.config("\(path):\(i + 1): BEGIN INSTRUCTOR inside the region opened at line \(o + 1)") }
                open = i
            } else if t.hasPrefix(instructorEnd) {
                guard open != nil else { throw GradeError.config("\(path):\(i + 1): END INSTRUCTOR without BEGIN INSTRUCTOR") }
                open = nil
            } else if open == nil {
                out.append(line)
            }
        }
        if let o = open { throw GradeError.config("\(path):\(o + 1): BEGIN INSTRUCTOR has no matching // END INSTRUCTOR") }
        while out.count > 1, out[out.count - 1].isEmpty, out[out.count - 2].isEmpty { out.removeLast() }
        return out.joined(separator: "\n")
    }

    /// Copies a file or folder, leaving out hidden entries (`.git`, `.build`, `.labrun`; not `.gitignore`/`.ci`),
    /// `excluding` paths, and symbolic links into `skipping` (the solutions). Symbolic links are copied as the
    /// files they point to, so the copy stands alone.
    static func copyTree(_ src: URL, to dst: URL, skipping solutions: String, excluding: [String] = []) throws {
        let fm = FileManager.default
        let name = src.lastPathComponent
        if name.hasPrefix("."), ![".gitignore", ".ci"].contains(name) { return }
        if excluding.contains(src.path) { return }
        let real = src.resolvingSymlinksInPath().path
        if real == solutions || real.hasPrefix(solutions + "/") { return }
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: real, isDirectory: &isDir) else { return }
        if isDir.boolValue {
            try fm.createDirectory(at: dst, withIntermediateDirectories: true)
            for n in try fm.contentsOfDirectory(atPath: src.path).sorted() {
                try copyTree(src.appendingPathComponent(n), to: dst.appendingPathComponent(n), skipping: solutions, excluding: excluding)
            }
        } else {
            try fm.createDirectory(at: dst.deletingLastPathComponent(), withIntermediateDirectories: true)
            try fm.copyItem(atPath: real, toPath: dst.path)
        }
    }
}
