import Foundation
import XCTest
@testable import LabGrader

/// Which regions may be compiled fused (`if … { student } else { reference }`): those that end their block and have
/// no declaration before them in it.
final class CompositionTests: XCTestCase {
    func region(_ before: String, after: String = "}") -> String {
        """
        public func f(_ xs: [Int], k: Int) -> Int {
        \(before)
            // BEGIN EXERCISE 1: f
            todo("f")
            // END EXERCISE 1
        \(after)
        """
    }

    func testWholeBodiesAndDeclarationFreeChecksBeforeAreFusable() {
        XCTAssertEqual(Composition.wholeBlockRegions(region("")), ["f"])
        XCTAssertEqual(Composition.wholeBlockRegions(region("    // a comment")), ["f"])
        XCTAssertEqual(Composition.wholeBlockRegions(region(
            "    precondition(k > 0 && xs.count > k,\n                 \"f: k must be positive { and below \\(xs.count) }\")")), ["f"],
                       "a check before the region (braces inside its string do not count)")
    }

    func testDeclarationsBeforeOrCodeAfterAreNot() {
        for before in ["    let n = xs.count", "    var n = 0", "    guard k > 0 else { return 0 }", "    defer { print(k) }",
                       "    func g() {}", "    xs.forEach { print($0) }", "    print(k); print(k)", "    if k > 0 { print(k) }"] {
            XCTAssertEqual(Composition.wholeBlockRegions(region(before)), [], before)
        }
        XCTAssertEqual(Composition.wholeBlockRegions(region("", after: "    print(k)\n}")), [], "code after the region")
    }

    func testFusedSpliceKeepsBothVersionsAndTheStudentsLines() {
        var c = Composition()
        let body = StudentRegions.Body(lines: ["    return 1"], firstLine: 40)
        Composition.splice(stub: region(""), file: "F.swift", body: { _ in .fused(student: body, reference: "    return 2", exercise: 3) }, into: &c)
        let text = c.files["F.swift"]!
        XCTAssertTrue(text.contains("if __labrunStudent(3) {\n    return 1\n} else {\n    return 2\n}"), text)
        let line = text.components(separatedBy: "\n").firstIndex(of: "    return 1")! + 1
        XCTAssertEqual(c.studentLines["F.swift"]?[line], 40, "errors in the student's line map back to it")
    }
}
