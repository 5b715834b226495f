import XCTest
@testable import LabNN
import LabTensor

final class ModuleTests: XCTestCase {
    let tiny = GPTConfig(vocabSize: 11, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 6, dropout: 0.1)

    func testGPTParameterNamesMatchNanoGPT() {
        let model = GPT(tiny)
        let names = model.namedParameters().map(\.name)
        XCTAssertEqual(Array(names.prefix(2)), ["transformer.wte.weight", "transformer.wpe.weight"])
        XCTAssertEqual(Array(names[2..<14]), [
            "transformer.h.0.ln_1.weight", "transformer.h.0.ln_1.bias",
            "transformer.h.0.attn.c_attn.weight", "transformer.h.0.attn.c_attn.bias",
            "transformer.h.0.attn.c_proj.weight", "transformer.h.0.attn.c_proj.bias",
            "transformer.h.0.ln_2.weight", "transformer.h.0.ln_2.bias",
            "transformer.h.0.mlp.c_fc.weight", "transformer.h.0.mlp.c_fc.bias",
            "transformer.h.0.mlp.c_proj.weight", "transformer.h.0.mlp.c_proj.bias"])
        XCTAssertEqual(Array(names.suffix(3)), ["transformer.ln_f.weight", "transformer.ln_f.bias", "lm_head.weight"])
        XCTAssertEqual(names.count, 2 + 12 * 2 + 3)
        XCTAssertEqual(model.stateDict()["transformer.h.1.attn.c_attn.weight"]!.shape, [18, 6])   // (3C, C): [out, in]
        XCTAssertEqual(model.stateDict()["lm_head.weight"]!.shape, [11, 6])
    }

    func testParameterCountOfLabModel() {
        // 65·256 + 128·256 + 4·(2·512 + 256·768+768 + 256·256+256 + 256·1024+1024 + 1024·256+256) + 512 + 65·256
        XCTAssertEqual(GPT(.miniShakespeare(vocabSize: 65)).parameterCount, 3_225_600)
    }

    func testGPT2SmallParameterCounts() {
        // Zero-filled instead of random weights: the counts are the point here, and drawing 287M normals takes ~30 s.
        // (Benchmarks/TrainBench `--gpt2-small` builds it with the real init and reports peak RSS.)
        var config = GPTConfig.gpt2Small
        XCTAssertEqual(withParameterInit(.zeros) { GPT(config) }.parameterCount, 124_439_808)   // tied, as the slide says
        config.tieWeights = false
        XCTAssertEqual(withParameterInit(.zeros) { GPT(config) }.parameterCount, 163_037_184)
    }

    func testTiedWeightsAreOneTensorListedOnce() {
        var config = tiny
        config.tieWeights = true
        let model = GPT(config)
        XCTAssertTrue(model.lm_head.weight === model.transformer.wte.weight)
        XCTAssertFalse(model.namedParameters().map(\.name).contains("lm_head.weight"))
        XCTAssertNotNil(model.stateDict()["lm_head.weight"])           // PyTorch's state_dict keeps both names
        XCTAssertEqual(model.parameterCount, GPT(tiny).parameterCount - 11 * 6)
    }

