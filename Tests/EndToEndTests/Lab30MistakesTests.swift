import Foundation
import XCTest

/// The typical mistakes of lab 30, planted one at a time in copies of the reference solutions and graded as a class
/// with the real `labrun grade --submissions`: each loses points, on the test written to catch it, with a failure
/// (not a crash or a compile error) whose message says what is wrong. The solutions themselves score 43/43
/// (Lab30Tests).
final class Lab30MistakesTests: XCTestCase {
    static let mistakes: [PlantedMistake] = [
        PlantedMistake(name: "mask-direction", file: "SelfAttention.swift",
                       edits: [("mask[0..<T, 0..<T] .== 0", "mask[0..<T, 0..<T].transpose(0, 1) .== 0")],
                       test: "SelfAttentionTests/testCausalMask", says: "future"),
        PlantedMistake(name: "mask-missing", file: "SelfAttention.swift",
                       edits: [("att = att.maskedFill(mask[0..<T, 0..<T] .== 0, -.infinity)", "att = att + 0")],
                       test: "SelfAttentionTests/testCausalMask", says: "future"),
        PlantedMistake(name: "softmax-axis", file: "SelfAttention.swift",
                       edits: [("softmax(att, dim: -1)", "softmax(att, dim: -2)")],
                       test: "SelfAttentionTests/testWeightsSumToOneOverTheKeys", says: "softmax over the last dimension",
                       also: [("SelfAttentionTests/testCausalMask", "the softmax runs over the wrong dimension")]),
        PlantedMistake(name: "heads-split", file: "SelfAttention.swift",
                       edits: (0..<3).map { ("qkv[\($0)].view(B, T, nHead, hs).transpose(1, 2)", "qkv[\($0)].view(B, nHead, T, hs)") },
                       test: "SelfAttentionTests/testMatchesLibraryAttention", says: "heads",
                       also: [("SelfAttentionTests/testCausalMask", "split into heads mixes positions")]),
        PlantedMistake(name: "no-scale", file: "SelfAttention.swift",
                       edits: [(" * (1 / Float(hs).squareRoot())", "")],
                       test: "SelfAttentionTests/testScoresScaledBySqrtHeadSize", says: "the scores are not scaled"),
        PlantedMistake(name: "detached-keys", file: "SelfAttention.swift",
                       edits: [("let k = qkv[1].view(", "let k = qkv[1].detach().view(")],
                       test: "SelfAttentionTests/testGradientsMatchFiniteDifferences", says: "gradient"),
        PlantedMistake(name: "no-residual", file: "TransformerBlock.swift",
                       edits: [("x = x + attn(ln_1(x))", "x = attn(ln_1(x))")],
                       test: "TransformerBlockTests/testResidualConnections", says: "residual"),
        PlantedMistake(name: "post-layernorm", file: "TransformerBlock.swift",
                       edits: [("x = x + attn(ln_1(x))", "x = ln_1(x + attn(x))"), ("x = x + mlp(ln_2(x))", "x = ln_2(x + mlp(x))")],
                       test: "TransformerBlockTests/testLayerNormBeforeEachSubLayer", says: "LayerNorm"),
        PlantedMistake(name: "targets-not-shifted", file: "Training.swift",
                       edits: [("data[($0 + 1)..<($0 + blockSize + 1)]", "data[$0..<($0 + blockSize)]")],
                       test: "TrainingTests/testGetBatchTargetsShiftedByOne", says: "shifted"),
        PlantedMistake(name: "no-zero-grad", file: "Training.swift",
                       edits: [("    optimizer.zeroGrad()\n    let (_, loss) = model(x, y)", "    let (_, loss) = model(x, y)")],
                       test: "TrainingTests/testTrainStepZeroesGradients", says: "zeroGrad"),
        PlantedMistake(name: "clip-after-step", file: "Training.swift",
                       edits: [("    if let clipNorm { clipGradNorm(model.parameters(), maxNorm: clipNorm) }\n    optimizer.step()",
                                "    optimizer.step()\n    if let clipNorm { clipGradNorm(model.parameters(), maxNorm: clipNorm) }")],
                       test: "TrainingTests/testTrainStepClipsBeforeTheUpdate", says: "before"),
        PlantedMistake(name: "no-eval", file: "Training.swift",
                       edits: [("    model.eval()\n    defer { model.train() }", "    defer { model.train() }")],
                       test: "TrainingTests/testEstimateLossEvalModeNoGrad", says: "eval()"),
    ]

