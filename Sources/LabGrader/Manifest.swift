import Foundation
import Yams

/// Who may see a test's result, as Gradescope has it.
public enum Visibility: String, Codable, Sendable, CaseIterable {
    case visible
    case hidden
    case afterDueDate = "after_due_date"
    case afterPublished = "after_published"

    /// Whether a student sees this test at `now`, given the lab's due date and whether grades are published.
    public func shownToStudent(now: Date, due: Date?, published: Bool) -> Bool {
        switch self {
        case .visible: return true
        case .hidden: return false
        case .afterDueDate: return due.map { now >= $0 } ?? false
        case .afterPublished: return published
        }
    }
}

/// One graded test as declared in `grading.yml`.
public struct TestSpec: Codable, Sendable, Equatable {
    /// `Class/testName`, e.g. `TransformerBlockTests/testCausality`.
    public var id: String
    public var points: Double
    public var visibility: Visibility
    /// Shown to the student under a failure.
    public var hint: String?
    /// Wall-clock budget for this one test, seconds (overrides the lab's `timeout`).
    public var timeout: Double?

    public init(id: String, points: Double, visibility: Visibility = .visible, hint: String? = nil, timeout: Double? = nil) {
        self.id = id; self.points = points; self.visibility = visibility; self.hint = hint; self.timeout = timeout
    }
}

/// Late policy: `per_day` fraction of the score lost per started day late, at most `max`.
public struct LatePolicy: Codable, Sendable, Equatable {
    public var perDay: Double
    public var max: Double
    enum CodingKeys: String, CodingKey { case perDay = "per_day", max }
    public init(perDay: Double, max: Double) { self.perDay = perDay; self.max = max }

    /// Fraction of the score taken off for a submission at `submitted` (0 if on time).
    public func penalty(submitted: Date, due: Date) -> Double {
        let late = submitted.timeIntervalSince(due)
        guard late > 0 else { return 0 }
        let days = (late / 86_400).rounded(.up)
        return Swift.min(self.max, days * perDay)
    }
}

/// A lab's grading manifest, `Tests/Graded/<lab>/grading.yml`: the one place points and visibility are declared.
///
/// ```yaml
/// lab: "30"
/// title: Mini GPT
/// due: 2026-12-04T23:59:00Z
/// late: { per_day: 0.1, max: 0.5 }
/// timeout: 20          # seconds per test (default 10)
/// memory_mb: 4096      # per test process (default 4096)
/// submission_timeout: 300   # all tests of one submission (default 10 × timeout, at least 60)
/// tests:
///   - { id: TransformerBlockTests/testShape, points: 1, hint: "Output is (B, T, C)." }
///   - { id: HiddenTransformerTests/testGradients, points: 3, visibility: hidden }
/// ```
public struct LabManifest: Codable, Sendable, Equatable {
    public var lab: String
    public var title: String?
    public var due: Date?
    public var late: LatePolicy?
    public var timeout: Double?
    public var memoryMB: Int?
    /// Seconds one submission may spend running tests (default 10 × `timeout`, at least 60); tests not started
    /// by then are reported as timed out without running, so a hanging submission cannot hold a batch for long.
    public var submissionTimeout: Double?
    /// Extra `swiftc` optimisation for the exercises and tests (default false: `-Onone`, faster to compile).
    public var optimize: Bool?
    public var tests: [TestSpec]
    /// Written by `labrun release` into the students' copy: what was left out.
    public var hiddenSummary: HiddenSummary?

    public struct HiddenSummary: Codable, Sendable, Equatable {
        public var tests: Int
        public var points: Double
    }