    func testNanoGPTInitStatistics() {
        manualSeed(0)
        let model = GPT(GPTConfig(vocabSize: 64, blockSize: 64, nLayer: 8, nHead: 4, nEmbd: 128))
        func std(_ t: Tensor) -> Double {
            let v = t.scalars.map(Double.init)
            let m = v.reduce(0, +) / Double(v.count)
            return (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count)).squareRoot()
        }
        let sd = model.stateDict()
        XCTAssertEqual(std(sd["transformer.h.0.attn.c_attn.weight"]!), 0.02, accuracy: 0.0005)
        XCTAssertEqual(std(sd["transformer.h.3.mlp.c_proj.weight"]!), 0.02 / 4, accuracy: 0.0002)   // 0.02/√(2·8)
        XCTAssertEqual(std(sd["transformer.wte.weight"]!), 0.02, accuracy: 0.001)
        XCTAssertEqual(sd["transformer.h.0.mlp.c_fc.bias"]!.scalars, [Float](repeating: 0, count: 512))
        XCTAssertEqual(sd["transformer.h.0.ln_1.weight"]!.scalars, [Float](repeating: 1, count: 128))
    }

    func testTrainEvalIsRecursive() {
        let model = GPT(tiny)
        model.eval()
        XCTAssertTrue(model.namedModules().allSatisfy { !$0.module.training })
        model.train()
        XCTAssertTrue(model.namedModules().allSatisfy { $0.module.training })
        XCTAssertTrue((model.transformer.h[1] as! Block).mlp.dropout.training)
    }

    func testSequentialBuilderNamesLikePyTorch() {
        let useNorm = true
        let seq = Sequential {
            Linear(4, 8)
            GELU()
            if useNorm { LayerNorm(8) }
            Linear(8, 2, bias: false)
        }
        XCTAssertEqual(seq.namedParameters().map(\.name), ["0.weight", "0.bias", "2.weight", "2.bias", "3.weight"])
        XCTAssertEqual(seq(Tensor.randn([3, 4])).shape, [3, 2])
        let mlp = Sequential { Linear(256, 1024); GELU(); Linear(1024, 256) }      // the one-liner
        XCTAssertEqual(mlp.parameterCount, 256 * 1024 + 1024 + 1024 * 256 + 256)
        XCTAssertEqual(mlp(Tensor.randn([2, 5, 256])).shape, [2, 5, 256])
    }

    final class WithBuffer: Module {
        var proj = Linear(3, 3)
        var scales: [Tensor] = [Tensor.ones([3], requiresGrad: true), Tensor.ones([2], requiresGrad: true)]
        var extra: Linear? = nil
        @Buffer var mask = Tensor.tril(3)
        let name = "not a parameter"
        override func forward(_ x: Tensor) -> Tensor { proj(x) * scales[0] }
    }

    func testReflectionRecognisesArraysOptionalsAndBuffers() {
        let m = WithBuffer()
        // A module's own parameters come before its submodules' (PyTorch's named_parameters order).
        XCTAssertEqual(m.namedParameters().map(\.name), ["scales.0", "scales.1", "proj.weight", "proj.bias"])
        m.extra = Linear(3, 1, bias: false)           // a later assignment is seen (no stale cache)
        XCTAssertEqual(m.namedParameters().map(\.name).last, "extra.weight")
        XCTAssertEqual(m.parameterCount, 20)          // 9 + 3 + 3 + 2 + 3
        XCTAssertEqual(m.mask.shape, [3, 3])
    }

    final class MyBlock: Module {
        var fc: Linear
        init(_ c: GPTConfig) { fc = Linear(c.nEmbd, c.nEmbd); super.init() }
        override func forward(_ x: Tensor) -> Tensor { x + fc(x) }
    }

    final class ProjBlock: Module {
        var c_proj: Linear
        init(_ c: GPTConfig) { c_proj = Linear(c.nEmbd, c.nEmbd); super.init() }
        override func forward(_ x: Tensor) -> Tensor { x + c_proj(x) }
    }

    func testCustomBlockGetsNanoGPTInit() {
        manualSeed(2)
        let model = GPT(GPTConfig(vocabSize: 8, blockSize: 4, nLayer: 2, nHead: 2, nEmbd: 256), block: { ProjBlock($0) })
        let w = (model.transformer.h[0] as! ProjBlock).c_proj.weight.scalars.map(Double.init)
        let sd = (w.map { $0 * $0 }.reduce(0, +) / Double(w.count)).squareRoot()
        XCTAssertEqual(sd, 0.01, accuracy: 0.0003)                 // 0.02/√(2·2)
        XCTAssertEqual((model.transformer.h[1] as! ProjBlock).c_proj.bias!.scalars, [Float](repeating: 0, count: 256))
    }

    func testCustomBlockFactory() {
        let model = GPT(tiny, block: { MyBlock($0) })
        XCTAssertTrue(model.transformer.h.allSatisfy { $0 is MyBlock })
        XCTAssertTrue(model.namedParameters().map(\.name).contains("transformer.h.1.fc.weight"))
        let (logits, loss) = model(Tensor(ints: [1, 2, 3, 4, 5, 6], shape: [2, 3]), Tensor(ints: [2, 3, 4, 5, 6, 7], shape: [2, 3]))
        XCTAssertEqual(logits.shape, [2, 3, 11])
        XCTAssertTrue(loss!.item().isFinite)
    }

    func testFreezeZeroGradAndTrainableParameters() {
        let model = GPT(tiny)
        model.eval()
        let (_, loss) = model(Tensor(ints: [1, 2, 3], shape: [1, 3]), Tensor(ints: [2, 3, 4], shape: [1, 3]))
        loss!.backward()
        XCTAssertTrue(model.parameters().allSatisfy { $0.grad != nil })
        model.zeroGrad()
        XCTAssertTrue(model.parameters().allSatisfy { $0.grad == nil })
        model.freeze()
        model.lm_head.unfreeze()
        XCTAssertEqual(model.trainableParameters().count, 1)
        let (_, loss2) = model(Tensor(ints: [1, 2, 3], shape: [1, 3]), Tensor(ints: [2, 3, 4], shape: [1, 3]))
        loss2!.backward()
        XCTAssertNotNil(model.lm_head.weight.grad)
        XCTAssertNil(model.transformer.wte.weight.grad)
    }

    func testLoadStateDictCopiesInPlaceAndChecksNames() throws {
        manualSeed(1)
        let a = GPT(tiny), b = GPT(tiny)
        let wte = b.transformer.wte.weight
        try b.loadStateDict(a.stateDict())
        XCTAssertTrue(b.transformer.wte.weight === wte)                  // same tensor object, new values
        XCTAssertEqual(b.transformer.wte.weight.scalars, a.transformer.wte.weight.scalars)
        XCTAssertEqual(b.lm_head.weight.scalars, a.lm_head.weight.scalars)
        var sd = a.stateDict()
        sd["lm_head.weight"] = nil
        sd["lm_head.wieght"] = Tensor.zeros([11, 6])
        XCTAssertThrowsError(try b.loadStateDict(sd)) { XCTAssertTrue("\($0)".contains("lm_head.wieght")) }
        XCTAssertNoThrow(try b.loadStateDict(["lm_head.weight": Tensor.zeros([11, 6])], strict: false))
        XCTAssertThrowsError(try b.loadStateDict(["lm_head.weight": Tensor.zeros([6, 11])], strict: false)) {
            XCTAssertTrue("\($0)".contains("[6, 11]"))
        }
    }

    func testLinearMatchesHandComputationAndPyTorchInitBound() {
        let fc = Linear(3, 2)
        let bound = 1 / Float(3).squareRoot()
        XCTAssertTrue((fc.weight.scalars + fc.bias!.scalars).allSatisfy { abs($0) <= bound })
        fc.weight = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3], requiresGrad: true)
        fc.bias = Tensor([0.5, -1], requiresGrad: true)
        let y = fc(Tensor([1, 0, -1, 2, 1, 0], shape: [2, 3]))
        let expected: [Float] = [-1.5, -3, 4.5, 12]    // [1−3+0.5, 4−6−1, 2+2+0.5, 8+5−1]
        XCTAssertEqual(y.scalars, expected)
    }
}
