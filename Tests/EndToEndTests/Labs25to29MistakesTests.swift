import Foundation
import XCTest

/// The typical mistakes of labs 25, 26, 27 and 29 (the ones their issue lists), planted one at a time in copies of
/// the reference solutions and graded as a class with the real `labrun grade --submissions`: each loses points on
/// the test written to catch it, with a failure (not a crash or a compile error) whose message names the mistake.
final class Labs25to29MistakesTests: XCTestCase {
    static let mistakes: [String: [PlantedMistake]] = [
        "25": [
            PlantedMistake(name: "cost-per-day", file: "TrainingCost.swift",
                           edits: [("let dollars = gpuDays * 24 * dollarsPerGPUHour", "let dollars = gpuDays * dollarsPerGPUHour")],
                           test: "CostTests/testPricePerHourNotPerDay", says: "per hour"),
            PlantedMistake(name: "fit-in-linear-space", file: "LogLogFit.swift",
                           edits: [("let logN = parameters.map { log($0) }\n    let logL = losses.map { log($0) }", "let logN = parameters\n    let logL = losses")],
                           test: "ScalingLawTests/testLogOfBothAxes", says: "log-log"),
            PlantedMistake(name: "log-of-one-axis", file: "LogLogFit.swift",
                           edits: [("let logL = losses.map { log($0) }", "let logL = losses")],
                           test: "ScalingLawTests/testLogOfBothAxes", says: "log of the losses"),
        ],
        "26": [
            PlantedMistake(name: "examples-reversed", file: "FewShot.swift",
                           edits: [("for example in examples {", "for example in examples.reversed() {")],
                           test: "FewShotTests/testExamplesKeepTheirOrder", says: "order"),
            PlantedMistake(name: "no-separators", file: "FewShot.swift",
                           edits: [("return parts.joined(separator: format.separator)", "return parts.joined()")],
                           test: "FewShotTests/testSeparatorsBetweenExamples", says: "separator"),
        ],
        "27": [
            PlantedMistake(name: "adjacent-duplicates-only", file: "Cleaning.swift",
                           edits: [("for doc in documents where seen.insert(doc).inserted {", "for doc in documents where kept.last != doc && seen.count >= 0 {")],
                           test: "DeduplicateTests/testRemovesDuplicatesThatAreNotAdjacent", says: "next to each other"),
            PlantedMistake(name: "warmup-one-step-early", file: "Schedule.swift",
                           edits: [("return Double(step) / Double(max(1, warmupSteps))", "return Double(step + 1) / Double(max(1, warmupSteps))")],
                           test: "ScheduleTests/testWarmupEndsAtThePeak", says: "one step early"),
            PlantedMistake(name: "zero-grad-inside-loop", file: "Accumulation.swift",
                           edits: [("    optimizer.zeroGrad()\n    let n", "    let n"),
                                   ("    for (x, y) in microBatches {\n", "    for (x, y) in microBatches {\n        optimizer.zeroGrad()\n")],
                           test: "AccumulationTests/testGradientEqualsOneBigBatch", says: "inside the loop"),
            PlantedMistake(name: "loss-not-divided", file: "Accumulation.swift",
                           edits: [("let loss = model(x, y).loss! / n", "let loss = model(x, y).loss! * (n / n)")],
                           test: "AccumulationTests/testGradientEqualsOneBigBatch", says: "4 times"),
        ],
        "29": [
            PlantedMistake(name: "mean-of-batch-perplexities", file: "Perplexity.swift",
                           edits: [("totalLoss += Double(loss) * Double(y.count)     // back to a sum\n            totalTokens += y.count",
                                    "totalLoss += exp(Double(loss))\n            totalTokens += 1"),
                                   ("return exp(totalLoss / Double(totalTokens))", "return totalLoss / Double(totalTokens)")],
                           test: "PerplexityTests/testTokensWeightedNotBatches", says: "mean of the per-batch perplexities"),
            PlantedMistake(name: "precision-unclipped", file: "BLEU.swift",
                           edits: [("$0 + min($1.value, maxInReference[$1.key] ?? 0)", "$0 + ((maxInReference[$1.key] ?? 0) > 0 ? $1.value : 0)")],
                           test: "ModifiedPrecisionTests/testCountsAreClipped", says: "clip"),
            PlantedMistake(name: "brevity-shortest-reference", file: "BLEU.swift",
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
        let mistakes = Self.mistakes[lab]!
        try PlantedMistakes.plant(mistakes, lab: lab, repo: repo, in: subs)
        let out = try Labrun.run(["grade", "--submissions", subs, "--lab", lab, "--course", repo, "--jobs", "2",
                                  "--out", root + "/graded"], root: root, timeout: 1200)
        XCTAssertEqual(out.code, 0, out.stdout + out.stderr)
        try PlantedMistakes.check(mistakes, graded: root + "/graded", output: out.stdout, label: "lab \(lab) ")
    }
}
