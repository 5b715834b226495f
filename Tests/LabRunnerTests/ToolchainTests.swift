import XCTest
import LabProcess
@testable import LabRunner

/// Facts about the toolchain that the runner reads without running the compiler.
final class ToolchainTests: XCTestCase {
    /// The version read from the standard library's interface is what `swiftc --version` prints first.
    func testVersionFromStandardLibraryMatchesSwiftcVersion() throws {
        let swiftc = try resolveExecutable(ProcessInfo.processInfo.environment["SWIFTC"] ?? "swiftc")
        let toolchain = Toolchain(swiftc: swiftc, libDir: "/nonexistent", fingerprint: "")
        let printed = try ChildProcess(swiftc, ["--version"]).run().stdoutText
            .split(separator: "\n").first.map(String.init)
        let read = try XCTUnwrap(toolchain.versionFromStandardLibrary, "no swift-compiler-version line beside \(swiftc)")
        XCTAssertEqual(read, printed)
        XCTAssertTrue(read.hasPrefix("Swift version "), read)
    }
}
