import XCTest
import LabDisplay
@testable import LabRunner

/// Code generation, diagnostics parsing, output splitting, highlighting.
final class ProgramTests: XCTestCase {
    func testGeneratedProgramMapsCellsToMarkdownLines() throws {
        let lab = try Lab.parse(bytes: Array("---\nslide: 1\ntitle: t\n---\n\n```swift\nlet a = 1\n```\n\n```swift should-fail\nprint(a)\n```\n".utf8), path: "x.md")
        let src = ProgramGenerator(lab: lab, sourcePath: "Labs/x \"q\".md", exercisesModule: "Lab30").source(cells: [0, 1])
        XCTAssertEqual(src, """
            import LabKit
            import Lab30
            LabChannel.startProgram()
            LabChannel.beginCell(0)
            #sourceLocation(file: "Labs/x \\"q\\".md", line: 7)
            let a = 1
            #sourceLocation()
            LabChannel.beginCell(1)
            LabChannel.expectFailure(1) {
            #sourceLocation(file: "Labs/x \\"q\\".md", line: 11)
            print(a)
            #sourceLocation()
            }
            LabChannel.endProgram()

            """)
    }

    func testParseLLVMDiagnostics() {
        let log = """
            Labs/a.md:14:13: error: cannot find 'x' in scope
            let y = x
                    ^
            Labs/a.md:3:5: warning: initialization of variable 'z' was never used
            error: fatalError
            """
        let d = parseDiagnostics(log)
        XCTAssertEqual(d.count, 3)
        XCTAssertEqual(d[0].file, "Labs/a.md")
        XCTAssertEqual([d[0].line, d[0].column], [14, 13])
        XCTAssertEqual(d[0].severity, .error)
        XCTAssertEqual(d[0].excerpt, "let y = x\n        ^")
        XCTAssertEqual(d[1].severity, .warning)
        XCTAssertEqual(d[2].message, "fatalError")
    }

    func testSplitterSplitsAtDelimitersAcrossChunks() {
        var s = OutputSplitter(marker: "m1", cap: 100)
        let stream = Array("boot" .utf8) + Array(LabChannel.delimiter(marker: "m1", cell: 0).utf8) + Array("a\u{1}b".utf8)
            + Array(LabChannel.delimiter(marker: "m1", cell: 12).utf8) + Array("c".utf8)
            + Array(LabChannel.delimiter(marker: "other", cell: 3).utf8)
        // Feed one byte at a time: delimiters cut anywhere must still be found.
        for b in stream { _ = s.feed([b][...]) }
        _ = s.finish()
        XCTAssertEqual(s.text(-1), "boot")
        XCTAssertEqual(s.text(0), "a\u{1}b")
        XCTAssertEqual(s.text(12), "c" + LabChannel.delimiter(marker: "other", cell: 3), "a foreign marker is output")
        XCTAssertEqual(s.current, 12)
    }

    func testSplitterCapsPerCell() {
        var s = OutputSplitter(marker: "m", cap: 4)
        _ = s.feed(Array((LabChannel.delimiter(marker: "m", cell: 0) + "123456789" + LabChannel.delimiter(marker: "m", cell: 1) + "ab").utf8)[...])
        XCTAssertEqual(s.text(0), "1234")
        XCTAssertEqual(s.dropped[0], 5)
        XCTAssertEqual(s.text(1), "ab")
    }

    func testHighlighter() {
        let t = SwiftHighlighter.tokens("let s = \"a // b\" // note\nx = 1.5e3 /* c */")
        XCTAssertEqual(t.filter { $0.kind == .keyword }.map(\.text), ["let"])
        XCTAssertEqual(t.filter { $0.kind == .string }.map(\.text), ["\"a // b\""])
        XCTAssertEqual(t.filter { $0.kind == .comment }.map(\.text), ["// note", "/* c */"])
        XCTAssertEqual(t.filter { $0.kind == .number }.map(\.text), ["1.5e3"])
        XCTAssertEqual(t.map(\.text).joined(), "let s = \"a // b\" // note\nx = 1.5e3 /* c */")
        XCTAssertEqual(SwiftHighlighter.html("a < b"), "a &lt; b")
    }

    func testReportCSSMatchesSiteTheme() throws {
        let path = ((#filePath as NSString).deletingLastPathComponent as NSString)
            .appendingPathComponent("../../site/theme/report.css")
        XCTAssertEqual(ReportCSS.css, try String(contentsOfFile: path, encoding: .utf8),
                       "the report embeds site/theme/report.css at build time (Sources/LabRunner/Resources/report.css links to it)")
    }
}
