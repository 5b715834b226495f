import XCTest
@testable import LabRunner

/// Parsing labs: front matter, cell options, line numbers, hidden lines (cmark + Yams, no compiler).
final class LabParserTests: XCTestCase {
    func parse(_ text: String, path: String = "Labs/t.md") throws -> Lab {
        try Lab.parse(bytes: Array(text.utf8), path: path)
    }

    let sample = """
        ---
        slide: 22
        title: Sampling
        timeout: 30
        data: [tinyshakespeare.txt]
        ---

        # Heading

        Some *prose*.

        ```swift hidden id=setup
        let a = 1
        ```

        ```python
        not a cell
        ```

        ```swift no-run, timeout=5
        //# let hidden = 2
        print(a)
        //#
        ```

        ```swift should-fail demo parameters
        let temperature = 1.0
        ```

        """

    func testFrontMatter() throws {
        let lab = try parse(sample)
        XCTAssertEqual(lab.frontMatter, FrontMatter(slide: 22, title: "Sampling", timeout: 30, data: ["tinyshakespeare.txt"]))
        XCTAssertEqual(lab.name, "t")
    }

    func testCellsLinesAndOptions() throws {
        let lab = try parse(sample)
        XCTAssertEqual(lab.cells.count, 3, "the python block is prose")
        XCTAssertEqual(lab.cells.map(\.fenceLine), [12, 20, 26])
        XCTAssertEqual(lab.cells.map(\.firstLine), [13, 21, 27])
        XCTAssertEqual(lab.cells[0].source, "let a = 1\n")
        var o = CellOptions()
        o.hidden = true
        o.id = "setup"
        XCTAssertEqual(lab.cells[0].options, o)
        XCTAssertTrue(lab.cells[1].options.noRun)
        XCTAssertEqual(lab.cells[1].options.timeout, 5)
        XCTAssertTrue(lab.cells[2].options.shouldFail && lab.cells[2].options.demo && lab.cells[2].options.parameters)
    }

    func testHiddenLines() throws {
        let cell = try parse(sample).cells[1]
        XCTAssertEqual(cell.runnableCode, "let hidden = 2\nprint(a)\n", "//# prefix removed, line count kept")
        XCTAssertEqual(cell.shownCode, "print(a)")
        XCTAssertEqual(cell.lineCount, 3)
        XCTAssertTrue(cell.contains(line: 21) && cell.contains(line: 23))
        XCTAssertFalse(cell.contains(line: 24))
    }

    func testIndentedHiddenLineKeepsIndent() {
        let cell = Cell(index: 0, fenceLine: 1, source: "if true {\n    //# print(1)\n}\n", options: CellOptions())
        XCTAssertEqual(cell.runnableCode, "if true {\n    print(1)\n}")
        XCTAssertEqual(cell.shownCode, "if true {\n}")
    }

    func testProseIsRenderedByCmarkBetweenCells() throws {
        let lab = try parse(sample)
        guard case .prose(let html) = lab.blocks[0] else { return XCTFail("prose first") }
        XCTAssertTrue(html.contains("<h1>Heading</h1>"))
        XCTAssertTrue(html.contains("<em>prose</em>"))
        XCTAssertEqual(lab.blocks.filter { if case .cell = $0 { return true } else { return false } }.count, 3)
        XCTAssertTrue(lab.blocks.contains { if case .prose(let h) = $0 { return h.contains("language-python") } else { return false } })
    }

    func testUnknownOptionNamesFileAndLine() {
        XCTAssertThrowsError(try parse("---\nslide: 1\ntitle: t\n---\n\n```swift hiden\nx\n```\n")) { e in
            XCTAssertEqual("\(e)".prefix(58), "Labs/t.md:6: unknown cell option 'hiden' (known: hidden, n")
        }
    }

    func testBadOptionValues() {
        XCTAssertThrowsError(try parse("---\nslide: 1\ntitle: t\n---\n```swift timeout=soon\nx\n```\n")) { e in
            XCTAssertEqual("\(e)", "Labs/t.md:5: cell option 'timeout' needs a number of seconds, e.g. timeout=60")
        }
        XCTAssertThrowsError(try parse("---\nslide: 1\ntitle: t\n---\n```swift hidden=yes\nx\n```\n")) { e in
            XCTAssertEqual("\(e)", "Labs/t.md:5: cell option 'hidden' takes no value")
        }
    }

    func testFrontMatterErrors() {
        let cases: [(String, String)] = [
            ("```swift\nx\n```\n", "Labs/t.md:1: missing front matter"),
            ("---\nslide: 1\n```swift\nx\n```\n", "Labs/t.md:1: front matter is not closed"),
            ("---\ntitle: t\n---\n```swift\nx\n```\n", "Labs/t.md:2: front matter needs 'slide: <number>'"),
            ("---\nslide: two\ntitle: t\n---\n```swift\nx\n```\n", "Labs/t.md:2: front matter 'slide' must be a whole number"),
            ("---\nslide: 1\n---\n```swift\nx\n```\n", "Labs/t.md:2: front matter needs 'title: <text>'"),
            ("---\nslide: 1\ntitle: t\ncolour: red\n---\n```swift\nx\n```\n", "Labs/t.md:4: unknown front matter key 'colour'"),
            ("---\nslide: 1\ntitle: t\ntimeout: -3\n---\n```swift\nx\n```\n", "Labs/t.md:4: front matter 'timeout' must be"),
            ("---\nslide: 1\ntitle: [a\n---\n```swift\nx\n```\n", "Labs/t.md:3: malformed front matter"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try parse(text), expected) { e in
                XCTAssertTrue("\(e)".hasPrefix(expected), "\(e) should start with \(expected)")
            }
        }
    }

