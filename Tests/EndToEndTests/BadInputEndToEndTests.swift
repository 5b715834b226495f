import Foundation
import XCTest

/// Bad input gives a one-line `error: file:line: ...` and exit code 2, never a crash or a backtrace.
final class BadInputEndToEndTests: XCTestCase {
    var root = ""

    override func setUpWithError() throws { root = try Labrun.makeRoot() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: root) }

    func assertOneLineError(_ args: [String], contains expected: String, env: [String: String] = [:],
                            file: StaticString = #filePath, line: UInt = #line) throws {
        let out = try Labrun.run(args, root: root, env: env, file: file, line: line)
        XCTAssertEqual(out.code, 2, out.stdout + out.stderr, file: file, line: line)
        let lines = out.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "one line: \(out.stderr)", file: file, line: line)
        XCTAssertTrue(out.stderr.hasPrefix("error: "), out.stderr, file: file, line: line)
        XCTAssertTrue(out.stderr.contains(expected), "\(out.stderr) should contain \(expected)", file: file, line: line)
        XCTAssertFalse(out.stderr.contains("Backtrac") || out.stderr.contains("Fatal error"), file: file, line: line)
    }

    func testMissingFile() throws {
        try assertOneLineError(["run", root + "/nope.md"], contains: "nope.md: no such file")
    }

    func testNoCells() throws {
        try assertOneLineError(["run", Labrun.fixture("no-cells.md")], contains: "no-cells.md: no ```swift cells")
    }

    func testMalformedFrontMatter() throws {
        try assertOneLineError(["run", Labrun.fixture("bad-front-matter.md")], contains: "bad-front-matter.md:3: malformed front matter")
    }

    func testMissingSlide() throws {
        try assertOneLineError(["run", Labrun.fixture("missing-slide.md")], contains: "missing-slide.md:2: front matter needs 'slide: <number>'")
    }

    func testUnknownCellOption() throws {
        try assertOneLineError(["run", Labrun.fixture("unknown-option.md")], contains: "unknown-option.md:10: unknown cell option 'hiden'")
    }

    func testBinaryFile() throws {
        let path = root + "/binary.md"
        var bytes: [UInt8] = Array("---\nslide: 1\n".utf8)
        bytes += [0, 1, 2, 0xff, 0xfe]
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try assertOneLineError(["run", path], contains: "binary.md:3: binary data")
    }

    func testInvalidUTF8() throws {
        let path = root + "/latin1.md"
        try Data([0x2d, 0x2d, 0x2d, 0x0a, 0xe9, 0x0a]).write(to: URL(fileURLWithPath: path))
        try assertOneLineError(["run", path], contains: "latin1.md: not valid UTF-8")
    }

    func testDirectoryGivenAsLab() throws {
        try assertOneLineError(["run", root], contains: "is a directory")
    }

    func testMissingDataFile() throws {
        let path = root + "/needs-data.md"
        try "---\nslide: 1\ntitle: Data\ndata: [no-such-corpus.txt]\n---\n\n```swift\nprint(1)\n```\n".write(toFile: path, atomically: true, encoding: .utf8)
        try assertOneLineError(["run", path, "--data-dir", root], contains: "needs-data.md:4: data file 'no-such-corpus.txt' not found in \(root)")
        try assertOneLineError(["run", path, "--data-dir", root + "/none"], contains: "needs-data.md:4: the data directory \(root)/none does not exist")
    }

    func testLibraryNotBuilt() throws {
        try assertOneLineError(["run", Labrun.fixture("basics.md")], contains: "LabKit is not built",
                               env: ["LABRUN_LIBDIR": root + "/no-build"])
    }
}
