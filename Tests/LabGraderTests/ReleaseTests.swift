import Foundation
import XCTest
@testable import LabGrader

final class ReleaseTests: XCTestCase {
    func testRegionsBecomeNamedTodoCallsAndTheRestIsKept() throws {
        let source = """
            public struct TransformerBlock {
                let n: Int
                // BEGIN SOLUTION
                let ln_1: [Double]
                // END SOLUTION

                public func callAsFunction(_ x: [Double]) -> [Double] {  // (B, T, C)
                    let y = x
                    // BEGIN SOLUTION
                    return y.map { $0 * 2 }
                    // END SOLUTION
                }
            }

            extension TransformerBlock {
                var parameterCount: Int {
                    // BEGIN SOLUTION
                    if n > 0 { return n }
                    return 0
                    // END SOLUTION
                }
            }

            func train(steps: Int) {
                // BEGIN SOLUTION trainingLoop
                for _ in 0..<steps {}
                // END SOLUTION
            }
            """
        let (text, regions) = try Release.stub(source, path: "Block.swift", exerciseOf: ["TransformerBlock.callAsFunction": "1a", "trainingLoop": "2"])
        XCTAssertEqual(regions.map(\.name), ["TransformerBlock.declarations", "TransformerBlock.callAsFunction", "TransformerBlock.parameterCount", "trainingLoop"])
        XCTAssertEqual(regions.map(\.beginLine), [3, 9, 17, 25])
        XCTAssertEqual(regions[1].body, "        return y.map { $0 * 2 }")
        XCTAssertEqual(regions.map(\.declarations), [true, false, false, false])
        XCTAssertEqual(text, """
            public struct TransformerBlock {
                let n: Int
                // BEGIN EXERCISE : TransformerBlock.declarations
                // TODO: declarations for TransformerBlock
                // END EXERCISE

                public func callAsFunction(_ x: [Double]) -> [Double] {  // (B, T, C)
                    let y = x
                    // BEGIN EXERCISE 1a: TransformerBlock.callAsFunction
                    todo("TransformerBlock.callAsFunction")
                    // END EXERCISE 1a
                }
            }

            extension TransformerBlock {
                var parameterCount: Int {
                    // BEGIN EXERCISE : TransformerBlock.parameterCount
                    todo("TransformerBlock.parameterCount")
                    // END EXERCISE
                }
            }

            func train(steps: Int) {
                // BEGIN EXERCISE 2: trainingLoop
                todo("trainingLoop")
                // END EXERCISE 2
            }
            """)
        // The markers name the region; the student's code between them is what a composition splices in.
        let student = text.replacingOccurrences(of: "todo(\"trainingLoop\")", with: "print(steps)")
        let cut = StudentRegions.parse(student, file: "Block.swift", expected: regions.map { ($0.name, nil) })
        XCTAssertEqual(cut.problems, [:])
        XCTAssertEqual(cut.bodies["trainingLoop"], StudentRegions.Body(lines: ["    print(steps)"], firstLine: 25))
        var c = Composition()
        Composition.splice(stub: text, file: "Block.swift", body: { $0 == "trainingLoop" ? .student(cut.bodies[$0]!) : .reference("REF") }, into: &c)
        XCTAssertTrue(c.files["Block.swift"]!.contains("    // BEGIN EXERCISE 2: trainingLoop\n    print(steps)\n    // END EXERCISE 2"), c.files["Block.swift"]!)
        XCTAssertTrue(c.files["Block.swift"]!.contains("// BEGIN EXERCISE 1a: TransformerBlock.callAsFunction\nREF\n"))
        let line = c.files["Block.swift"]!.components(separatedBy: "\n").firstIndex(of: "    print(steps)")! + 1
        XCTAssertEqual(c.studentLines["Block.swift"]?[line], 25)
        // A deleted marker is named.
        let noMarker = StudentRegions.parse(student.replacingOccurrences(of: "    // BEGIN EXERCISE 2: trainingLoop\n", with: ""), file: "Block.swift",
                                            expected: [("trainingLoop", "2")])
        XCTAssertEqual(noMarker.problems["trainingLoop"]?.hasPrefix("Block.swift: the line `// BEGIN EXERCISE 2: trainingLoop` is missing."), true, "\(noMarker.problems)")
    }

