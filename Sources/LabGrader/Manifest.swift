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
    /// A hint that gives the answer away: shown only after the due date (never in a student view before it).
    public var hintAfterDueDate: String?
    /// Wall-clock budget for this one test, seconds (overrides the lab's `timeout`).
    public var timeout: Double?
    /// The exercise (`ExerciseSpec.id`) this test scores: it runs against the student's code for that exercise
    /// and the reference code for every other one.
    public var exercise: String?

    public init(id: String, points: Double, visibility: Visibility = .visible, hint: String? = nil, timeout: Double? = nil,
                exercise: String? = nil) {
        self.id = id; self.points = points; self.visibility = visibility; self.hint = hint; self.timeout = timeout
        self.exercise = exercise
    }
}

/// One exercise of a lab as declared in `grading.yml`: the unit a student is told about ("exercise 2a") and the
/// unit the grader scores, made of one or more solution regions (named as `labrun release` names them).
public struct ExerciseSpec: Codable, Sendable, Equatable {
    public var id: String
    public var title: String?
    /// Region names: `SelfAttention.forward`, `getBatch`.
    public var regions: [String]

    public init(id: String, title: String? = nil, regions: [String]) { self.id = id; self.title = title; self.regions = regions }

    enum CodingKeys: String, CodingKey { case id, title, regions }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let n = try? c.decode(Int.self, forKey: .id) { id = String(n) } else { id = try c.decode(String.self, forKey: .id) }
        title = try c.decodeIfPresent(String.self, forKey: .title)
        regions = try c.decode([String].self, forKey: .regions)
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
    /// The lab's exercises (empty: the whole submission is one exercise).
    public var exercises: [ExerciseSpec]
    public var tests: [TestSpec]
    /// Written by `labrun release` into the students' copy: what was left out.
    public var hiddenSummary: HiddenSummary?

    public struct HiddenSummary: Codable, Sendable, Equatable {
        public var tests: Int
        public var points: Double
    }

