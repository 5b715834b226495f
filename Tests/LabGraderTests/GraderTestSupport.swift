import Foundation
import XCTest
@testable import LabGrader

/// The fixture course (Tests/LabGraderTests/Fixtures/course) copied to a private temp dir, with hidden tests
/// and solutions made 0700 as an instructor should keep them.
enum Fixture {
    static let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/course")

    static func course() throws -> Course {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("labrun-grader-test-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: source, to: dir)
        chmod(dir.appendingPathComponent("Solutions").path, 0o700)
        chmod(dir.appendingPathComponent("Tests/Graded/1/hidden").path, 0o700)
        return Course(root: dir)
    }

    /// A submission folder with the reference files, `edit` applied to (file name → text).
    static func submission(_ course: Course, _ name: String, edit: (inout [String: String]) -> Void = { _ in }) throws -> Submission {
        var files: [String: String] = [:]
        for url in swiftFiles(in: course.solutionsDir("1")) { files[url.lastPathComponent] = try String(contentsOf: url, encoding: .utf8) }
        edit(&files)
        let dir = course.root.appendingPathComponent("submissions/\(name)/Exercises")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (n, t) in files { try t.write(to: dir.appendingPathComponent(n), atomically: true, encoding: .utf8) }
        return Submission(name: name, dir: dir.deletingLastPathComponent())
    }

    static func grader(_ course: Course, jobs: Int = 2) throws -> Grader {
        var o = GradeOptions(toolchain: try GradeToolchain.locate())
        o.testJobs = jobs
        o.compileJobs = jobs
        o.cache = BuildCache(root: course.root.appendingPathComponent(".cache"))
        return try Grader(course: course, lab: "1", options: o)
    }
}

extension GradeReport {
    func status(_ id: String) -> TestStatus? { tests.first { $0.id == id }?.status }
    func test(_ id: String) -> TestResult? { tests.first { $0.id == id } }
}

/// Replaces the body region of `function` in the solution text (between its BEGIN/END markers, which stay).
func replaceSolution(_ text: String, in function: String, with body: String) -> String {
    let lines = text.components(separatedBy: "\n")
    guard let f = lines.firstIndex(where: { $0.contains("func \(function)(") }),
          let b = lines[f...].firstIndex(where: { $0.contains("BEGIN SOLUTION") }),
          let e = lines[b...].firstIndex(where: { $0.contains("END SOLUTION") }) else { fatalError("no region in \(function)") }
    return (lines[...b] + [body] + lines[e...]).joined(separator: "\n")
}
