import Foundation
import XCTest

/// A library check a student trips in a lab (built with -O, as labrun builds every lab) is reported under the cell,
/// at the lab line that called the library, with the check's message: never a bare "signal SIGILL".
final class LibraryChecksEndToEndTests: XCTestCase {
    var root = ""

    override func setUpWithError() throws { root = try Labrun.makeRoot() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: root) }

    func testChecksNameTheShapesAndTheLabLine() throws {
        let out = try Labrun.run(["run", Labrun.fixture("library-checks.md")], root: root)
        XCTAssertEqual(out.code, 0, out.stdout + out.stderr)
        let cells = try Labrun.cells("library-checks", root: root)
        XCTAssertEqual(cells.map { $0["status"] as! String },
                       ["passed", "expected-failure", "expected-failure", "expected-failure", "expected-failure", "passed"])
        let expected: [(cell: Int, line: Int, text: String)] = [
            (1, 15, "LabNN: GPT: the input has T = 9 tokens (idx [1, 9]) but the model's context is blockSize = 8"),
            (2, 21, "LabNN: GPTConfig: nEmbd 30 is not a multiple of nHead 4"),
            (3, 28, "LabNN: Linear(in 4, out 3): input [2, 5] has 5 features in its last dimension, expected 4"),
            (4, 35, "LabNN: optimizer: a parameter of shape [2, 3] appears twice (again in group 1)"),
        ]
        for e in expected {
            let message = cells[e.cell]["message"] as? String ?? ""
            XCTAssertTrue(message.contains(e.text), "cell \(e.cell): \(message)")
            XCTAssertTrue(message.hasPrefix("failed as expected at line \(e.line):"), "cell \(e.cell): \(message)")
            XCTAssertFalse(message.hasSuffix(": signal SIGILL"), message)
        }
        XCTAssertEqual(cells[5]["stdout"] as? String, "still running\n")
    }
}
