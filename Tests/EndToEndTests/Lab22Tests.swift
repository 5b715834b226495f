import Foundation
import XCTest

/// Lab 22 (generation) end to end with the real `labrun`: the course model loads (trained once per checkout into the
/// shared cache), the slide's loop with the reference sampleNext continues the prompt, greedy is deterministic, the
/// KV cache gives the same tokens as the loop without it; the demo runs with the slide's settings.
final class Lab22Tests: CourseLabTestCase {
    func testQuickRunWithSolutions() throws {
        let text = try runWithSolutions("22", ["--set", "length=60"], timeout: 900)
        let val = try XCTUnwrap(numbers(try match(#"validation loss: [0-9.]+ nats"#, in: text)).first)
        XCTAssertLessThan(val, 2.6, "the course model should be well below even bets (4.17) and the bigram level (2.48)")
        XCTAssertTrue(text.contains("--- temperature 0.8 ---\nROMEO:"), "the slide's loop continues the prompt:\n\(text.prefix(3000))")
        XCTAssertTrue(text.contains("KV cache: same tokens as the loop without it"), text)
        let report = try Labrun.report("22", root: root)
        XCTAssertTrue(report.contains("0 (greedy)"), "the temperature table is in the report")
        XCTAssertTrue(report.contains("characters in the top-p 0.9 nucleus"), "the nucleus table is in the report")
    }

    func testDemoWithTheSlidesSettings() throws {
        guard FileManager.default.fileExists(atPath: Self.dataDir + "/tinyshakespeare.txt") else {
            throw XCTSkip("tinyshakespeare.txt is not in \(Self.dataDir): set LABRUN_DATA_DIR")
        }
        // `labrun demo 22 --set prompt="ROMEO:" --set temperature=0.8` (the shell drops the quotes).
        // The demo works before the exercise is written (no --solutions): it samples with the library's generate.
        let out = try Labrun.run(["demo", "22", "--set", "prompt=ROMEO:", "--set", "temperature=0.8", "--set", "length=80"],
                                 root: root, env: ["LABRUN_DATA_DIR": Self.dataDir], timeout: 900)
        XCTAssertEqual(out.code, 0, String(out.stdout.suffix(3000)) + String(out.stderr.suffix(2000)))
        XCTAssertTrue(out.stdout.contains("--- temperature 0.8 (library generate) ---\nROMEO:"), out.stdout)
    }

    func testGradedTestsSelfCheck() throws {
        try assertSelfCheck("22", exercises: ["sampleNext"], minimumTests: 6)
    }
}