    func testNoCellsAndNestedCells() {
        XCTAssertThrowsError(try parse("---\nslide: 1\ntitle: t\n---\nprose\n")) { e in
            XCTAssertTrue("\(e)".hasPrefix("Labs/t.md: no ```swift cells"), "\(e)")
        }
        XCTAssertThrowsError(try parse("---\nslide: 1\ntitle: t\n---\n- item\n\n  ```swift\n  x\n  ```\n")) { e in
            XCTAssertTrue("\(e)".hasPrefix("Labs/t.md:7: a ```swift cell inside a list"), "\(e)")
        }
    }

    func testBinaryAndInvalidUTF8() {
        XCTAssertThrowsError(try Lab.parse(bytes: [45, 45, 45, 10, 0, 1], path: "b.md")) { e in
            XCTAssertEqual("\(e)", "b.md:2: binary data (a NUL byte): not a Markdown lab file")
        }
        XCTAssertThrowsError(try Lab.parse(bytes: [45, 45, 45, 10, 0xC3, 0x28], path: "b.md")) { e in
            XCTAssertEqual("\(e)", "b.md: not valid UTF-8 text: not a Markdown lab file")
        }
    }

    func testParameterOverrides() throws {
        let lab = try parse("---\nslide: 1\ntitle: t\n---\n```swift parameters\nlet t = 1.0\nvar name: String = \"a\"  // who\nlet n = 3\n```\n")
        let out = try lab.applying(overrides: [("t", "0.8"), ("name", "Bob \"B\""), ("n", "n_default + 1")])
        XCTAssertEqual(out.cells[0].source, "let t = 0.8\nvar name: String = \"Bob \\\"B\\\"\"\nlet n = n_default + 1\n")
        XCTAssertThrowsError(try lab.applying(overrides: [("x", "1")])) { e in
            XCTAssertEqual("\(e)", "Labs/t.md:5: no parameter 'x' in the parameters cell (declared: t, name, n)")
        }
    }

    func testTypedParameterOverridesAreCheckedBeforeCompiling() throws {
        let lab = try parse("---\nslide: 1\ntitle: t\n---\n```swift parameters\nlet steps: Int = 1_500  // steps\n"
                            + "let temperature: Double = 0.8\nlet greedy: Bool = false\nlet prompt: String = \"A\"\n```\n")
        let ok = try lab.applying(overrides: [("steps", "100"), ("temperature", "1"), ("greedy", "true"), ("prompt", "ROMEO:")])
        XCTAssertEqual(ok.cells[0].source, "let steps: Int = 100\nlet temperature: Double = 1\nlet greedy: Bool = true\nlet prompt: String = \"ROMEO:\"\n")
        for (name, value, message) in [
            ("steps", "abc", "Labs/t.md:6: --set steps=abc: steps is an Int: give a whole number, e.g. --set steps=1_500"),
            ("steps", "1.5", "Labs/t.md:6: --set steps=1.5: steps is an Int: give a whole number, e.g. --set steps=1_500"),
            ("temperature", "hot", "Labs/t.md:7: --set temperature=hot: temperature is a Double: give a number, e.g. --set temperature=0.8"),
            ("greedy", "yes", "Labs/t.md:8: --set greedy=yes: greedy is a Bool: give true or false"),
        ] {
            XCTAssertThrowsError(try lab.applying(overrides: [(name, value)])) { e in XCTAssertEqual("\(e)", message) }
        }
    }
}

/// Pipe tables in prose (libcmark has no table extension).
final class PipeTableTests: XCTestCase {
    func testPipeTableBecomesHTMLTable() throws {
        let text = "---\nslide: 1\ntitle: t\n---\n\n| file | what `a|b` |\n|---|:--:|\n| `X.swift` | *forward* \\| pass |\n\n```swift\nx\n```\n"
        let lab = try Lab.parse(bytes: Array(text.utf8), path: "t.md")
        guard case .prose(let html) = lab.blocks[0] else { return XCTFail() }
        XCTAssertEqual(html, """
            <div class="lab-table-wrap"><table>
            <thead><tr><th>file</th><th style="text-align:center">what <code>a|b</code></th></tr></thead>
            <tbody>
            <tr><td><code>X.swift</code></td><td style="text-align:center"><em>forward</em> | pass</td></tr>
            </tbody></table></div>

            """)
    }

    func testOrdinaryParagraphWithPipeIsNotATable() throws {
        let lab = try Lab.parse(bytes: Array("---\nslide: 1\ntitle: t\n---\n\na | b\nc\n\n```swift\nx\n```\n".utf8), path: "t.md")
        guard case .prose(let html) = lab.blocks[0] else { return XCTFail() }
        XCTAssertEqual(html, "<p>a | b\nc</p>\n")
    }
}
