import Foundation
import XCTest
@testable import LabNN
import LabTensor

/// LoRA against peft 0.21.2 (Fixtures/make_finetune_fixtures.py made the fixtures; the printed lines are peft's,
/// recorded in ../shared/notes/finetuning.md §2.8), finite differences and hand-built merged weights.
final class LoRATests: XCTestCase {
    let small = GPTConfig(vocabSize: 13, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 8, dropout: 0)
    /// The notes' mini config: 65/256/4/4/128, tied head as Hugging Face GPT-2.
    let mini = GPTConfig(vocabSize: 65, blockSize: 128, nLayer: 4, nHead: 4, nEmbd: 256, dropout: 0, tieWeights: true)

    func maxDiff(_ a: Tensor, _ b: Tensor) -> Float { zip(a.scalars, b.scalars).map { abs($0 - $1) }.max()! }

    func testPeftLinesForGPT2SmallAndMini() throws {
        // Zero-filled base weights: only the counts matter and drawing 124M normals is slow.
        let a = try getPeftModel(withParameterInit(.zeros) { GPT(.gpt2Small) }, LoraConfig(r: 8, alpha: 32, targetModules: ["c_attn"]))
        XCTAssertEqual(a.trainableParametersLine(), "trainable params: 294,912 || all params: 124,734,720 || trainable%: 0.2364")
        let b = try getPeftModel(withParameterInit(.zeros) { GPT(.gpt2Small) },
                                 LoraConfig(r: 8, alpha: 32, targetModules: ["c_attn", "c_proj"]))
        XCTAssertEqual(b.trainableParametersLine(), "trainable params: 811,008 || all params: 125,250,816 || trainable%: 0.6475")
        let c = try getPeftModel(withParameterInit(.zeros) { GPT(.gpt2Small) }, LoraConfig(r: 8, alpha: 32, targetModules: .allLinear))
        XCTAssertEqual(c.trainableParametersLine(), "trainable params: 1,179,648 || all params: 125,619,456 || trainable%: 0.9391")
        XCTAssertEqual(c.wrapped.count, 48)                                      // c_attn, c_proj, c_fc, c_proj; no lm_head
        let d = try getPeftModel(GPT(mini), LoraConfig(r: 8, alpha: 32, targetModules: ["c_attn"]))
        XCTAssertEqual(d.trainableParametersLine(), "trainable params: 32,768 || all params: 3,241,728 || trainable%: 1.0108")
        // The slide's q_proj/v_proj as slices of c_attn: the same count as peft's fused c_attn (r(C+3C) = 2r(C+C)).
        let e = try getPeftModel(GPT(mini), LoraConfig(r: 8, alpha: 32, targetModules: ["q_proj", "v_proj"]))
        XCTAssertEqual(e.trainableParametersLine(), "trainable params: 32,768 || all params: 3,241,728 || trainable%: 1.0108")
        let table = e.wrappedModulesTable()
        XCTAssertTrue(table.contains("transformer.h.3.attn.c_attn  q_proj  0..<256"), table)
        XCTAssertTrue(table.contains("transformer.h.3.attn.c_attn  v_proj  512..<768"), table)
        XCTAssertFalse(table.contains("k_proj"), table)
    }

    func testInitScalingAndFreezing() throws {
        manualSeed(1)
        let peft = try getPeftModel(GPT(mini), LoraConfig(r: 8, alpha: 32, targetModules: ["c_attn"]))
        let lora = peft.model.transformer.h.compactMap { ($0 as? Block)?.attn.c_attn.lora }
        XCTAssertEqual(lora.count, 4)
        XCTAssertEqual(lora[0].scaling, 4)                                       // alpha / r
        XCTAssertEqual(LoraConfig(r: 8, alpha: 32, useRslora: true).scaling, 11.3137, accuracy: 1e-4)   // alpha / √r
        let a = lora[0].pairs[0].pair.lora_A.weight.scalars, b = lora[0].pairs[0].pair.lora_B.weight
        XCTAssertEqual(lora[0].pairs[0].pair.lora_A.weight.shape, [8, 256])
        XCTAssertEqual(b.shape, [768, 8])
        XCTAssertTrue(b.scalars.allSatisfy { $0 == 0 })
        let bound = 1 / Float(256).squareRoot()                                  // kaiming_uniform_(a=√5): U(±1/√in)
        XCTAssertLessThanOrEqual(a.map(abs).max()!, bound)
        XCTAssertGreaterThan(a.map(abs).max()!, 0.95 * bound)
        let std = (a.map { $0 * $0 }.reduce(0, +) / Float(a.count)).squareRoot()
        XCTAssertEqual(std, bound / Float(3).squareRoot(), accuracy: 0.05 * bound)
        let trainable = peft.namedParameters().filter { $0.parameter.requiresGrad }.map(\.name)
        XCTAssertEqual(trainable.count, 8)
        XCTAssertTrue(trainable.allSatisfy { $0.hasSuffix("lora_A.weight") || $0.hasSuffix("lora_B.weight") }, "\(trainable)")
        XCTAssertEqual(trainable.first, "model.transformer.h.0.attn.c_attn.lora_A.weight")

        // Step 0: B = 0 so dL/dA = 0, only B gets a gradient; base weights get none.
        let x = Tensor(ints: (0..<20).map { $0 % 65 }, shape: [2, 10])
        let (_, loss) = peft(x, Tensor(ints: (0..<20).map { ($0 * 7) % 65 }, shape: [2, 10]))
        loss!.backward()
        let pair = lora[0].pairs[0].pair
        XCTAssertTrue(pair.lora_A.weight.grad!.scalars.allSatisfy { $0 == 0 })
        XCTAssertGreaterThan(pair.lora_B.weight.grad!.scalars.map(abs).max()!, 0)
        XCTAssertNil(peft.model.transformer.wte.weight.grad)
        XCTAssertNil((peft.model.transformer.h[0] as! Block).attn.c_attn.weight.grad)
    }