    enum CodingKeys: String, CodingKey {
        case lab, title, due, late, timeout, memoryMB = "memory_mb", submissionTimeout = "submission_timeout", optimize, tests, hiddenSummary = "hidden_summary"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let n = try? c.decode(Int.self, forKey: .lab) { lab = String(n) } else { lab = try c.decodeIfPresent(String.self, forKey: .lab) ?? "" }
        title = try c.decodeIfPresent(String.self, forKey: .title)
        due = try c.decodeIfPresent(Date.self, forKey: .due)
        late = try c.decodeIfPresent(LatePolicy.self, forKey: .late)
        timeout = try c.decodeIfPresent(Double.self, forKey: .timeout)
        memoryMB = try c.decodeIfPresent(Int.self, forKey: .memoryMB)
        submissionTimeout = try c.decodeIfPresent(Double.self, forKey: .submissionTimeout)
        optimize = try c.decodeIfPresent(Bool.self, forKey: .optimize)
        tests = try c.decodeIfPresent([TestSpec].self, forKey: .tests) ?? []
        hiddenSummary = try c.decodeIfPresent(HiddenSummary.self, forKey: .hiddenSummary)
    }

    public var maxScore: Double { tests.reduce(0) { $0 + $1.points } }
    public var testTimeout: Double { timeout ?? 10 }
    public var submissionBudget: Double { submissionTimeout ?? max(60, 10 * testTimeout) }
    public var memoryBytes: UInt64 { UInt64(memoryMB ?? 4096) << 20 }
    public func spec(_ id: String) -> TestSpec? { tests.first { $0.id == id } }

    public static func load(_ url: URL) throws -> LabManifest {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw GradeError.config("\(url.path): cannot read the grading manifest")
        }
        return try parse(text, path: url.path)
    }

    public static func parse(_ text: String, path: String) throws -> LabManifest {
        let decoder = YAMLDecoder()
        var m: LabManifest
        do {
            m = try decoder.decode(LabManifest.self, from: text, userInfo: [:])
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw GradeError.config("\(path): missing '\(key.stringValue)' at \(codingPath(ctx.codingPath))")
        } catch let DecodingError.typeMismatch(_, ctx), let DecodingError.valueNotFound(_, ctx) {
            throw GradeError.config("\(path): bad value at \(codingPath(ctx.codingPath)): \(ctx.debugDescription)")
        } catch let DecodingError.dataCorrupted(ctx) {
            throw GradeError.config("\(path): bad value at \(codingPath(ctx.codingPath)): \(ctx.debugDescription)")
        } catch {
            throw GradeError.config("\(path): \(error)")
        }
        var seen = Set<String>()
        for t in m.tests {
            let parts = t.id.split(separator: "/")
            guard parts.count == 2, parts[1].hasPrefix("test") else {
                throw GradeError.config("\(path): test id '\(t.id)' must be 'ClassName/testName'")
            }
            guard t.points >= 0, t.points.isFinite else { throw GradeError.config("\(path): \(t.id): points must be >= 0") }
            guard seen.insert(t.id).inserted else { throw GradeError.config("\(path): test '\(t.id)' is listed twice") }
        }
        m.lab = m.lab.trimmingCharacters(in: .whitespaces)
        return m
    }

    private static func codingPath(_ p: [CodingKey]) -> String {
        p.isEmpty ? "top level" : p.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }

    public func yaml() throws -> String { try YAMLEncoder().encode(self) }
}

/// A problem in the course material or the command line (not the student's fault): printed as one line, exit 1.
public enum GradeError: Error, CustomStringConvertible, Equatable {
    case config(String)
    case harness(String)
    public var description: String {
        switch self {
        case .config(let s): return s
        case .harness(let s): return "grader: \(s)"
        }
    }
}

extension TestSpec {
    enum CodingKeys: String, CodingKey { case id, points, visibility, hint, timeout }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        points = try c.decode(Double.self, forKey: .points)
        visibility = try c.decodeIfPresent(Visibility.self, forKey: .visibility) ?? .visible
        hint = try c.decodeIfPresent(String.self, forKey: .hint)
        timeout = try c.decodeIfPresent(Double.self, forKey: .timeout)
    }
}
