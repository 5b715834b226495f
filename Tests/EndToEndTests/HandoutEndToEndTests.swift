import Foundation
import XCTest
@testable import LabProcess

/// `labrun release --out`: the students' repository, checked file by file, then built with its own `swift build`
/// and used with its own `labrun`, in a folder the course repository is not an ancestor of.
///
/// The hand-out is exported to a staging folder and synced into a fixed folder under the temp directory
/// (`labrun-handout-e2e/handout`) rewriting only the files that changed, so its `.build` stays incremental: the
/// first run on a machine builds the package from scratch (like a student's first `swift build`), later runs
/// rebuild only what changed.
final class HandoutEndToEndTests: XCTestCase {
    static let repo = (((#filePath as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent as NSString)
        .deletingLastPathComponent

    static var dataDir: String {
        if let d = ProcessInfo.processInfo.environment["LABRUN_DATA_DIR"], !d.isEmpty { return d }
        return ((repo as NSString).deletingLastPathComponent as NSString).appendingPathComponent("shared/data")
    }

    static let work = NSTemporaryDirectory() + "labrun-handout-e2e"

    /// Exports the hand-out to a fresh staging folder (removed at the end of the test).
    func export() throws -> String {
        let staging = Self.work + "/staging-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: Self.work, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: staging) }
        let out = try Labrun.run(["release", "--course", Self.repo, "--out", staging], root: Self.work)
        XCTAssertEqual(out.code, 0, out.stdout + out.stderr)
        return staging
    }

    func files(_ dir: String) -> [String] {
        ((FileManager.default.enumerator(atPath: dir)?.allObjects as? [String]) ?? []).filter {
            var d: ObjCBool = false
            return FileManager.default.fileExists(atPath: dir + "/" + $0, isDirectory: &d) && !d.boolValue
        }.sorted()
    }

    /// What ships and what does not, without building anything.
    func testHandoutHasTheStudentsFilesOnly() throws {
        let h = try export()
        let all = files(h)
        for required in ["Package.swift", "README.md", ".gitignore", ".ci/run", "Labs/README.md", "Labs/30/lab.md",
                         "Labs/30/Exercises/SelfAttention.swift", "Labs/30/Exercises/Support.swift",
                         "Labs/30/Exercises/.release.json", "Tests/Graded/30/grading.yml",
                         "Tests/Graded/30/SelfAttentionTests.swift", "Sources/LabKit/LabKit.swift",
                         "Sources/labrun/Labrun.swift", "Benchmarks/KernelBench/main.swift", "site/theme/report.css"] {
            XCTAssertTrue(all.contains(required), "the hand-out lacks \(required)")
        }
        let leaks = all.filter {
            $0.hasPrefix("Solutions/") || $0.contains("/hidden/") || $0.hasPrefix("Handout/") || $0.hasPrefix("Tests/EndToEndTests/")
                || $0.hasPrefix("Tests/LabGraderTests/") || $0.hasPrefix("Benchmarks/TrainBench/") || $0.hasPrefix(".build/")
        }
        XCTAssertEqual(leaks, [], "instructor-only files in the hand-out")
        // No line of a solution region (the longer ones: short lines like `return x` are common code) in the labs
        // or tests, and no hidden test's name anywhere.
        var solutionLines: Set<String> = []
        for f in try FileManager.default.contentsOfDirectory(atPath: Self.repo + "/Solutions/30") where f.hasSuffix(".swift") {
            var inside = false
            for line in try String(contentsOfFile: Self.repo + "/Solutions/30/" + f, encoding: .utf8).split(separator: "\n") {
                let t = line.trimmingCharacters(in: .whitespaces)
                if t.hasPrefix("// BEGIN SOLUTION") { inside = true } else if t.hasPrefix("// END SOLUTION") { inside = false }
                else if inside, t.count > 30, !t.hasPrefix("//") { solutionLines.insert(t) }
            }
        }
        XCTAssertGreaterThan(solutionLines.count, 5)
        for f in all where f.hasSuffix(".swift") || f.hasSuffix(".yml") || f.hasSuffix(".md") {
            let text = try String(contentsOfFile: h + "/" + f, encoding: .utf8)
            XCTAssertFalse(text.contains("HiddenLab30Tests"), "\(f) names a hidden test")
            guard f.hasPrefix("Labs/") || f.hasPrefix("Tests/Graded/") else { continue }
            let lines = Set(text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
            XCTAssertEqual(lines.intersection(solutionLines), [], "\(f) contains solution code")
        }
        // The stubs are generated, whatever Labs/30/Exercises of the course holds: every region is a todo.
        let attention = try String(contentsOfFile: h + "/Labs/30/Exercises/SelfAttention.swift", encoding: .utf8)
        XCTAssertTrue(attention.contains("todo(\"SelfAttention.forward\")"), attention)

        let package = try String(contentsOfFile: h + "/Package.swift", encoding: .utf8)
        XCTAssertFalse(package.contains("INSTRUCTOR") || package.contains("train-bench") || package.contains("EndToEndTests"), package)

        let yml = try String(contentsOfFile: h + "/Tests/Graded/30/grading.yml", encoding: .utf8)
        XCTAssertFalse(yml.contains("e+0") || yml.contains("e+1"), "numbers in exponent form:\n\(yml)")
        XCTAssertTrue(yml.contains("points: 3\n"), yml)
        XCTAssertFalse(yml.contains("Hidden"), "hidden test names in the students' grading.yml")
        // The after-due test ships (its file is visible), its hint (which gives the block away) does not.
        XCTAssertTrue(yml.contains("TransformerBlockTests/testMatchesLibraryBlock"), yml)
        XCTAssertFalse(yml.contains("The block is two lines"), "an after-due hint in the hand-out:\n\(yml)")
        XCTAssertTrue(yml.contains("hidden_summary"), yml)

        let readme = try String(contentsOfFile: h + "/README.md", encoding: .utf8)
        let quick = try XCTUnwrap(readme.range(of: "labrun run 30 --set steps=100"), "the README must start with the quick run")
        let full = try XCTUnwrap(readme.range(of: "labrun run 30\n"), "the README must give the full run")
        XCTAssertLessThan(quick.lowerBound, full.lowerBound, "quick run first, then the full run")
        XCTAssertTrue(readme.contains("ln -sf \"$PWD/.build/release/labrun\""), "the README must put labrun on PATH")
    }

    /// The hand-out builds with its own `swift build` and its `labrun` runs labs there: a student's first run with
    /// the stubs says which exercise to write and where; a broken lab-30 exercise does not stop another lab.
    func testHandoutBuildsAndRunsALab() throws {
        let staging = try export()
        let h = Self.work + "/handout"
        try Self.sync(staging, into: h)
        XCTAssertFalse(h.hasPrefix(Self.repo + "/"), "the hand-out must live outside the course repository")

        let t0 = Date()
        var build = ChildProcess("/usr/bin/env", ["swift", "build"])
        var env = environmentDictionary()
        for k in env.keys where k.hasPrefix("LABRUN_") { env[k] = nil }
        build.environment = env
        build.workingDirectory = h
        build.timeout = 3600
        let b = try build.run()
        XCTAssertEqual(b.termination, .exited(0), "swift build failed in the hand-out:\n" + b.stdoutText.suffix(3000) + b.stderrText.suffix(3000))
        print("hand-out swift build: \(Int(Date().timeIntervalSince(t0))) s")
        let labrun = h + "/.build/debug/labrun"
        guard FileManager.default.isExecutableFile(atPath: labrun) else { return XCTFail("no \(labrun)") }

        func run(_ args: [String]) throws -> Labrun.Output {
            var c = ChildProcess(labrun, args)
            var e = env
            e["NO_COLOR"] = "1"
            e["LABRUN_DATA_DIR"] = Self.dataDir
            e["LABRUN_GRADE_CACHE"] = h + "/.labrun/grade-cache"
            c.environment = e
            c.workingDirectory = h
            c.timeout = 600
            let r = try c.run()
            let code: Int32
            switch r.termination { case .exited(let x): code = x; case .signaled(let s): code = 128 + s }
            return Labrun.Output(code: code, stdout: r.stdoutText, stderr: r.stderrText, result: r)
        }

        let list = try run(["list"])
        XCTAssertEqual(list.code, 0, list.stdout + list.stderr)
        XCTAssertTrue(list.stdout.contains("Building a Mini Language Model"), list.stdout)

        guard FileManager.default.fileExists(atPath: Self.dataDir + "/tinyshakespeare.txt") else {
            throw XCTSkip("tinyshakespeare.txt is not in \(Self.dataDir): set LABRUN_DATA_DIR")
        }
        // The first run, with the stubs: the first exercise the lab asks for, in plain words, not a crash.
        let first = try run(["run", "30", "--set", "steps=100"])
        XCTAssertEqual(first.code, 1, first.stdout + first.stderr)
        XCTAssertNotNil(first.stdout.range(of: #"exercise (1a \()?SelfAttention\.forward\)? is not written yet: open Labs/30/Exercises/SelfAttention\.swift"#,
                                            options: .regularExpression), first.stdout)
        XCTAssertFalse(first.stdout.contains("SIGILL"), first.stdout)

        // Grading oneself: the stubs score 0, every visible test "not implemented", no hidden test named.
        let grade = try run(["grade", "--lab", "30"])
        XCTAssertEqual(grade.code, 0, grade.stdout + grade.stderr)
        XCTAssertTrue(grade.stdout.contains("SelfAttentionTests.testCausalMask") && grade.stdout.contains("not implemented"), grade.stdout)
        XCTAssertFalse((grade.stdout + grade.stderr).contains("HiddenLab30Tests"), grade.stdout)

        // A syntax error in lab 30's exercises does not stop a lab of its own module.
        let broken = h + "/Labs/30/Exercises/TransformerBlock.swift"
        let original = try String(contentsOfFile: broken, encoding: .utf8)
        defer { try? original.write(toFile: broken, atomically: true, encoding: .utf8) }
        try (original + "\nfunc broken( {\n").write(toFile: broken, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: h + "/Labs/other", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: h + "/Labs/other") }
        try "---\nslide: 99\ntitle: Another lab\n---\n\n```swift\nprint(\"sum\", Tensor([1, 2, 3]).sum().item())\n```\n"
            .write(toFile: h + "/Labs/other/lab.md", atomically: true, encoding: .utf8)
        let other = try run(["run", "99"])
        XCTAssertEqual(other.code, 0, other.stdout + other.stderr)
        XCTAssertTrue(other.stdout.contains("sum 6.0"), other.stdout)
        let thirty = try run(["run", "30", "--set", "steps=100"])
        XCTAssertNotEqual(thirty.code, 0)
        XCTAssertTrue((thirty.stdout + thirty.stderr).contains("Labs/30/Exercises/TransformerBlock.swift:"), thirty.stdout + thirty.stderr)
        XCTAssertTrue((thirty.stdout + thirty.stderr).contains("expected"), thirty.stdout + thirty.stderr)
    }

    /// Makes `dst` hold exactly the files of `src` (its `.build` and `.labrun` kept), rewriting only files whose
    /// content differs: unchanged files keep their modification times and the build stays incremental.
    static func sync(_ src: String, into dst: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: dst, withIntermediateDirectories: true)
        let wanted = Set((fm.enumerator(atPath: src)?.allObjects as? [String]) ?? [])
        for rel in (fm.enumerator(atPath: dst)?.allObjects as? [String]) ?? []
        where !rel.hasPrefix(".build") && !rel.hasPrefix(".labrun") && !wanted.contains(rel) && fm.fileExists(atPath: dst + "/" + rel) {
            try? fm.removeItem(atPath: dst + "/" + rel)
        }
        for rel in wanted.sorted() {
            var isDir: ObjCBool = false
            fm.fileExists(atPath: src + "/" + rel, isDirectory: &isDir)
            if isDir.boolValue { try fm.createDirectory(atPath: dst + "/" + rel, withIntermediateDirectories: true); continue }
            let new = fm.contents(atPath: src + "/" + rel)
            if fm.contents(atPath: dst + "/" + rel) == new { continue }
            try? fm.removeItem(atPath: dst + "/" + rel)
            try fm.copyItem(atPath: src + "/" + rel, toPath: dst + "/" + rel)
        }
    }
}