    func testZeroBIsExactlyTheBaseModelInTrainModeWithLoraDropout() throws {
        manualSeed(2)
        let model = GPT(small)
        let x = Tensor(ints: (0..<16).map { ($0 * 5) % 13 }, shape: [2, 8])
        model.train()
        let base = model(x)
        let peft = try getPeftModel(model, LoraConfig(r: 4, alpha: 8, targetModules: .allLinear, dropout: 0.5))
        peft.train()
        XCTAssertTrue(peft.model.training && (peft.model.transformer.h[0] as! Block).attn.c_attn.lora!.lora_dropout.training)
        let out = peft(x)
        XCTAssertEqual(out.scalars, base.scalars)            // bit for bit: dropout only feeds the zero branch
    }

    /// Finite differences through the adapter (random B, q and v slices, LoRA dropout off) for A, B and the input.
    func testGradientsThroughLoraMatchFiniteDifferences() throws {
        manualSeed(3)
        let model = GPT(small)
        let peft = try getPeftModel(model, LoraConfig(r: 2, alpha: 3, targetModules: ["q_proj", "v_proj", "mlp.c_fc"],
                                                      initLoraWeights: false))
        let x = Tensor.randn([2, 5, 8], requiresGrad: true)
        let r = Tensor.randn([2, 5, 13])
        func loss() -> Tensor { (peft.model.forward(inputsEmbeds: x, targets: nil).logits * r).sum() }
        loss().backward()
        let sd = peft.model.stateDict()
        func check(_ name: String, _ t: Tensor, _ indices: [Int]) {
            let analytic = t.grad!.scalars
            for i in indices {
                let h: Float = 1e-2
                let orig = t.withUnsafeFloats { p, _ in p[i] }
                t.withUnsafeMutableFloats { p, _ in p[i] = orig + h }
                let up = noGrad { Double(loss().item()) }
                t.withUnsafeMutableFloats { p, _ in p[i] = orig - h }
                let down = noGrad { Double(loss().item()) }
                t.withUnsafeMutableFloats { p, _ in p[i] = orig }
                let numeric = (up - down) / Double(2 * h)
                XCTAssertEqual(Double(analytic[i]), numeric, accuracy: 3e-3 + 2e-2 * abs(numeric), "\(name)[\(i)]")
            }
        }
        check("x", x, [0, 7, 33, 79])
        for name in ["transformer.h.0.attn.c_attn.q_proj.lora_A.weight", "transformer.h.0.attn.c_attn.q_proj.lora_B.weight",
                     "transformer.h.1.attn.c_attn.v_proj.lora_A.weight", "transformer.h.1.attn.c_attn.v_proj.lora_B.weight",
                     "transformer.h.0.mlp.c_fc.lora_A.weight", "transformer.h.0.mlp.c_fc.lora_B.weight"] {
            let t = try XCTUnwrap(sd[name], name)
            check(name, t, [0, t.count / 2, t.count - 1])
        }
        XCTAssertNil(sd["transformer.h.0.attn.c_attn.k_proj.lora_A.weight"])
    }