    func testEachTypicalMistakeLosesPointsWithAMessageThatNamesIt() throws {
        let repo = Lab30Tests.repo
        let root = try Labrun.makeRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let subs = root + "/subs"
        try PlantedMistakes.plant(Self.mistakes, lab: "30", repo: repo, in: subs)
        // Two more: a correct block with the attention still a stub, and a TrainingHistory replaced (outside the
        // markers) by one whose == is always true, with train() returning an empty history.
        try Self.writeSubmission(subs + "/attention-stub", repo: repo) { file, text in
            file == "SelfAttention.swift" ? try String(contentsOfFile: repo + "/Labs/30/Exercises/SelfAttention.swift", encoding: .utf8) : text
        }
        try Self.writeSubmission(subs + "/always-equal-history", repo: repo) { file, text in
            guard file == "Training.swift" else { return text }
            let start = try XCTUnwrap(text.range(of: "public struct TrainingHistory {"))
            let fake = "public struct TrainingHistory: Equatable {\n    public static func == (a: Self, b: Self) -> Bool { true }\n"
                + "    public var steps = 80, losses = [Float](repeating: 0, count: 80), evalSteps = [0, 20, 40, 60, 80]\n}\n"
                + "public struct OldTrainingHistory {"
            var t = text.replacingCharacters(in: start, with: fake)
            let body = try XCTUnwrap(t.range(of: "    let blockSize = model.config.blockSize"))
            t.replaceSubrange(body, with: "    return TrainingHistory()\n    let blockSize = model.config.blockSize")
            return t
        }
        let out = try Labrun.run(["grade", "--submissions", subs, "--lab", "30", "--course", repo, "--jobs", "2",
                                  "--format", "junit", "--out", root + "/graded"], root: root, timeout: 1800)
        XCTAssertEqual(out.code, 0, out.stdout + out.stderr)
        for (m, t) in try PlantedMistakes.check(Self.mistakes, graded: root + "/graded", output: out.stdout) {
            // The hint shown before the due date never gives the answer away.
            XCTAssertFalse((t["hint"] as? String ?? "").contains("x + attn(ln_1(x))"), "\(m.name): \(t["hint"] ?? "")")
        }

        // Points follow the exercise that earned them: every test of exercise 1a is "not implemented", every other
        // test (the block's, which run with the reference attention, and the training loop's) passes.
        let stub = try Self.report(root + "/graded/attention-stub")
        for t in stub {
            let id = t["id"] as? String ?? "", status = t["status"] as? String ?? ""
            let attention = id.hasPrefix("SelfAttentionTests/") || id.hasSuffix("/testFirstPositionAttendsOnlyToItself") || id.hasSuffix("/testMatchesLibraryOtherShapes")
            XCTAssertEqual(status, attention ? "not_implemented" : "passed", "attention-stub: \(id): \(t["message"] ?? "")")
        }
        // The replaced TrainingHistory is not compiled (the course's is); train()'s empty history fails its tests.
        let history = try Self.report(root + "/graded/always-equal-history")
        for t in history {
            let id = t["id"] as? String ?? "", status = t["status"] as? String ?? ""
            let loop = id.hasSuffix("/testTrainLoopLearns") || id.hasSuffix("/testTrainStopsAtTimeBudget")
            XCTAssertEqual(status, loop ? "failed" : "passed", "always-equal-history: \(id): \(t["message"] ?? "")")
        }
        // What a student sees (feedback page, JUnit results) names no hidden test and says how much is held back.
        for name in ["attention-stub", "softmax-axis"] {
            for file in ["feedback.html", "results.xml"] {
                let text = try String(contentsOfFile: root + "/graded/\(name)/\(file)", encoding: .utf8)
                XCTAssertFalse(text.contains("Hidden") || text.contains("testFirstPositionAttendsOnlyToItself"), "\(name)/\(file) names a hidden test")
                XCTAssertFalse(text.contains("testMatchesLibraryBlock"), "\(name)/\(file) names a test shown only after the due date")
            }
            let html = try String(contentsOfFile: root + "/graded/\(name)/feedback.html", encoding: .utf8)
            XCTAssertTrue(html.contains("11 more points are checked after the due date"), "\(name): \(html.prefix(3000))")
        }
    }

    /// Copies of the solutions in `dir/Exercises`, each file through `edit(name, text)`.
    static func writeSubmission(_ dir: String, repo: String, edit: (String, String) throws -> String) throws {
        try FileManager.default.createDirectory(atPath: dir + "/Exercises", withIntermediateDirectories: true)
        for f in ["SelfAttention.swift", "TransformerBlock.swift", "Training.swift"] {
            let text = try String(contentsOfFile: repo + "/Solutions/30/" + f, encoding: .utf8)
            try edit(f, text).write(toFile: dir + "/Exercises/" + f, atomically: true, encoding: .utf8)
        }
    }

    static func report(_ dir: String) throws -> [[String: Any]] {
        let data = try XCTUnwrap(FileManager.default.contents(atPath: dir + "/report.json"), "no report in \(dir)")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try XCTUnwrap(json["tests"] as? [[String: Any]])
    }
}
