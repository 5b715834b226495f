import Foundation
import XCTest
@testable import LabGrader

/// The allowlist on region code (swift-syntax) and the check of the built library (ELF).
final class SubmissionCheckTests: XCTestCase {
    func messages(_ code: String, firstLine: Int = 10) -> [String] {
        SubmissionCheck.check(code, file: "SelfAttention.swift", firstLine: firstLine).map { "\($0.line):\($0.column): \($0.message)" }
    }

    func testOrdinaryExerciseCodePasses() {
        // The lab-30 solutions' kind of code: tensor operations, closures, labels, defer, noGrad, local functions.
        XCTAssertEqual(messages("""
            let (B, T, C) = (x.size(0), x.size(1), x.size(2))
            var att = q.matmul(k.transpose(-2, -1)) * (1 / Float(hs).squareRoot())
            att = att.maskedFill(mask[0..<T, 0..<T] .== 0, -.infinity)
            defer { model.train() }
            noGrad { for _ in 0..<evalIters { total += model(x, y).loss!.item() } }
            func evaluate(_ step: Int) { history.recordEvaluation(step: step, train: 1, val: 2) }
            let k = qkv[1].detach().view(B, T, nHead, hs)
            let s = "not _hidden or Unsafe in a string" // nor `exit` in a comment
            return ix.map { data[$0..<($0 + blockSize)] }.reduce(into: []) { $0.append(contentsOf: [$1]) }
            """), [])
    }

    func testEachForbiddenThingIsNamedAtTheStudentsLine() {
        XCTAssertEqual(messages("import Glibc"), ["10:1: `import` is not allowed in a submission: the course's file already imports what the exercise needs",
                                                  "10:8: `Glibc` is not allowed in a submission (it reaches outside the exercise: processes, files, memory or the environment)"])
        XCTAssertEqual(messages("let n = 1\nlet p = x.withUnsafeFloats { $0 }", firstLine: 40),
                       ["41:11: `withUnsafeFloats` is not allowed in a submission (unsafe memory access)"])
        XCTAssertEqual(messages("let p = UnsafeMutableRawPointer(bitPattern: 8)"),
                       ["10:9: `UnsafeMutableRawPointer` is not allowed in a submission (unsafe memory access)"])
        XCTAssertEqual(messages("@_cdecl(\"write\") func w() {}"), ["10:1: the attribute `@_cdecl` is not allowed in a submission"])
        XCTAssertEqual(messages("@used @section(\".init_array\") let f = 1"),
                       ["10:1: the attribute `@used` is not allowed in a submission", "10:7: the attribute `@section` is not allowed in a submission"])
        XCTAssertEqual(messages("let h = dlsym(nil, \"setuid\")"),
                       ["10:9: `dlsym` is not allowed in a submission (it reaches outside the exercise: processes, files, memory or the environment)"])
        XCTAssertEqual(messages("_ = _typeByName(\"GradedTests.StatsTests\")"),
                       ["10:5: `_typeByName` is not allowed in a submission (names starting with `_` are the compiler's and the runtime's)"])
        for name in ["FileManager", "ProcessInfo", "getenv", "exit", "fork", "kill", "setuid", "Thread", "signal", "fopen", "NSClassFromString", "XCTFail"] {
            XCTAssertEqual(messages("let v = \(name)").count, 1, name)
        }
        XCTAssertEqual(messages("    return 0\n}\n\npublic func other() -> Double {\n    return 1").first,
                       "11:1: this `}` closes the function the exercise is in: the code between the markers must stay inside it (the rest of the file comes from the course)")
        // Allowed attributes and property wrappers.
        XCTAssertEqual(messages("@discardableResult func f() -> Int { 1 }\nlet g: (@escaping () -> Void) -> Void = { _ in }"), [])
    }

    /// A clean build exports only its own module's symbols plus the linker's markers, and has the compiler's own
    /// constructors only; `@_cdecl` and `@section(".init_array")` add what the check refuses. Built with swiftc.
    func testLibraryCheckFindsForeignSymbolsAndConstructors() throws {
        let tc = try GradeToolchain.locate()
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("libcheck-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func build(_ name: String, _ source: String, flags: [String] = []) throws -> ELFSummary {
            try source.write(to: dir.appendingPathComponent("\(name).swift"), atomically: true, encoding: .utf8)
            let (ok, out, _) = try runSwiftc(tc, ["-parse-as-library", "-module-name", "Lab1", "-emit-library", "-Onone"] + flags
                                          + ["-o", dir.appendingPathComponent("lib\(name).so").path, dir.appendingPathComponent("\(name).swift").path], cwd: dir)
            XCTAssertTrue(ok, out)
            return try ELFSummary(contentsOf: dir.appendingPathComponent("lib\(name).so"))
        }
        let clean = try build("clean", "public func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(xs.count) }\npublic struct S { public var x = 1 }")
        print("clean build: \(clean.constructors) constructor(s), exports \(clean.exportedSymbols)")
        XCTAssertEqual(LibraryCheck.problems(clean, module: "Lab1", constructors: clean.constructors), [])
        XCTAssertTrue(clean.exportedSymbols.contains { $0.hasPrefix("$s4Lab14mean") }, "\(clean.exportedSymbols)")

        let cdecl = try build("cdecl", "@_cdecl(\"write\") public func w(_ fd: Int32, _ p: UnsafeRawPointer?, _ n: Int) -> Int { n }")
        XCTAssertEqual(LibraryCheck.problems(cdecl, module: "Lab1", constructors: clean.constructors),
                       ["the built exercises library exports 1 symbol that is not of module Lab1 (write): a submission may not define C-level symbols"])

        let ctor = try build("ctor", "@used @section(\".init_array\") let c: @convention(c) () -> Void = { print(\"loaded\") }",
                             flags: ["-enable-experimental-feature", "SymbolLinkageMarkers"])
        XCTAssertEqual(ctor.constructors, clean.constructors + 1)
        XCTAssertEqual(LibraryCheck.problems(ctor, module: "Lab1", constructors: clean.constructors),
                       ["the built exercises library has 1 load-time constructor more than the course's own build: a submission may not run code when it is loaded"])
    }
}
