import Foundation
import XCTest
@testable import LabGrader

/// The grader's toolchain identity: `swiftc --version` is run once per compiler build and kept in the cache.
final class CompilerTests: XCTestCase {
    func testSwiftcVersionIsRunOnceAndReadFromTheCacheAfterwards() throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("labrun-version-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let tc = try GradeToolchain.locate()
        let first = try tc.versionText(cacheDir: dir)
        XCTAssertTrue(first.contains("Swift version"), first)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        XCTAssertEqual(files.count, 1, "\(files)")
        XCTAssertTrue(files[0].hasPrefix(".swiftc-version-"), "dot-named: not a build-cache entry (\(files[0]))")
        // Read back, not run again: an edited copy is what comes back.
        try Data("Swift version 0.0 (edited)\n".utf8).write(to: dir.appendingPathComponent(files[0]))
        XCTAssertEqual(try tc.versionText(cacheDir: dir), "Swift version 0.0 (edited)\n")
        // Another compiler (here: another path to the same driver through a symlink, named swiftc: the driver's
        // mode follows its name) has a stamp of its own.
        let bin = dir.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let link = bin.appendingPathComponent("swiftc")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: tc.swiftc)
        var other = tc
        other.swiftc = link.path
        XCTAssertTrue(try other.versionText(cacheDir: dir).contains("Swift version 6"), "a new stamp runs swiftc --version")
    }
}
