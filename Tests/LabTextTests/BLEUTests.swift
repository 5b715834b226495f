import XCTest
@testable import LabText

final class BLEUTests: XCTestCase {
    /// |a - b| <= 1e-12, or relatively for the tiny unsmoothed scores (8.99e-155).
    func assertClose(_ a: Double, _ b: Double, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let ok = abs(a - b) <= 1e-12 && (abs(b) > 1e-100 || abs(a - b) <= 1e-12 * abs(b))
        XCTAssertTrue(ok, "\(what): got \(a), NLTK \(b)", file: file, line: line)
    }

    func testSlideExampleIsNLTKsTinyNumberNotZero() throws {
        var warnings: [String] = []
        let saved = BLEUWarnings.handler
        BLEUWarnings.handler = { warnings.append($0) }
        defer { BLEUWarnings.handler = saved }
        let score = try sentenceBLEU(references: [["this", "is", "a", "test"]], hypothesis: ["this", "is", "test"])
        XCTAssertEqual(score, 8.987727354491445e-155, accuracy: 1e-12 * 8.987727354491445e-155)
        XCTAssertEqual(warnings.count, 2)
        XCTAssertTrue(warnings[0].contains("0 counts of 3-gram overlaps"))
    }

    func testAllNLTKCases() throws {
        let cases = try fixture("bleu_cases.json")["cases"] as! [[String: Any]]
        XCTAssertGreaterThan(cases.count, 300)
        let saved = BLEUWarnings.handler
        defer { BLEUWarnings.handler = saved }
        var checked = 0, errors = 0
        for (i, c) in cases.enumerated() {
            let refs = c["references"] as! [[[String]]], hyps = c["hypotheses"] as! [[String]]
            let weights = c["weights"] as! [[Double]]
            let p = c["params"] as! [String: Double]
            let sf = SmoothingFunction(method: c["method"] as! Int, epsilon: p["epsilon"]!, alpha: p["alpha"]!, k: p["k"]!)
            let auto = c["auto_reweigh"] as! Bool
            var warnings: [String] = []
            BLEUWarnings.handler = { warnings.append($0) }
            let what = "case \(i) (\(c["kind"]!), method \(sf.method), weights \(weights))"
            do {
                let got: [Double]
                if c["kind"] as! String == "sentence" {
                    XCTAssertEqual(weights.count, 1)
                    got = [try sentenceBLEU(references: refs[0], hypothesis: hyps[0], weights: weights[0], smoothing: sf, autoReweigh: auto)]
                } else {
                    got = try corpusBLEU(listOfReferences: refs, hypotheses: hyps, weightSets: weights, smoothing: sf, autoReweigh: auto)
                }
                guard let expected = c["result"] as? [Double] else { XCTFail("\(what): NLTK raised \(c["error"]!), we returned \(got)"); continue }
                XCTAssertEqual(got.count, expected.count, what)
                for (a, b) in zip(got, expected) { assertClose(a, b, what) }
                XCTAssertEqual(warnings, c["warnings"] as! [String], what)
                checked += 1
            } catch {
                XCTAssertNotNil(c["error"], "\(what): we threw \(error), NLTK returned \(c["result"] ?? "?")")
                XCTAssertTrue("\(error)".contains("method6"), "\(what): \(error)")
                errors += 1
            }
        }
        XCTAssertGreaterThan(checked, 280)
        XCTAssertEqual(errors, 23)   // method6 without trigram matches, or fewer than 3 orders, as NLTK
    }

    func testBadInputNamesTheArgument() {
        XCTAssertEqual(errorMessage(try sentenceBLEU(references: [[String]](), hypothesis: ["a"])),
                       "sentenceBLEU: references is empty; give at least one reference")
        XCTAssertTrue(errorMessage(try sentenceBLEU(references: [["a"]], hypothesis: [String]())).contains("hypothesis is empty"))
        XCTAssertTrue(errorMessage(try corpusBLEU(listOfReferences: [[["a"]]], hypotheses: [["a"], ["b"]])).contains("1 reference lists for 2 hypotheses"))
        XCTAssertTrue(errorMessage(try corpusBLEU(listOfReferences: [[["a"]], []], hypotheses: [["a"], ["b"]])).contains("listOfReferences[1] is empty"))
        XCTAssertTrue(errorMessage(try sentenceBLEU(references: [["a"]], hypothesis: ["a"], smoothing: SmoothingFunction(method: 9))).contains("0 to 7"))
    }

    func testIdenticalHypothesisScoresOne() throws {
        let s = "the cat sat on the mat".split(separator: " ").map(String.init)
        XCTAssertEqual(try sentenceBLEU(references: [s], hypothesis: s), 1, accuracy: 1e-15)
    }
}