    /// Where things were declared in the file (for config errors): `path`, and 1-based lines by key
    /// (`exercises[0].regions[1]`, `tests[3].exercise`, `tests[3]`).
    public var source: SourceLines = SourceLines()
    public struct SourceLines: Sendable, Equatable {
        public var path = ""
        public var lines: [String: Int] = [:]
        /// `path:line` of `key` (or of the nearest enclosing key), or just `path`.
        public func at(_ key: String) -> String {
            var k = key
            while true {
                if let l = lines[k] { return "\(path):\(l)" }
                guard let cut = k.lastIndex(where: { $0 == "." || $0 == "[" }) else { return path }
                k = String(k[..<cut])
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case lab, title, due, late, timeout, memoryMB = "memory_mb", submissionTimeout = "submission_timeout", optimize, exercises, tests, hiddenSummary = "hidden_summary"
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
        exercises = try c.decodeIfPresent([ExerciseSpec].self, forKey: .exercises) ?? []
        tests = try c.decodeIfPresent([TestSpec].self, forKey: .tests) ?? []
        hiddenSummary = try c.decodeIfPresent(HiddenSummary.self, forKey: .hiddenSummary)
    }

    public var maxScore: Double { tests.reduce(0) { $0 + $1.points } }
    public var testTimeout: Double { timeout ?? 10 }
    public var submissionBudget: Double { submissionTimeout ?? max(60, 10 * testTimeout) }
    public var memoryBytes: UInt64 { UInt64(memoryMB ?? 4096) << 20 }
    public func spec(_ id: String) -> TestSpec? { tests.first { $0.id == id } }
    public func exercise(_ id: String) -> ExerciseSpec? { exercises.first { $0.id == id } }

    /// Checks the exercises against the regions the reference solutions (or stubs) have: every region named by an
    /// exercise exists and belongs to one exercise only. Errors name the file and line.
    public func validateExercises(regions: [String], locations: [String: String] = [:]) throws {
        let known = Set(regions)
        var owner: [String: String] = [:]
        for (i, e) in exercises.enumerated() {
            for (j, r) in e.regions.enumerated() {
                guard known.contains(r) else {
                    throw GradeError.config("\(source.at("exercises[\(i)].regions[\(j)]")): exercise \(e.id) names region '\(r)', which no solution file has (regions: \(regions.joined(separator: ", ")))")
                }
                if let o = owner[r] {
                    throw GradeError.config("\(source.at("exercises[\(i)].regions[\(j)]")): region '\(r)' is in exercise \(o) already")
                }
                owner[r] = e.id
            }
        }
        if !exercises.isEmpty, let lost = regions.first(where: { owner[$0] == nil }) {
            throw GradeError.config("\(source.at("exercises")): region '\(lost)'\(locations[lost].map { " (\($0))" } ?? "") is in no exercise: add it to one, or its code would never be graded")
        }
    }

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
        m.source = SourceLines(path: path, lines: lineIndex(text))
        var ids = Set<String>()
        for (i, e) in m.exercises.enumerated() {
            guard !e.id.isEmpty, e.id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }) else {
                throw GradeError.config("\(m.source.at("exercises[\(i)]")): exercise id '\(e.id)' must be letters, digits, '.' or '-' (like 1a)")
            }
            guard ids.insert(e.id).inserted else { throw GradeError.config("\(m.source.at("exercises[\(i)]")): exercise '\(e.id)' is declared twice") }
            guard !e.regions.isEmpty else { throw GradeError.config("\(m.source.at("exercises[\(i)]")): exercise \(e.id) has no regions") }
        }
        for (i, t) in m.tests.enumerated() {
            if let e = t.exercise {
                guard ids.contains(e) else {
                    throw GradeError.config("\(m.source.at("tests[\(i)].exercise")): test \(t.id) names exercise '\(e)', which is not declared under exercises: (declared: \(ids.isEmpty ? "none" : m.exercises.map(\.id).joined(separator: ", ")))")
                }
            } else if !ids.isEmpty {
                throw GradeError.config("\(m.source.at("tests[\(i)]")): test \(t.id) has no exercise: (every test says which exercise it scores)")
            }
        }
        return m
    }

    /// 1-based line of every mapping value and sequence item, keyed like `tests[3].exercise`.
    static func lineIndex(_ text: String) -> [String: Int] {
        guard let root = try? Yams.compose(yaml: text) else { return [:] }
        var out: [String: Int] = [:]
        func walk(_ n: Node, _ key: String) {
            if !key.isEmpty, out[key] == nil { out[key] = n.mark?.line }
            switch n {
            case .mapping(let m):
                for (k, v) in m {
                    guard let s = k.string else { continue }
                    let child = key.isEmpty ? s : key + "." + s
                    out[child] = k.mark?.line          // a key's own line, even when its value is a block below it
                    walk(v, child)
                }
            case .sequence(let s):
                for (i, v) in s.enumerated() { walk(v, "\(key)[\(i)]") }
            default: break
            }
        }
        walk(root, "")
        return out
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
    enum CodingKeys: String, CodingKey { case id, points, visibility, hint, hintAfterDueDate = "hint_after_due_date", timeout, exercise }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        points = try c.decode(Double.self, forKey: .points)
        visibility = try c.decodeIfPresent(Visibility.self, forKey: .visibility) ?? .visible
        hint = try c.decodeIfPresent(String.self, forKey: .hint)
        hintAfterDueDate = try c.decodeIfPresent(String.self, forKey: .hintAfterDueDate)
        timeout = try c.decodeIfPresent(Double.self, forKey: .timeout)
        if let n = try? c.decode(Int.self, forKey: .exercise) { exercise = String(n) } else { exercise = try c.decodeIfPresent(String.self, forKey: .exercise) }
    }
}
