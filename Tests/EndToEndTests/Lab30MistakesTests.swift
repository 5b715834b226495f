import Foundation
import XCTest

/// The typical mistakes of lab 30, planted one at a time in copies of the reference solutions and graded as a class
/// with the real `labrun grade --submissions`: each loses points, on the test written to catch it, with a failure
/// (not a crash or a compile error) whose message says what is wrong. The solutions themselves score 43/43
/// (Lab30Tests).
final class Lab30MistakesTests: XCTestCase {
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
        Mistake(name: "mask-direction", file: "SelfAttention.swift",
                edits: [("mask[0..<T, 0..<T] .== 0", "mask[0..<T, 0..<T].transpose(0, 1) .== 0")],
                test: "SelfAttentionTests/testCausalMask", says: "future"),
        Mistake(name: "mask-missing", file: "SelfAttention.swift",
                edits: [("att = att.maskedFill(mask[0..<T, 0..<T] .== 0, -.infinity)", "att = att + 0")],
                test: "SelfAttentionTests/testCausalMask", says: "future"),
        Mistake(name: "softmax-axis", file: "SelfAttention.swift",
                edits: [("softmax(att, dim: -1)", "softmax(att, dim: -2)")],
                test: "SelfAttentionTests/testMatchesLibraryAttention", says: "softmax"),
        Mistake(name: "heads-split", file: "SelfAttention.swift",
                edits: (0..<3).map { ("qkv[\($0)].view(B, T, nHead, hs).transpose(1, 2)", "qkv[\($0)].view(B, nHead, T, hs)") },
                test: "SelfAttentionTests/testMatchesLibraryAttention", says: "heads"),
        Mistake(name: "no-scale", file: "SelfAttention.swift",
                edits: [(" * (1 / Float(hs).squareRoot())", "")],
                test: "SelfAttentionTests/testMatchesLibraryAttention", says: "scale"),
        Mistake(name: "detached-keys", file: "SelfAttention.swift",
                edits: [("let k = qkv[1].view(", "let k = qkv[1].detach().view(")],
                test: "SelfAttentionTests/testGradientsMatchFiniteDifferences", says: "gradient"),
        Mistake(name: "no-residual", file: "TransformerBlock.swift",
                edits: [("x = x + attn(ln_1(x))", "x = attn(ln_1(x))")],
                test: "TransformerBlockTests/testResidualConnections", says: "residual"),
        Mistake(name: "post-layernorm", file: "TransformerBlock.swift",
                edits: [("x = x + attn(ln_1(x))", "x = ln_1(x + attn(x))"), ("x = x + mlp(ln_2(x))", "x = ln_2(x + mlp(x))")],
                test: "TransformerBlockTests/testLayerNormBeforeEachSubLayer", says: "LayerNorm"),
        Mistake(name: "targets-not-shifted", file: "Training.swift",
                edits: [("data[($0 + 1)..<($0 + blockSize + 1)]", "data[$0..<($0 + blockSize)]")],
                test: "TrainingTests/testGetBatchTargetsShiftedByOne", says: "shifted"),
        Mistake(name: "no-zero-grad", file: "Training.swift",
                edits: [("    optimizer.zeroGrad()\n    let (_, loss) = model(x, y)", "    let (_, loss) = model(x, y)")],
                test: "TrainingTests/testTrainStepZeroesGradients", says: "zeroGrad"),
        Mistake(name: "clip-after-step", file: "Training.swift",
                edits: [("    if let clipNorm { clipGradNorm(model.parameters(), maxNorm: clipNorm) }\n    optimizer.step()",
                         "    optimizer.step()\n    if let clipNorm { clipGradNorm(model.parameters(), maxNorm: clipNorm) }")],
                test: "TrainingTests/testTrainStepClipsBeforeTheUpdate", says: "before"),
        Mistake(name: "no-eval", file: "Training.swift",
                edits: [("    model.eval()\n    defer { model.train() }", "    defer { model.train() }")],
                test: "TrainingTests/testEstimateLossEvalModeNoGrad", says: "eval()"),
    ]

    func testEachTypicalMistakeLosesPointsWithAMessageThatNamesIt() throws {
        let repo = Lab30Tests.repo
        let root = try Labrun.makeRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let subs = root + "/subs"
        for m in Self.mistakes {
            let dir = subs + "/" + m.name + "/Exercises"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for f in ["SelfAttention.swift", "TransformerBlock.swift", "Training.swift"] {
                var text = try String(contentsOfFile: repo + "/Solutions/30/" + f, encoding: .utf8)
                if f == m.file {
                    for (old, new) in m.edits {
                        XCTAssertTrue(text.contains(old), "\(m.name): '\(old)' is no longer in Solutions/30/\(f)")
                        text = text.replacingOccurrences(of: old, with: new)
                    }
                }
                try text.write(toFile: dir + "/" + f, atomically: true, encoding: .utf8)
            }
        }
        let out = try Labrun.run(["grade", "--submissions", subs, "--lab", "30", "--course", repo, "--jobs", "2",
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
