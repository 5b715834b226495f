import XCTest
import LabDisplay

/// LabDisplay's renderings and channel format (LabDisplay has no test target of its own; the runner reads its records).
final class DisplayTests: XCTestCase {
    func testTableTextAndHTML() {
        let t = Table(headers: ["token", "id"], rows: [["hello", "31373"], ["a<b", "7"]])
        XCTAssertEqual(t.text, "token     id\n-----  -----\nhello  31373\na<b        7")
        XCTAssertEqual(t.html, "<div class=\"lab-table-wrap\"><table class=\"lab-table\"><thead><tr><th>token</th><th>id</th></tr></thead><tbody><tr><td>hello</td><td class=\"num\">31373</td></tr><tr><td>a&lt;b</td><td class=\"num\">7</td></tr></tbody></table></div>")
        let any = Table(headers: ["x"], rows: [[1.23456 as Any], [Float(2) as Any]])
        XCTAssertEqual(any.rows, [["1.235"], ["2"]])
    }

    func testNumberFormatting() {
        XCTAssertEqual(formatNumber(0.001234), "0.001234")
        XCTAssertEqual(formatNumber(12345.678), "12346")
        XCTAssertEqual(formatNumber(1.5e-7), "1.5e-7")
        XCTAssertEqual(formatNumber(2.5e9), "2.5e9")
        XCTAssertEqual(formatNumber(-0.5), "-0.5")
        XCTAssertEqual(formatNumber(3), "3")
    }

    /// The text `record(...)` keeps for the site and the terminal: `%.0f` grouped in threes (as Python's
    /// `f"{n:,.0f}"` prints it), other formats as printf prints them.
    func testRecordedFigureText() {
        XCTAssertEqual(formatFigure(1_234_567, format: "%.0f"), "1,234,567")
        XCTAssertEqual(formatFigure(163_037_184, format: "%.0f"), "163,037,184")
        XCTAssertEqual(formatFigure(65, format: "%.0f"), "65")
        XCTAssertEqual(formatFigure(999, format: "%.0f"), "999")
        XCTAssertEqual(formatFigure(1000, format: "%.0f"), "1,000")
        XCTAssertEqual(formatFigure(-32_768, format: "%.0f"), "-32,768")
        XCTAssertEqual(formatFigure(1_234_567.6, format: "%.0f"), "1,234,568", "rounded as printf rounds, then grouped")
        XCTAssertEqual(formatFigure(4096, format: "%.0f tokens"), "4096 tokens", "only the integer format itself groups")
        XCTAssertEqual(formatFigure(.infinity, format: "%.0f"), "inf")
        XCTAssertEqual(formatFigure(1234.5678, format: "%.3f"), "1234.568", "non-integer formats unchanged")
        XCTAssertEqual(formatFigure(1_234_567, format: "%.4g"), "1.235e+06")
        XCTAssertEqual(formatFigure(1234, format: "%.4g"), "1234", "only an integer format groups digits")
    }

    func testLogLogPlotTicksArePowersOfTen() {
        let p = LinePlot(title: "scaling", xLabel: "params", yLabel: "loss",
                         series: [.init(name: "fit", x: [1e3, 1e4, 1e5, 1e6], y: [4.0, 3.0, 2.2, 1.7])], xLog: true, yLog: true)
        let svg = p.svg
        for tick in ["1e3", "1e4", "1e5", "1e6"] { XCTAssertTrue(svg.contains(">\(tick)</text>"), tick) }
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        XCTAssertTrue(svg.hasSuffix("</svg>"))
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 1)
    }

    func testLinePlotSkipsNonFiniteAndNonPositiveOnLogAxis() {
        let p = LinePlot(series: [.init(name: "y", x: [1, 2, 3, 4], y: [1, .nan, -1, 10])], yLog: true)
        // Points (1,1) and (4,10) remain: one polyline with two points.
        let pts = p.svg.components(separatedBy: "points=\"")[1].prefix { $0 != "\"" }
        XCTAssertEqual(pts.split(separator: " ").count, 2)
        XCTAssertTrue(p.text.contains("y: 3 points"), p.text)
    }

    func testBarChartTextFallback() {
        let b = BarChart(title: "p", labels: ["the", "a"], values: [0.5, 0.25])
        XCTAssertEqual(b.text, "[bar chart \"p\"]\n  the  ██████████████████████████████ 0.5\n  a    ███████████████ 0.25")
    }

    func testChannelRecordsRoundTrip() {
        let bytes: [UInt8] = Array("LR1 display 12.5 8 1\n<b>x</b>x\nLR1 cell 13 1\n4\nLR1 prog".utf8)
        let (records, used) = LabChannel.parse(bytes[...])
        XCTAssertEqual(records, [LabChannel.Record(kind: "display", time: 12.5, parts: ["<b>x</b>", "x"]),
                                 LabChannel.Record(kind: "cell", time: 13, parts: ["4"])])
        XCTAssertEqual(used, bytes.count - "LR1 prog".utf8.count, "a partial record waits for more bytes")
    }

    func testProgressLine() {
        let r = ProgressReport(step: 120, total: 500, loss: 2.31415, tokensPerSecond: 41234, eta: 42)
        XCTAssertEqual(r.line, "step 120/500  loss 2.3142  41.2k tok/s  ETA 0:42")
        XCTAssertEqual(ProgressReport(payload: r.payload), r)
        XCTAssertEqual(formatDuration(3725), "1:02:05")
    }

    func testHeatmapCellsShadesAndText() {
        // Causal attention of a 3-token input: row i spreads 1 over keys 0...i; the masked cells are -inf.
        let w: [[Double]] = [[1, -.infinity, -.infinity], [0.5, 0.5, -.infinity], [0.25, 0.25, 0.5]]
        let h = Heatmap(title: "head 0", values: w, rowLabels: ["a", "b", "c"], columnLabels: ["a", "b", "c"])
        XCTAssertEqual(h.lo, 0.25)
        XCTAssertEqual(h.hi, 1)
        let svg = h.svg
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        XCTAssertTrue(svg.hasSuffix("</svg>"))
        // 9 cells + the background + 10 colour-scale steps; the three masked cells are grey.
        XCTAssertEqual(svg.components(separatedBy: "<rect").count - 1, 9 + 1 + 10)
        XCTAssertEqual(svg.components(separatedBy: "fill=\"#d0d0d0\"").count - 1, 3)
        XCTAssertTrue(svg.contains("<title>c → c: 0.5</title>"))
        XCTAssertTrue(svg.contains("fill=\"#08306b\" stroke"), "the largest value (1) is the darkest blue")
        XCTAssertTrue(svg.contains("fill=\"#ffffff\" stroke"), "the smallest (0.25) is white")
        // Text: ' ' is lo, '@' is hi, '·' masked; 0.5 is 1/3 of the way from 0.25 to 1 -> ramp index 3 ('-').
        XCTAssertEqual(h.text, """
            [heatmap "head 0" 3×3, ' ' = 0.25 … '@' = 1]
               abc
            a |@··|
            b |--·|
            c |  -|
            """)
    }
}