    func testSliceAdaptersUpdateOnlyTheirRows() throws {
        manualSeed(4)
        let model = GPT(small)
        let layer = (model.transformer.h[0] as! Block).attn.c_attn
        let w0 = layer.weight.scalars
        let peft = try getPeftModel(model, LoraConfig(r: 2, alpha: 4, targetModules: ["q_proj", "v_proj"], initLoraWeights: false))
        let lora = try XCTUnwrap(layer.lora)
        let x = Tensor.randn([3, 8])
        // Forward = x (W + ΔW)ᵀ + b with ΔW built by hand: s·B_q A_q in rows 0..<8, 0 in 8..<16, s·B_v A_v in 16..<24.
        var dW = [Float](repeating: 0, count: 24 * 8)
        for (name, p) in lora.pairs {
            let a = p.lora_A.weight.scalars, b = p.lora_B.weight.scalars     // (2, 8), (8, 2)
            let offset = name == "q_proj" ? 0 : 16
            for i in 0..<8 { for j in 0..<8 { dW[(offset + i) * 8 + j] = 2 * (b[i * 2] * a[j] + b[i * 2 + 1] * a[8 + j]) } }
        }
        let want = linear(x, Tensor(zip(w0, dW).map { $0 + $1 }, shape: [24, 8]), layer.bias)
        XCTAssertLessThan(maxDiff(layer(x), want), 1e-5)
        peft.merge()
        let merged = layer.weight.scalars
        XCTAssertEqual(Array(merged[64..<128]), Array(w0[64..<128]))          // the k rows are untouched
        XCTAssertLessThan(zip(merged, zip(w0, dW).map { $0 + $1 }).map { abs($0 - $1) }.max()!, 1e-6)
        peft.unmerge()
        XCTAssertLessThan(zip(layer.weight.scalars, w0).map { abs($0 - $1) }.max()!, 1e-6)
    }

    func testMergeUnmergeAndMergeAndUnload() throws {
        manualSeed(5)
        let model = GPT(small)
        model.eval()
        let peft = try getPeftModel(model, LoraConfig(r: 4, alpha: 8, targetModules: ["c_attn", "c_proj"], dropout: 0.1,
                                                      initLoraWeights: false))
        peft.eval()
        let x = Tensor(ints: (0..<16).map { ($0 * 3) % 13 }, shape: [2, 8])
        let before = peft(x)
        let w0 = (model.transformer.h[1] as! Block).mlp.c_proj.weight.scalars
        peft.merge()
        XCTAssertLessThan(maxDiff(peft(x), before), 1e-5)
        XCTAssertGreaterThan(zip((model.transformer.h[1] as! Block).mlp.c_proj.weight.scalars, w0).map { abs($0 - $1) }.max()!, 1e-3)
        peft.unmerge()
        XCTAssertLessThan(zip((model.transformer.h[1] as! Block).mlp.c_proj.weight.scalars, w0).map { abs($0 - $1) }.max()!, 1e-6)
        XCTAssertLessThan(maxDiff(peft(x), before), 1e-5)
        let plain = peft.mergeAndUnload()
        XCTAssertFalse(plain.namedParameters().contains { $0.name.contains("lora") })
        XCTAssertEqual(plain.parameterCount, GPT(small).parameterCount)
        XCTAssertLessThan(maxDiff(plain(x), before), 1e-5)
    }

    func testUnknownTargetListsTheCandidates() {
        XCTAssertThrowsError(try getPeftModel(GPT(small), LoraConfig(targetModules: ["query_key_value"]))) { error in
            let m = "\(error)"
            for name in ["query_key_value", "c_attn", "c_proj", "c_fc", "q_proj", "k_proj", "v_proj"] {
                XCTAssertTrue(m.contains(name), m)
            }
        }
        XCTAssertThrowsError(try getPeftModel(GPT(small), LoraConfig(targetModules: ["c_attn", "q_proj"])))
        let model = GPT(small)
        XCTAssertNoThrow(try getPeftModel(model, LoraConfig(targetModules: ["c_attn"])))
        XCTAssertThrowsError(try getPeftModel(model, LoraConfig(targetModules: ["c_attn"])))   // already wrapped
    }

    /// peft's own adapter (random B) loads here and gives peft's logits, unmerged and merged.
    func testPeftAdapterLoadsAndMatchesPeftLogits() throws {
        let base = try GPT.fromPretrained(fixtures + "/tiny-gpt2")
        let peft = try PeftModel.fromPretrained(base, fixtures + "/peft-lora-tiny")
        XCTAssertEqual(peft.config, LoraConfig(r: 4, alpha: 8, targetModules: ["c_attn"], dropout: 0))
        XCTAssertEqual(peft.trainableParametersLine(), "trainable params: 1,024 || all params: 28,608 || trainable%: 3.5794")
        let expected = try SafetensorsReader(fixtures + "/peft-lora-tiny-expected.safetensors")
        let ids = try SafetensorsReader(fixtures + "/tiny-gpt2-expected.safetensors").tensor("input_ids")
        peft.eval()
        XCTAssertLessThan(maxDiff(peft(ids), try expected.tensor("logits")), 1e-4)
        let merged = peft.mergeAndUnload()
        XCTAssertLessThan(maxDiff(merged(ids), try expected.tensor("merged_logits")), 1e-4)
        // peft merges into the Conv1D weight [in, out]; ours is the Linear [out, in]: the transpose.
        let want = try expected.tensor("merged_c_attn_0")                      // (32, 96)
        XCTAssertLessThan(maxDiff((merged.transformer.h[0] as! Block).attn.c_attn.weight, want.T), 1e-6)
    }

