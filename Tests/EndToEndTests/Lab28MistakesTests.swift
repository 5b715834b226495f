import Foundation
import XCTest

/// The mistakes lab 28's graded tests are written to catch (issue 14), planted one at a time in copies of the
/// reference solutions and graded as a class with the real `labrun grade --submissions`: each loses points on its
/// test, with a failure (not a crash or a compile error) whose message names what is wrong.
final class Lab28MistakesTests: XCTestCase {
    func formatScore(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }

    struct Mistake {
        var name: String
        var file: String
        var edits: [(String, String)]
        /// The graded test that must fail, and words its message must contain.
        var test: String
        var says: String
    }

    static let mistakes: [Mistake] = [
        Mistake(name: "b-not-zero", file: "LoRALayer.swift",
                edits: [("let B = Tensor.zeros([outFeatures, r], requiresGrad: true)", "let B = Tensor.randn([outFeatures, r], std: 0.02, requiresGrad: true)")],
                test: "LoRATests/testBStartsAtZero", says: "zeros"),
        Mistake(name: "alpha-not-over-r", file: "LoRALayer.swift",
                edits: [("    alpha / Float(r)\n", "    alpha\n")],
                test: "LoRATests/testScalingIsAlphaOverR", says: "alpha / r"),
        Mistake(name: "dropout-on-base", file: "LoRALayer.swift",
                edits: [("let base = linear(x, weight, bias)", "let base = linear(lora_dropout(x), weight, bias)")],
                test: "LoRATests/testDropoutOnlyOnTheLoRABranch", says: "base path"),
        Mistake(name: "base-trainable", file: "LoRALayer.swift",
                edits: [("    model.freeze()                                                          // before the adapters exist\n", "")],
                test: "LoRATests/testBaseWeightsAreFrozen", says: "freeze"),
        Mistake(name: "prompt-in-loss", file: "SoftPrompt.swift",
                edits: [("let real = logits[0..., n...]", "let real = logits[0..., 0..<T]")],
                test: "SoftPromptTests/testLossIgnoresPromptPositions", says: "prompt positions"),
        Mistake(name: "reward-sign", file: "Preference.swift",
                edits: [("logSigmoid(chosen - rejected)", "logSigmoid(rejected - chosen)")],
                test: "PreferenceTests/testRewardSign", says: "chosen"),
        Mistake(name: "ratio-not-clipped", file: "PPOObjective.swift",
                edits: [("clamp(ratio, min: 1 - cliprange, max: 1 + cliprange)", "ratio")],
                test: "PPOObjectiveTests/testRatioIsClippedForAPositiveAdvantage", says: "clipped"),
        Mistake(name: "clipped-wrong-side", file: "PPOObjective.swift",
                edits: [("maskedMean(maximum(unclipped, clipped), mask)", "maskedMean(-1 * maximum(-1 * unclipped, -1 * clipped), mask)")],
                test: "PPOObjectiveTests/testNoClipOnTheOtherSide", says: "max"),
    ]

    func testEachTypicalMistakeLosesPointsWithAMessageThatNamesIt() throws {
        let repo = Lab30Tests.repo
        let root = try Labrun.makeRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let subs = root + "/subs"
        for m in Self.mistakes {
            let dir = subs + "/" + m.name + "/Exercises"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for f in ["LoRALayer.swift", "SoftPrompt.swift", "Preference.swift", "PPOObjective.swift"] {
                var text = try String(contentsOfFile: repo + "/Solutions/28/" + f, encoding: .utf8)
                if f == m.file {
                    for (old, new) in m.edits {
                        XCTAssertTrue(text.contains(old), "\(m.name): '\(old)' is no longer in Solutions/28/\(f)")
                        text = text.replacingOccurrences(of: old, with: new)
                    }
                }
                try text.write(toFile: dir + "/" + f, atomically: true, encoding: .utf8)
            }
        }
        let out = try Labrun.run(["grade", "--submissions", subs, "--lab", "28", "--course", repo, "--jobs", "2",
                                  "--out", root + "/graded"], root: root, timeout: 1200)
        XCTAssertEqual(out.code, 0, out.stdout + out.stderr)
        for m in Self.mistakes {
            let report = root + "/graded/" + m.name + "/report.json"
            guard let data = FileManager.default.contents(atPath: report),
                  let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let tests = json["tests"] as? [[String: Any]] else {
                XCTFail("\(m.name): no report at \(report)\n\(out.stdout.suffix(2000))")
                continue
            }
            let score = json["score"] as? Double ?? -1, maxScore = json["maxScore"] as? Double ?? -1
            XCTAssertLessThan(score, maxScore, "\(m.name): the mistake should cost points")
            XCTAssertTrue(tests.allSatisfy { ($0["status"] as? String) != "compile_error" }, "\(m.name): the planted mistake must compile")
            guard let t = tests.first(where: { ($0["id"] as? String) == m.test }) else {
                XCTFail("\(m.name): no test \(m.test) in the report")
                continue
            }
            let message = t["message"] as? String ?? ""
            print("\(m.name): \(formatScore(score))/\(formatScore(maxScore)), \(m.test) \(t["status"] ?? "?"): \(message.prefix(160).replacingOccurrences(of: "\n", with: " | "))")
            XCTAssertEqual(t["status"] as? String, "failed", "\(m.name): \(m.test) should fail: \(message.prefix(400))")
            XCTAssertTrue(message.localizedCaseInsensitiveContains(m.says),
                          "\(m.name): the message of \(m.test) should mention '\(m.says)': \(message.prefix(400))")
        }
    }
}
