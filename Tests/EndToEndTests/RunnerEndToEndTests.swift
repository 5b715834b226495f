import Foundation
import XCTest

/// `labrun run` on fixture labs (Tests/EndToEndTests/Fixtures), checking exit codes, per-cell results and reports.
final class RunnerEndToEndTests: XCTestCase {
    var root = ""

    override func setUpWithError() throws {
        root = try Labrun.makeRoot()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: root)
    }

    func status(_ cells: [[String: Any]], _ i: Int) -> String { cells[i]["status"] as? String ?? "?" }

    func testBasicsSharedStateHiddenAndDisplays() throws {
        let out = try Labrun.run(["run", Labrun.fixture("basics.md")], root: root)
        XCTAssertEqual(out.code, 0, out.stdout + out.stderr)
        let cells = try Labrun.cells("basics", root: root)
        XCTAssertEqual(cells.map { $0["status"] as! String }, ["passed", "passed", "passed", "skipped", "passed"])
        XCTAssertEqual(cells[0]["stdout"] as? String, "hello 10\n")
        XCTAssertEqual(cells[1]["stdout"] as? String, "answer 42\n", "a //# line runs")
        XCTAssertEqual(cells[2]["stdout"] as? String, "from a hidden cell\n")
        XCTAssertEqual(cells[4]["stderr"] as? String, "to stderr\n")
        let displays = cells[4]["displays"] as! [[String: String]]
        XCTAssertEqual(displays.count, 4)
        XCTAssertTrue(displays[0]["html"]!.contains("<table class=\"lab-table\">"))
        XCTAssertTrue(displays[1]["html"]!.contains("<polyline"))
        XCTAssertEqual(displays[2]["html"]!.components(separatedBy: "fill=\"#1f77b4\"><title>").count - 1, 3, "3 bars")

        let html = try Labrun.report("basics", root: root)
        XCTAssertTrue(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        XCTAssertTrue(html.contains("<p class=\"custom\">custom <b>html</b></p>"))
        XCTAssertFalse(html.contains("let secret"), "//# lines are not shown")
        XCTAssertFalse(html.contains("from a hidden cell"), "hidden cells are not shown")
        XCTAssertTrue(html.contains("data-ln=\"22\""), "shown lines keep their Markdown line numbers")
        XCTAssertFalse(html.contains("data-ln=\"21\""))
        XCTAssertFalse(html.contains("src=\"http"), "no external resources")
        XCTAssertFalse(html.contains("href=\"http"))
        // The terminal shows the lab cell by cell, output under its cell.
        let hello = try XCTUnwrap(out.stdout.range(of: "hello 10"))
        let cell2 = try XCTUnwrap(out.stdout.range(of: "── [2] line 21"))
        XCTAssertLessThan(hello.lowerBound, cell2.lowerBound)
        XCTAssertFalse(out.stdout.contains("from a hidden cell"))
    }

    func testCompileErrorPointsAtMarkdownLineAndEarlierCellsRun() throws {
        let out = try Labrun.run(["run", Labrun.fixture("compile-error.md")], root: root)
        XCTAssertEqual(out.code, 1)
        let cells = try Labrun.cells("compile-error", root: root)
        XCTAssertEqual(cells.map { $0["status"] as! String }, ["passed", "failed", "not-run"])
        XCTAssertEqual(cells[0]["stdout"] as? String, "before the error\n")
        let diag = (cells[1]["diagnostics"] as! [[String: Any]])[0]
        XCTAssertEqual(diag["line"] as? Int, 14)
        XCTAssertEqual(diag["column"] as? Int, 13)
        XCTAssertEqual(diag["message"] as? String, "cannot find 'undefinedThing' in scope")
        XCTAssertTrue(out.stdout.contains("compile-error.md:14:13: error: cannot find 'undefinedThing' in scope"), out.stdout)
        let html = try Labrun.report("compile-error", root: root)
        XCTAssertTrue(html.contains("<span class=\"line err\"><span class=\"ln\" data-ln=\"14\">"))
    }

    func testCrashMarksCellFailedKeepsEarlierOutput() throws {
        let out = try Labrun.run(["run", Labrun.fixture("crash.md")], root: root)
        XCTAssertEqual(out.code, 1)
        let cells = try Labrun.cells("crash", root: root)
        XCTAssertEqual(cells.map { $0["status"] as! String }, ["passed", "failed", "not-run"])
        XCTAssertEqual(cells[1]["stdout"] as? String, "partial output\n", "output before the trap is kept")
        let message = cells[1]["message"] as! String
        XCTAssertEqual(message, "crashed at line 14: Fatal error: Index out of range (SIGILL)")
        XCTAssertEqual(cells[1]["crashLine"] as? Int, 14, "the backtrace's frame in the lab file")
        XCTAssertTrue(try Labrun.report("crash", root: root).contains("<span class=\"line err\"><span class=\"ln\" data-ln=\"14\">"))
        XCTAssertFalse((cells[1]["stderr"] as! String).contains("Current stack trace"))
        XCTAssertFalse(out.stdout.contains("never printed"))
    }

    func testFatalErrorNamesMarkdownLine() throws {
        let out = try Labrun.run(["run", Labrun.fixture("fatal.md")], root: root)
        XCTAssertEqual(out.code, 1)
        let cells = try Labrun.cells("fatal", root: root)
        XCTAssertEqual(cells[0]["stdout"] as? String, "checked once\n")
        let message = cells[0]["message"] as! String
        XCTAssertTrue(message.contains("fatal.md:8: Fatal error: the check failed"), message)
    }

    func testCellTimeoutKillsAndNamesTheCell() throws {
        let t0 = Date()
        let out = try Labrun.run(["run", Labrun.fixture("timeout.md")], root: root)
        XCTAssertLessThan(Date().timeIntervalSince(t0), 60, "the 120 s sleep was cut by the 1 s cell timeout")
        XCTAssertEqual(out.code, 1)
        let cells = try Labrun.cells("timeout", root: root)
        XCTAssertEqual(cells.map { $0["status"] as! String }, ["passed", "failed", "not-run"])
        XCTAssertEqual(cells[1]["message"] as? String, "cell timed out after 1 s")
        XCTAssertEqual(cells[1]["stdout"] as? String, "about to hang\n")
        let seconds = cells[1]["seconds"] as! Double
        XCTAssertGreaterThanOrEqual(seconds, 1.0)
        XCTAssertLessThan(seconds, 10)
    }

    func testLabTimeoutNamesTheCell() throws {
        let out = try Labrun.run(["run", Labrun.fixture("timeout.md"), "--timeout", "0.5"], root: root)
        XCTAssertEqual(out.code, 1)
        let cells = try Labrun.cells("timeout", root: root)
        XCTAssertEqual(status(cells, 1), "failed")
        XCTAssertEqual(cells[1]["message"] as? String, "lab timed out after 0.5 s (--timeout)")
    }

    func testShouldFailCellsDoNotFailTheLab() throws {
        let out = try Labrun.run(["run", Labrun.fixture("should-fail.md")], root: root)
        XCTAssertEqual(out.code, 0, out.stdout + out.stderr)
        let cells = try Labrun.cells("should-fail", root: root)
        XCTAssertEqual(cells.map { $0["status"] as! String },
                       ["passed", "expected-failure", "expected-failure", "expected-failure", "passed"])
        XCTAssertEqual(cells[1]["message"] as? String, "failed as expected at line 15: Fatal error: Index out of range (SIGILL)")
        XCTAssertTrue((cells[2]["message"] as! String).contains("line 21"))
        XCTAssertTrue((cells[3]["message"] as! String).contains("Oops"))
        XCTAssertEqual(cells[4]["stdout"] as? String, "still running, x = 1\n")
    }

    func testShouldFailCellThatPassesFailsTheLab() throws {
        let out = try Labrun.run(["run", Labrun.fixture("should-fail-passes.md")], root: root)
        XCTAssertEqual(out.code, 1)
        let cells = try Labrun.cells("should-fail-passes", root: root)
        XCTAssertEqual(cells.map { $0["status"] as! String }, ["failed", "passed"])
    }

    func testHugeOutputIsCappedAndSaysSo() throws {
        let out = try Labrun.run(["run", Labrun.fixture("big-output.md")], root: root)
        XCTAssertEqual(out.code, 0)
        let cells = try Labrun.cells("big-output", root: root)
        XCTAssertEqual((cells[0]["stdout"] as! String).utf8.count, 1 << 20)
        XCTAssertEqual(cells[0]["droppedBytes"] as? Int, 300 * 1_000_001 + 5 - (1 << 20))
        XCTAssertEqual(cells[1]["stdout"] as? String, "next cell\n")
        XCTAssertTrue(out.stdout.contains("output capped"))
        XCTAssertTrue(try Labrun.report("big-output", root: root).contains("Output capped"))
    }

    func testCacheSkipsRecompileAndNoCacheForcesIt() throws {
        _ = try Labrun.run(["run", Labrun.fixture("compile-error.md")], root: root)
        var r = try Labrun.result("compile-error", root: root)
        XCTAssertEqual((r["facts"] as! [String: Any])["compileCached"] as? Bool, false)
        _ = try Labrun.run(["run", Labrun.fixture("compile-error.md")], root: root)
        r = try Labrun.result("compile-error", root: root)
        XCTAssertEqual((r["facts"] as! [String: Any])["compileCached"] as? Bool, true)
        _ = try Labrun.run(["run", Labrun.fixture("compile-error.md"), "--no-cache"], root: root)
        r = try Labrun.result("compile-error", root: root)
        XCTAssertEqual((r["facts"] as! [String: Any])["compileCached"] as? Bool, false)
    }

    func testDemoRunsDemoCellsWithParameters() throws {
        let out = try Labrun.run(["demo", Labrun.fixture("parameters.md"), "--set", "temperature=0.8",
                                  "--set", "prompt=to be", "--set", "steps=2"], root: root)
        XCTAssertEqual(out.code, 0, out.stdout + out.stderr)
        XCTAssertTrue(out.stdout.contains("temperature 0.8\n"), out.stdout)
        XCTAssertTrue(out.stdout.contains("prompt to be\n"), out.stdout)
        XCTAssertTrue(out.stdout.contains("steps 2\n"), out.stdout)
        XCTAssertFalse(out.stdout.contains("not part of the demo"))
    }

    func testSetUnknownParameterIsAnError() throws {
        let out = try Labrun.run(["demo", Labrun.fixture("parameters.md"), "--set", "temprature=0.8"], root: root)
        XCTAssertEqual(out.code, 2)
        XCTAssertTrue(out.stderr.contains("parameters.md:6: no parameter 'temprature'"), out.stderr)
        XCTAssertTrue(out.stderr.contains("declared: temperature, prompt, steps"), out.stderr)
    }

    func testSetWithWrongTypeIsAnError() throws {
        // A declared Int: checked before compiling, the error names the parameter's line.
        var out = try Labrun.run(["run", Labrun.fixture("parameters.md"), "--set", "steps=2.5"], root: root)
        XCTAssertEqual(out.code, 2)
        XCTAssertTrue(out.stderr.contains("parameters.md:9: --set steps=2.5: steps is an Int: give a whole number, e.g. --set steps=3"),
                      out.stderr)
        // An inferred type (`let temperature = 1.0`): the compiler finds it, under the parameters cell.
        out = try Labrun.run(["run", Labrun.fixture("parameters.md"), "--set", "temperature=warm"], root: root)
        XCTAssertEqual(out.code, 1)
        let cells = try Labrun.cells("parameters", root: root)
        XCTAssertEqual(status(cells, 0), "failed")
        XCTAssertTrue((cells[0]["message"] as! String).contains("line 7"), cells[0]["message"] as! String)
    }

    func testRunBySlideNumberAndList() throws {
        try FileManager.default.copyItem(atPath: Labrun.fixture("basics.md"), toPath: root + "/Labs/basics.md")
        try FileManager.default.copyItem(atPath: Labrun.fixture("crash.md"), toPath: root + "/Labs/crash.md")
        var out = try Labrun.run(["list"], root: root)
        XCTAssertEqual(out.code, 0)
        XCTAssertTrue(out.stdout.contains("90  Runner basics"), out.stdout)
        XCTAssertTrue(out.stdout.contains("not run"))
        out = try Labrun.run(["run", "92"], root: root)
        XCTAssertEqual(out.code, 1)
        out = try Labrun.run(["list"], root: root)
        XCTAssertTrue(out.stdout.contains("FAIL (1 passed, 1 failed, 1 not run"), out.stdout)
        out = try Labrun.run(["run", "12345"], root: root)
        XCTAssertEqual(out.code, 2)
        XCTAssertTrue(out.stderr.contains("no lab for slide 12345"), out.stderr)
    }

    func testReportPathOption() throws {
        let path = root + "/out/report.html"
        let out = try Labrun.run(["run", Labrun.fixture("basics.md"), "--report", path], root: root)
        XCTAssertEqual(out.code, 0)
        let html = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(html.hasPrefix("<!doctype html>"))
        XCTAssertTrue(html.contains("<title>Lab 90 · Runner basics</title>"))
        XCTAssertTrue(html.contains("student exercises") || html.contains("no exercises"))
    }

    func testExercisesModuleStudentAndSolutions() throws {
        for (dir, value) in [("Labs/uses-exercises/Exercises", 1), ("Solutions/uses-exercises", 2)] {
            try FileManager.default.createDirectory(atPath: root + "/" + dir, withIntermediateDirectories: true)
            try "public func answer() -> Int { \(value) }\n".write(toFile: root + "/\(dir)/Answer.swift", atomically: true, encoding: .utf8)
        }
        let lab = root + "/Labs/uses-exercises/lab.md"
        try "---\nslide: 5\ntitle: Exercises\n---\n\n```swift\nprint(\"answer\", answer())\n```\n".write(toFile: lab, atomically: true, encoding: .utf8)
        var out = try Labrun.run(["run", lab], root: root)
        XCTAssertEqual(out.code, 0, out.stdout + out.stderr)
        XCTAssertTrue(out.stdout.contains("answer 1\n"), out.stdout)
        out = try Labrun.run(["run", lab, "--solutions"], root: root)
        XCTAssertTrue(out.stdout.contains("answer 2\n"), out.stdout)
        XCTAssertTrue(try Labrun.report("uses-exercises", root: root).contains("reference solutions (Solutions/)"))
    }
}
