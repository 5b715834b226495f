import Foundation
import XCTest

/// The typical mistakes of labs 25, 26, 27 and 29 (the ones their issue lists), planted one at a time in copies of
/// the reference solutions and graded as a class with the real `labrun grade --submissions`: each loses points on
/// the test written to catch it, with a failure (not a crash or a compile error) whose message names the mistake.
final class Labs25to29MistakesTests: XCTestCase {
    struct Mistake {
        var name: String
        var file: String
        var edits: [(String, String)]
        /// The graded test that must fail, and words its message must contain.
        var test: String
        var says: String
    }

    static let mistakes: [String: [Mistake]] = [
        "25": [
            Mistake(name: "cost-per-day", file: "TrainingCost.swift",
                    edits: [("let dollars = gpuDays * 24 * dollarsPerGPUHour", "let dollars = gpuDays * dollarsPerGPUHour")],
                    test: "CostTests/testPricePerHourNotPerDay", says: "per hour"),
            Mistake(name: "fit-in-linear-space", file: "LogLogFit.swift",
                    edits: [("let logN = parameters.map { log($0) }\n    let logL = losses.map { log($0) }", "let logN = parameters\n    let logL = losses")],
                    test: "ScalingLawTests/testLogOfBothAxes", says: "log-log"),
            Mistake(name: "log-of-one-axis", file: "LogLogFit.swift",
                    edits: [("let logL = losses.map { log($0) }", "let logL = losses")],
                    test: "ScalingLawTests/testLogOfBothAxes", says: "log of the losses"),
        ],
        "26": [
            Mistake(name: "examples-reversed", file: "FewShot.swift",
                    edits: [("for example in examples {", "for example in examples.reversed() {")],
                    test: "FewShotTests/testExamplesKeepTheirOrder", says: "order"),
            Mistake(name: "no-separators", file: "FewShot.swift",
                    edits: [("return parts.joined(separator: format.separator)", "return parts.joined()")],
                    test: "FewShotTests/testSeparatorsBetweenExamples", says: "separator"),
        ],
        "27": [
            Mistake(name: "adjacent-duplicates-only", file: "Cleaning.swift",
                    edits: [("for doc in documents where seen.insert(doc).inserted {", "for doc in documents where kept.last != doc && seen.count >= 0 {")],
                    test: "DeduplicateTests/testRemovesDuplicatesThatAreNotAdjacent", says: "next to each other"),
            Mistake(name: "warmup-one-step-early", file: "Schedule.swift",
                    edits: [("return Double(step) / Double(max(1, warmupSteps))", "return Double(step + 1) / Double(max(1, warmupSteps))")],
                    test: "ScheduleTests/testWarmupEndsAtThePeak", says: "one step early"),
            Mistake(name: "zero-grad-inside-loop", file: "Accumulation.swift",
                    edits: [("    optimizer.zeroGrad()\n    let n", "    let n"),
                            ("    for (x, y) in microBatches {\n", "    for (x, y) in microBatches {\n        optimizer.zeroGrad()\n")],
                    test: "AccumulationTests/testGradientEqualsOneBigBatch", says: "inside the loop"),
            Mistake(name: "loss-not-divided", file: "Accumulation.swift",
                    edits: [("let loss = model(x, y).loss! / n", "let loss = model(x, y).loss! * (n / n)")],
                    test: "AccumulationTests/testGradientEqualsOneBigBatch", says: "4 times"),
        ],
        "29": [
            Mistake(name: "mean-of-batch-perplexities", file: "Perplexity.swift",
                    edits: [("totalLoss += Double(loss) * Double(y.count)     // back to a sum\n            totalTokens += y.count",
                             "totalLoss += exp(Double(loss))\n            totalTokens += 1"),
                            ("return exp(totalLoss / Double(totalTokens))", "return totalLoss / Double(totalTokens)")],
                    test: "PerplexityTests/testTokensWeightedNotBatches", says: "mean of the per-batch perplexities"),
            Mistake(name: "precision-unclipped", file: "BLEU.swift",
                    edits: [("$0 + min($1.value, maxInReference[$1.key] ?? 0)", "$0 + ((maxInReference[$1.key] ?? 0) > 0 ? $1.value : 0)")],
                    test: "ModifiedPrecisionTests/testCountsAreClipped", says: "clip"),
            Mistake(name: "brevity-shortest-reference", file: "BLEU.swift",
                    edits: [("let r = referenceLengths.min { (abs($0 - hypothesisLength), $0) < (abs($1 - hypothesisLength), $1) }!",
                             "let r = referenceLengths.min()!")],
                    test: "BrevityPenaltyTests/testClosestReferenceLength", says: "closest"),
        ],
    ]

    func testLab25Mistakes() throws { try check("25") }
    func testLab26Mistakes() throws { try check("26") }
    func testLab27Mistakes() throws { try check("27") }
    func testLab29Mistakes() throws { try check("29") }

    func check(_ lab: String) throws {
        let repo = Lab25Tests.repo
        let root = try Labrun.makeRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let subs = root + "/subs"
        let files = try FileManager.default.contentsOfDirectory(atPath: repo + "/Solutions/" + lab).filter { $0.hasSuffix(".swift") }
        let mistakes = Self.mistakes[lab]!
        for m in mistakes {
            let dir = subs + "/" + m.name + "/Exercises"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for f in files {
                var text = try String(contentsOfFile: repo + "/Solutions/\(lab)/" + f, encoding: .utf8)
                if f == m.file {
                    for (old, new) in m.edits {
                        XCTAssertTrue(text.contains(old), "\(m.name): '\(old)' is no longer in Solutions/\(lab)/\(f)")
                        text = text.replacingOccurrences(of: old, with: new)
                    }
                }
                try text.write(toFile: dir + "/" + f, atomically: true, encoding: .utf8)
            }
        }
        let out = try Labrun.run(["grade", "--submissions", subs, "--lab", lab, "--course", repo, "--jobs", "2",
                                  "--out", root + "/graded"], root: root, timeout: 1200)
        XCTAssertEqual(out.code, 0, out.stdout + out.stderr)
        for m in mistakes {
            let report = root + "/graded/" + m.name + "/report.json"
            guard let data = FileManager.default.contents(atPath: report),
                  let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let tests = json["tests"] as? [[String: Any]] else {
                XCTFail("lab \(lab) \(m.name): no report at \(report)\n\(out.stdout.suffix(2000))")
                continue
            }
            let score = json["score"] as? Double ?? -1, maxScore = json["maxScore"] as? Double ?? -1
            XCTAssertLessThan(score, maxScore, "lab \(lab) \(m.name): the mistake should cost points")
            XCTAssertTrue(tests.allSatisfy { ($0["status"] as? String) != "compile_error" }, "lab \(lab) \(m.name): the planted mistake must compile")
            guard let t = tests.first(where: { ($0["id"] as? String) == m.test }) else {
                XCTFail("lab \(lab) \(m.name): no test \(m.test) in the report")
                continue
            }
            let message = t["message"] as? String ?? ""
            print("lab \(lab) \(m.name): \(score)/\(maxScore), \(m.test) \(t["status"] ?? "?"): \(message.prefix(160).replacingOccurrences(of: "\n", with: " | "))")
            XCTAssertEqual(t["status"] as? String, "failed", "lab \(lab) \(m.name): \(m.test) should fail: \(message.prefix(400))")
            XCTAssertTrue(message.localizedCaseInsensitiveContains(m.says),
                          "lab \(lab) \(m.name): the message of \(m.test) should mention '\(m.says)': \(message.prefix(400))")
        }
    }
}
