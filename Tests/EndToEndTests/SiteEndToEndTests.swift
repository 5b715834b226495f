import Foundation
import XCTest

/// `labrun site` on a small course (three labs: one records figures and curves, one fails, one reads a data file):
/// exit codes, freezing (what reruns after which change), the pages checked by html5lib, their links and the search
/// index (Fixtures/site/check_site.py), the grades pages from a gradebook, and headless-Chromium screenshots.
final class SiteEndToEndTests: XCTestCase {
    var root = ""
    var data = ""
    static let repo = ((#filePath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("../..")
    static let checker = Labrun.fixture("site/check_site.py")

    override func setUpWithError() throws {
        root = try Labrun.makeRoot()
        data = root + "/data"
        let fm = FileManager.default
        try fm.removeItem(atPath: root + "/Labs")
        try fm.copyItem(atPath: Labrun.fixture("site/Labs"), toPath: root + "/Labs")
        try fm.createDirectory(atPath: root + "/site", withIntermediateDirectories: true)
        try fm.copyItem(atPath: Self.repo + "/site/theme", toPath: root + "/site/theme")
        try fm.createDirectory(atPath: data, withIntermediateDirectories: true)
        try "one two three".write(toFile: data + "/notes.txt", atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: root) }

    func site(_ args: [String]) throws -> Labrun.Output {
        try Labrun.run(["site"] + args, root: root, env: ["LABRUN_DATA_DIR": data], timeout: 600)
    }

    func python(_ args: [String]) throws -> (code: Int32, out: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", Self.checker] + args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, out)
    }

    func reused(_ out: Labrun.Output) -> Set<String> {
        var labs = Set<String>()
        for line in out.stderr.components(separatedBy: "\n") where line.hasSuffix("frozen, reused") {
            if let r = line.range(of: #"lab \S+"#, options: .regularExpression) { labs.insert(String(line[r].dropFirst(4))) }
        }
        return labs
    }

    func testSiteBuildFreezeChecksAndScreenshots() throws {
        // A failing lab makes the build exit 1, but the site is written and shows it.
        let first = try site(["--jobs", "2"])
        XCTAssertEqual(first.code, 1, first.stdout + first.stderr)
        XCTAssertTrue(first.stderr.contains("error: lab 2 failed"), first.stderr)
        let home = try String(contentsOfFile: root + "/site/_build/index.html", encoding: .utf8)
        XCTAssertTrue(home.contains("1 of 3 labs failed"), home)
        XCTAssertTrue(home.contains("final loss") && home.contains("1.345"), "the home page shows lab 1's recorded figure")
        XCTAssertTrue(home.contains("crashed at line 12"), "the home page shows lab 2's error")
        XCTAssertTrue(reused(first).isEmpty, "nothing to reuse on a first build: \(first.stderr)")

        // Nothing changed: the passing labs are reused, the failed one runs again.
        let gradebook = root + "/gradebook.sqlite"
        XCTAssertEqual(try python(["--gradebook", gradebook]).code, 0)
        let second = try site(["--allow-failures", "--gradebook", gradebook, "--pseudonyms"])
        XCTAssertEqual(second.code, 0, second.stderr)
        XCTAssertEqual(reused(second), ["1", "3"], second.stderr)

        // The pages: html5lib parses each without errors, no broken link or anchor, a word of each lab is found.
        let check = try python([root + "/site/_build", "zebra", "quokka", "boom"])
        XCTAssertEqual(check.code, 0, check.out)
        let grades = try String(contentsOfFile: root + "/site/_build/grades.html", encoding: .utf8)
        XCTAssertTrue(grades.contains("student-01") && !grades.contains("alice") && !grades.contains("carol"), "pseudonyms replace ids")
        XCTAssertTrue(grades.contains("1/3 (33%)"), "the hard test was passed by one of three students")
        XCTAssertLessThan(grades.range(of: "testHardZebra")!.lowerBound, grades.range(of: "testEasy")!.lowerBound,
                          "tests are sorted hardest first")
        XCTAssertTrue(grades.contains("late −10%") && grades.contains("override"), "late and override markers")
        let lab1 = try String(contentsOfFile: root + "/site/_build/labs/1.html", encoding: .utf8)
        XCTAssertTrue(lab1.contains("href=\"../src/1.html#L13\""), "a cell links to its source line")
        XCTAssertTrue(lab1.contains("Training dashboard") && lab1.contains("Learning rate") && lab1.contains("ROMEO: hello"))
        XCTAssertTrue(lab1.contains("href=\"../labs/2.html\""), "previous/next navigation")

        // A data file's contents change: only the lab that declares it runs again.
        try "one two three four".write(toFile: data + "/notes.txt", atomically: true, encoding: .utf8)
        let third = try site(["--allow-failures"])
        XCTAssertEqual(reused(third), ["1"], third.stderr)
        XCTAssertTrue(try String(contentsOfFile: root + "/site/_build/labs/3.html", encoding: .utf8).contains("quokka words: 4"))
        // The lab file changes: it runs again; --rerun forces a frozen lab.
        let lab1Path = root + "/Labs/1/lab.md"
        try (try String(contentsOfFile: lab1Path, encoding: .utf8) + "\nOne more sentence.\n").write(toFile: lab1Path, atomically: true, encoding: .utf8)
        XCTAssertEqual(reused(try site(["--allow-failures"])), ["3"])
        XCTAssertEqual(reused(try site(["--allow-failures", "--rerun", "3"])), ["1"])
        XCTAssertEqual(reused(try site(["--allow-failures", "--rerun", "all"])), [])

        // What a reader sees: home, a lab and the grades at desktop and phone widths are not blank.
        XCTAssertEqual(try site(["--allow-failures", "--gradebook", gradebook]).code, 0)
        for page in ["index.html", "labs/1.html", "grades.html"] {
            for width in ["1000", "390"] {
                let png = root + "/shot-\(page.replacingOccurrences(of: "/", with: "-"))-\(width).png"
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/bin/sh")
                p.arguments = [Self.repo + "/scripts/screenshot.sh", root + "/site/_build/" + page, png, width, "900"]
                try p.run()
                p.waitUntilExit()
                XCTAssertEqual(p.terminationStatus, 0, "screenshot of \(page) at \(width) px")
                let blank = try python(["--png", png])
                XCTAssertEqual(blank.code, 0, "\(page) at \(width) px looks blank: \(blank.out)")
            }
        }
    }
}
