import Foundation
import XCTest
@testable import LabNN
import LabTensor

/// Against Hugging Face transformers (Fixtures/make_tiny_gpt2.py made the fixture).
final class PretrainedTests: XCTestCase {
    func testLogitsMatchHuggingFaceGPT2() throws {
        let model = try GPT.fromPretrained(fixtures + "/tiny-gpt2")
        XCTAssertEqual(model.config, GPTConfig(vocabSize: 50, blockSize: 16, nLayer: 2, nHead: 4, nEmbd: 32, dropout: 0,
                                               bias: true, tieWeights: true, gelu: .tanh))
        XCTAssertTrue(model.lm_head.weight === model.transformer.wte.weight)
        let expected = try SafetensorsReader(fixtures + "/tiny-gpt2-expected.safetensors")
        model.eval()
        let (logits, loss) = model(try expected.tensor("input_ids"), try expected.tensor("targets"))
        let want = try expected.tensor("logits")
        XCTAssertEqual(logits.shape, want.shape)
        let maxDiff = zip(logits.scalars, want.scalars).map { abs($0 - $1) }.max()!
        XCTAssertLessThan(maxDiff, 1e-4)
        XCTAssertEqual(loss!.item(), try expected.tensor("loss").item(), accuracy: 1e-5)
    }

    func testOneAdamWStepMatchesPyTorch() throws {
        let model = try GPT.fromPretrained(fixtures + "/tiny-gpt2")
        let after = try GPT.fromPretrained(fixtures + "/tiny-gpt2-after-adamw")
        let expected = try SafetensorsReader(fixtures + "/tiny-gpt2-expected.safetensors")
        model.train()                                   // dropout 0 in the fixture config
        let opt = AdamW(model.parameters(), lr: 1e-3, betas: (0.9, 0.999), eps: 1e-8, weightDecay: 0.01)
        let (_, loss) = model(try expected.tensor("input_ids"), try expected.tensor("targets"))
        opt.zeroGrad()
        loss!.backward()
        opt.step()
        let want = after.stateDict()
        for (name, p) in model.namedParameters() {
            let diff = zip(p.scalars, want[name]!.scalars).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(diff, 1e-5, name)
        }
    }

    func testAcceptsNamesWithoutTransformerPrefixAndRejectsBadFiles() throws {
        let dir = NSTemporaryDirectory() + "labnn-pre-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: fixtures + "/tiny-gpt2/config.json", toPath: dir + "/config.json")
        var tensors = try SafetensorsReader(fixtures + "/tiny-gpt2/model.safetensors").tensors()
        tensors = Dictionary(uniqueKeysWithValues: tensors.map { (String($0.key.dropFirst("transformer.".count)), $0.value) })
        tensors["h.0.attn.bias"] = Tensor.tril(16)                                    // an HF buffer: skipped
        try Safetensors.save(tensors, to: dir + "/model.safetensors")
        let a = try GPT.fromPretrained(dir), b = try GPT.fromPretrained(fixtures + "/tiny-gpt2")
        XCTAssertEqual(a.stateDict()["transformer.h.1.mlp.c_fc.weight"]!.scalars, b.stateDict()["transformer.h.1.mlp.c_fc.weight"]!.scalars)

        tensors["ln_f.weight"] = nil
        try Safetensors.save(tensors, to: dir + "/model.safetensors")
        XCTAssertThrowsError(try GPT.fromPretrained(dir)) { XCTAssertTrue("\($0)".contains("missing tensors [\"transformer.ln_f.weight\"]"), "\($0)") }
        XCTAssertThrowsError(try GPT.fromPretrained(dir + "/nope")) { XCTAssertTrue("\($0)".contains("nope: no such file")) }
    }
}
