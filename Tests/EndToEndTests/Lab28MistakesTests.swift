import Foundation
import XCTest

/// The mistakes lab 28's graded tests are written to catch (issue 14), planted one at a time in copies of the
/// reference solutions and graded as a class with the real `labrun grade --submissions`: each loses points on its
/// test, with a failure (not a crash or a compile error) whose message names what is wrong.
final class Lab28MistakesTests: XCTestCase {
    static let mistakes: [PlantedMistake] = [
        PlantedMistake(name: "b-not-zero", file: "LoRALayer.swift",
                       edits: [("let B = Tensor.zeros([outFeatures, r], requiresGrad: true)", "let B = Tensor.randn([outFeatures, r], std: 0.02, requiresGrad: true)")],
                       test: "LoRATests/testBStartsAtZero", says: "zeros"),
        PlantedMistake(name: "alpha-not-over-r", file: "LoRALayer.swift",
                       edits: [("    alpha / Float(r)\n", "    alpha\n")],
                       test: "LoRATests/testScalingIsAlphaOverR", says: "alpha / r"),
        PlantedMistake(name: "dropout-on-base", file: "LoRALayer.swift",
                       edits: [("let base = linear(x, weight, bias)", "let base = linear(lora_dropout(x), weight, bias)")],
                       test: "LoRATests/testDropoutOnlyOnTheLoRABranch", says: "base path"),
        PlantedMistake(name: "base-trainable", file: "LoRALayer.swift",
                       edits: [("    model.freeze()                                                          // before the adapters exist\n", "")],
                       test: "LoRATests/testBaseWeightsAreFrozen", says: "freeze"),
        PlantedMistake(name: "prompt-in-loss", file: "SoftPrompt.swift",
                       edits: [("let real = logits[0..., n...]", "let real = logits[0..., 0..<T]")],
                       test: "SoftPromptTests/testLossIgnoresPromptPositions", says: "prompt positions"),
        PlantedMistake(name: "reward-sign", file: "Preference.swift",
                       edits: [("logSigmoid(chosen - rejected)", "logSigmoid(rejected - chosen)")],
                       test: "PreferenceTests/testRewardSign", says: "chosen"),
        PlantedMistake(name: "ratio-not-clipped", file: "PPOObjective.swift",
                       edits: [("clamp(ratio, min: 1 - cliprange, max: 1 + cliprange)", "ratio")],
                       test: "PPOObjectiveTests/testRatioIsClippedForAPositiveAdvantage", says: "clipped"),
        PlantedMistake(name: "clipped-wrong-side", file: "PPOObjective.swift",
                       edits: [("maskedMean(maximum(unclipped, clipped), mask)", "maskedMean(-1 * maximum(-1 * unclipped, -1 * clipped), mask)")],
                       test: "PPOObjectiveTests/testNoClipOnTheOtherSide", says: "max"),
    ]

    func testEachTypicalMistakeLosesPointsWithAMessageThatNamesIt() throws {
        let repo = Lab30Tests.repo
        let root = try Labrun.makeRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let subs = root + "/subs"
        try PlantedMistakes.plant(Self.mistakes, lab: "28", repo: repo, in: subs)
        let out = try Labrun.run(["grade", "--submissions", subs, "--lab", "28", "--course", repo, "--jobs", "2",
                                  "--out", root + "/graded"], root: root, timeout: 1200)
        XCTAssertEqual(out.code, 0, out.stdout + out.stderr)
        try PlantedMistakes.check(Self.mistakes, graded: root + "/graded", output: out.stdout)
    }
}