    func testAdapterFilesRoundTripWithPeftNames() throws {
        manualSeed(6)
        let dir = NSTemporaryDirectory() + "lora-roundtrip-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let base = try GPT.fromPretrained(fixtures + "/tiny-gpt2")
        let peft = try getPeftModel(base, LoraConfig(r: 4, alpha: 8, targetModules: ["c_attn"], initLoraWeights: false))
        try peft.savePretrained(dir)
        let ours = try SafetensorsReader(dir + "/adapter_model.safetensors")
        let theirs = try SafetensorsReader(fixtures + "/peft-lora-tiny/adapter_model.safetensors")
        XCTAssertEqual(ours.names.sorted(), theirs.names.sorted())               // peft's key names
        for n in ours.names { XCTAssertEqual(ours.entries[n]!.shape, theirs.entries[n]!.shape, n) }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/adapter_config.json"))) as! [String: Any]
        XCTAssertEqual(json["peft_type"] as? String, "LORA")
        XCTAssertEqual(json["target_modules"] as? [String], ["c_attn"])
        XCTAssertEqual(json["fan_in_fan_out"] as? Bool, true)
        let ids = Tensor(ints: (0..<12).map { ($0 * 7) % 50 }, shape: [2, 6])
        peft.eval()
        let want = peft(ids)
        if let export = ProcessInfo.processInfo.environment["LORA_EXPORT_DIR"] {
            // For the one-off check that peft loads our adapter (Fixtures/check_swift_adapter_in_peft.py).
            try peft.savePretrained(export)
            try Safetensors.save(["input_ids": ids, "logits": want], to: export + "/swift-logits.safetensors")
        }
        let loaded = try PeftModel.fromPretrained(try GPT.fromPretrained(fixtures + "/tiny-gpt2"), dir)
        loaded.eval()
        XCTAssertEqual(loaded(ids).scalars, want.scalars)
        // q/v slices round-trip too (under labrun's slice names).
        let qv = try getPeftModel(GPT(small), LoraConfig(r: 2, alpha: 4, targetModules: ["q_proj", "v_proj"], initLoraWeights: false))
        try qv.savePretrained(dir + "/qv")
        let copy = try PeftModel.fromPretrained(GPT(small), dir + "/qv")
        XCTAssertEqual(copy.adapterStateDict().mapValues(\.scalars), qv.adapterStateDict().mapValues(\.scalars))
        XCTAssertNotNil(copy.adapterStateDict()["base_model.model.transformer.h.0.attn.c_attn.q_proj.lora_B.weight"])
    }

    /// q/v slices written as a rank-2r c_attn adapter (what peft can load on GPT-2) give the same logits.
    func testQVSlicesExportAsAnExactCAttnAdapter() throws {
        manualSeed(8)
        let dir = ProcessInfo.processInfo.environment["LORA_EXPORT_QV_DIR"] ?? NSTemporaryDirectory() + "lora-qv-\(getpid())"
        defer { if ProcessInfo.processInfo.environment["LORA_EXPORT_QV_DIR"] == nil { try? FileManager.default.removeItem(atPath: dir) } }
        let qv = try getPeftModel(try GPT.fromPretrained(fixtures + "/tiny-gpt2"),
                                  LoraConfig(r: 2, alpha: 4, targetModules: ["q_proj", "v_proj"], initLoraWeights: false))
        try qv.savePeftCompatible(dir)
        let fused = try PeftModel.fromPretrained(try GPT.fromPretrained(fixtures + "/tiny-gpt2"), dir)
        XCTAssertEqual(fused.config, LoraConfig(r: 4, alpha: 8, targetModules: ["c_attn"]))
        XCTAssertEqual(fused.trainableParameterCounts().trainable, 2 * qv.trainableParameterCounts().trainable)   // zeros included
        let ids = Tensor(ints: (0..<12).map { ($0 * 5) % 50 }, shape: [2, 6])
        qv.eval(); fused.eval()
        let want = qv(ids)
        XCTAssertLessThan(maxDiff(fused(ids), want), 1e-5)
        try Safetensors.save(["input_ids": ids, "logits": want], to: dir + "/swift-logits.safetensors")
    }
}
