import Foundation

/// What happened to one graded test. Only `passed` earns points, and only on positive evidence.
public enum TestStatus: String, Codable, Sendable, CaseIterable {
    case passed
    case failed
    case notImplemented = "not_implemented"
    case crashed
    case timedOut = "timed_out"
    case compileError = "compile_error"

    /// Words for tables and feedback.
    public var label: String {
        switch self {
        case .passed: return "passed"
        case .failed: return "failed"
        case .notImplemented: return "not implemented"
        case .crashed: return "crashed"
        case .timedOut: return "timed out"
        case .compileError: return "compile error"
        }
    }
}

/// One test's result in a grading report.
public struct TestResult: Codable, Sendable, Equatable {
    /// `Class/testName`.
    public var id: String
    public var status: TestStatus
    public var score: Double
    public var maxScore: Double
    public var visibility: Visibility
    /// The failure: assertion message (with got/expected), crash signal and message, timeout, or diagnostics.
    public var message: String
    /// What the test printed (student output), capped.
    public var output: String
    public var hint: String?
    /// The hint that gives the answer away (`hint_after_due_date`); removed from student views before the due date.
    public var hintAfterDueDate: String?
    public var seconds: Double
    /// The test's body (Exercism's `test_code`); empty for tests whose source is hidden.
    public var testCode: String
    /// Defined in `hidden/`: its code and file never appear in student artifacts.
    public var sourceHidden: Bool

    public var name: String { id.replacingOccurrences(of: "/", with: ".") }
}

/// The result of grading one submission of one lab.
public struct GradeReport: Codable, Sendable, Equatable {
    public var schema = "labrun.grade/1"
    public var lab: String
    public var title: String?
    /// The submission's folder name (the student id in batch mode).
    public var submission: String
    /// Every exercise compiled as submitted (false: see `diagnostics` and `notes`).
    public var buildOK: Bool
    /// Compiler errors in the student's files, paths reduced to file names.
    public var diagnostics: [BuildDiagnostic]
    public var notes: [String]
    public var score: Double
    public var maxScore: Double
    public var seconds: Double
    public var tests: [TestResult]
    public var submittedAt: Date?
    public var gradedAt: Date
    /// Hash of everything graded (submission files, tests, manifest, harness version): resume key.
    public var inputHash: String

    public var passed: Int { tests.filter { $0.status == .passed }.count }
}

/// The one scoring function: a test earns its points when it passed, nothing otherwise.
public enum Scoring {
    public static func score(_ status: TestStatus, _ spec: TestSpec) -> Double {
        status == .passed ? spec.points : 0
    }

    /// Total of `tests` (already scored).
    public static func total(_ tests: [TestResult]) -> (score: Double, max: Double) {
        (tests.reduce(0) { $0 + $1.score }, tests.reduce(0) { $0 + $1.maxScore })
    }
}

/// Formats points without a trailing `.0`: `2`, `1.5`.
public func formatPoints(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e12 ? String(Int(x)) : String(format: "%.2f", x).replacingOccurrences(of: #"0+$"#, with: "", options: .regularExpression)
}