    func testMalformedRegionsAreReportedWithFileAndLine() {
        func message(_ s: String) -> String {
            do { _ = try Release.stub(s, path: "X.swift"); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(message("func f() {\n    // BEGIN SOLUTION\n    return\n}"), "X.swift:2: BEGIN SOLUTION has no matching // END SOLUTION")
        XCTAssertEqual(message("func f() {\n    // END SOLUTION\n}"), "X.swift:2: END SOLUTION without BEGIN SOLUTION")
        XCTAssertEqual(message("func f() {\n    // BEGIN SOLUTION\n    if true {\n    // END SOLUTION\n    }\n}"),
                       "X.swift:2: braces in this solution region do not balance; put the markers inside one body")
    }

    /// The stubs committed in the fixture course are exactly what `release` generates.
    func testFixtureLabsAreInSyncWithRelease() throws {
        XCTAssertEqual(try Release.check(course: Course(root: Fixture.source), lab: "1"), [])
    }

    func testCheckNamesTheFileAndLineThatDrifted() throws {
        let course = try Fixture.course()
        let url = course.exercisesDir("1").appendingPathComponent("Stats.swift")
        var text = try String(contentsOf: url, encoding: .utf8)
        text = text.replacingOccurrences(of: "todo(\"variance\")", with: "return 0")
        try text.write(to: url, atomically: true, encoding: .utf8)
        let problems = try Release.check(course: course, lab: "1")
        XCTAssertEqual(problems.count, 1)
        XCTAssertTrue(problems[0].hasSuffix("Stats.swift:13: differs from the stub generated from Solutions/1/Stats.swift"), problems[0])
        try Release.generate(course: course, lab: "1")
        XCTAssertEqual(try Release.check(course: course, lab: "1"), [])
    }

    func testStudentExportLeavesOutSolutionsAndHiddenTests() throws {
        let course = try Fixture.course()
        let out = course.root.appendingPathComponent("student-copy")
        try Release.export(course: course, to: out)
        let files = FileManager.default.enumerator(atPath: out.path)!.allObjects as! [String]
        XCTAssertEqual(files.filter { $0.hasSuffix(".swift") || $0.hasSuffix(".yml") }.sorted(), [
            "Labs/1/Exercises/Counter.swift", "Labs/1/Exercises/Stats.swift", "Labs/1/Exercises/Support.swift",
            "Tests/Graded/1/CounterTests.swift", "Tests/Graded/1/StatsTests.swift", "Tests/Graded/1/grading.yml",
        ])
        let m = try LabManifest.load(out.appendingPathComponent("Tests/Graded/1/grading.yml"))
        XCTAssertEqual(m.tests.map(\.id), ["StatsTests/testMeanSmall", "StatsTests/testMeanEmpty", "StatsTests/testVariance",
                                           "CounterTests/testCount", "CounterTests/testMostCommon"])
        XCTAssertEqual(m.hiddenSummary, .init(tests: 2, points: 3))
        XCTAssertEqual(m.exercises.map(\.id), ["1", "2a", "2b"])
        XCTAssertTrue(m.tests.allSatisfy { $0.hintAfterDueDate == nil }, "hints that give the answer away are not shipped")
        for f in files where f.hasSuffix(".swift") || f.hasSuffix(".yml") {
            let text = try String(contentsOf: out.appendingPathComponent(f), encoding: .utf8)
            XCTAssertFalse(text.contains("HiddenTests") || text.contains("reduce(0, +)") || text.contains("not n - 1"), "\(f) leaks hidden tests, solutions or answers")
        }
    }
}

final class DiscoveryTests: XCTestCase {
    func testFindsTestMethodsOfXCTestCaseSubclassesOnly() {
        let tests = TestDiscovery.scan("""
            import XCTest
            final class ATests: XCTestCase {
                func testOne() { let s = "func testFake() {"; _ = s }
                func testTwo() async throws { }
                // func testCommented() {}
                func helper(x: Int) {}
                func testWithArgument(_ x: Int) {}
                func nested() { func testInner() {} }
            }
            struct NotATest { func testNo() {} }
            extension ATests {
                func testThree() throws {
                    XCTAssertEqual(1, 1)
                }
            }
            """, file: 0)
        XCTAssertEqual(tests.map(\.id), ["ATests/testOne", "ATests/testTwo", "ATests/testThree"])
        XCTAssertEqual(tests.map(\.isAsync), [false, true, false])
        XCTAssertEqual(tests.map(\.line), [3, 4, 12])
        XCTAssertEqual(tests[2].code, "XCTAssertEqual(1, 1)")
    }

    func testManifestAndSourcesMustAgree() throws {
        let course = try Fixture.course()
        let yml = course.labDir("1").appendingPathComponent("grading.yml")
        let text = try String(contentsOf: yml, encoding: .utf8)
        try text.replacingOccurrences(of: "  - id: CounterTests/testMostCommon\n    exercise: \"2b\"\n    points: 1\n    visibility: after_published\n", with: "")
            .write(to: yml, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try GradedLab.load(course: course, lab: "1")) { e in
            XCTAssertEqual("\(e)", "\(course.labDir("1").path)/grading.yml: test CounterTests/testMostCommon exists in the sources but has no entry (add it with its points)")
        }
    }
}
