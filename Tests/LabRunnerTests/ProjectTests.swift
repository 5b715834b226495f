import XCTest
@testable import LabRunner

/// Files the runner writes: atomically, with or without a sync.
final class ProjectTests: XCTestCase {
    func testWriteAtomicallyReplacesTheFileAndLeavesNoTemporary() throws {
        let dir = NSTemporaryDirectory() + "labrun-write-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/results/x.json"
        for durable in [true, false] {
            try writeAtomically(Data("first \(durable)".utf8), to: path, durable: durable)   // creates results/
            XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "first \(durable)")
            let big = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            try writeAtomically(big, to: path, durable: durable)
            XCTAssertEqual(FileManager.default.contents(atPath: path), big)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/results"), ["x.json"])
        }
    }
}
