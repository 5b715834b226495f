import Foundation
import XCTest
@testable import LabGrader

/// `GradeTimings`: one JSON object per measured phase, appended to the file, with the submission of the thread.
final class TimingsTests: XCTestCase {
    func testEachPhaseIsOneLineWithItsSubmissionDurationAndCacheFlag() throws {
        let path = NSTemporaryDirectory() + "labrun-timings-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let t = GradeTimings(path: path)
        GradeTimings.currentSubmission = "alice"
        defer { GradeTimings.currentSubmission = "" }
        let x = t.measure("compile-exercises", detail: "1a") { () -> Int in usleep(20_000); return 42 }
        XCTAssertEqual(x, 42, "measure returns what its body returns")
        t.record("test", detail: "T/testA", submission: "bob", start: GradeTimings.now(), seconds: 0.25, cached: false)

        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        let a = try JSONDecoder().decode(GradeTimings.Entry.self, from: Data(lines[0].utf8))
        XCTAssertEqual(a.submission, "alice")
        XCTAssertEqual(a.phase, "compile-exercises")
        XCTAssertEqual(a.detail, "1a")
        XCTAssertGreaterThanOrEqual(a.seconds, 0.019, "the body slept 20 ms")
        XCTAssertLessThan(a.seconds, 5)
        XCTAssertNil(a.cached)
        let b = try JSONDecoder().decode(GradeTimings.Entry.self, from: Data(lines[1].utf8))
        XCTAssertEqual(b.submission, "bob", "an explicit submission wins over the thread's")
        XCTAssertEqual(b.seconds, 0.25)
        XCTAssertEqual(b.cached, false)
        XCTAssertGreaterThanOrEqual(b.start, a.start, "start is seconds since the recorder was made, in order")
    }

    func testTheSubmissionIsPerThread() throws {
        GradeTimings.currentSubmission = "main"
        defer { GradeTimings.currentSubmission = "" }
        var seen = ""
        let done = expectation(description: "thread")
        let th = Thread { seen = GradeTimings.currentSubmission; done.fulfill() }
        th.start()
        wait(for: [done], timeout: 10)
        XCTAssertEqual(seen, "", "another thread grades another submission")
        XCTAssertEqual(GradeTimings.currentSubmission, "main")
    }
}
