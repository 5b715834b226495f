import Foundation
import Testing
@testable import LabNN
import LabTensor

// Every check a student can trip says what was wrong, with the shapes and values, in the -O build: each trapping case
// runs in a child process (a swift-testing exit test) and its stderr must contain the message. Recoverable
// mistakes (a checkpoint that does not fit, a bad config.json) throw instead, and are tested in process.

/// The child's stderr, for one exit test that must fail.
func stderrText(_ result: ExitTest.Result?) -> String {
    String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
}

@Suite struct ArgumentCheckTests {
    @Test func checksAreCompiledOptimized() {
        #expect(checksCompiledOptimized, "LabNN must be built with -O here, or these tests do not test what students run")
    }

    @Test func gptContextLongerThanBlockSize() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let model = GPT(GPTConfig(vocabSize: 5, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8))
            _ = model(Tensor(ints: Array(repeating: 1, count: 9), shape: [1, 9]))
        }
        let err = stderrText(r)
        #expect(err.contains("LabNN: GPT: the input has T = 9 tokens (idx [1, 9]) but the model's context is blockSize = 8"), "\(err)")
    }

    @Test func gptInputNotTokenIds() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let model = GPT(GPTConfig(vocabSize: 5, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8))
            _ = model(Tensor.zeros([1, 3]))
        }
        #expect(stderrText(r).contains("GPT: idx must be (B, T) int32 token ids (Tensor(ints:shape:)), got float32 of shape [1, 3]"), "\(stderrText(r))")
    }

    @Test func configWidthNotAMultipleOfHeads() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = GPTConfig(vocabSize: 65, blockSize: 128, nLayer: 4, nHead: 4, nEmbd: 30)
        }
        #expect(stderrText(r).contains("GPTConfig: nEmbd 30 is not a multiple of nHead 4 (each head gets nEmbd / nHead channels); nHead could be 1, 2, 3, 5, 6, 10, 15, 30"), "\(stderrText(r))")
    }

    @Test func fromPretrainedWithWidthNotAMultipleOfHeadsThrows() throws {
        let dir = NSTemporaryDirectory() + "labnn-cfg-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let json = #"{"vocab_size": 50, "n_positions": 16, "n_layer": 2, "n_head": 5, "n_embd": 32}"#
        try json.write(toFile: dir + "/config.json", atomically: true, encoding: .utf8)
        let error = #expect(throws: SafetensorsError.self) { _ = try GPT.fromPretrained(dir) }
        #expect(error?.description == dir + "/config.json: n_embd 32 is not a multiple of n_head 5 (each head gets n_embd / n_head channels)")
    }

    @Test func linearInputWidth() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Linear(4, 3)(Tensor.zeros([2, 5]))
        }
        #expect(stderrText(r).contains("LabNN: Linear(in 4, out 3): input [2, 5] has 5 features in its last dimension, expected 4"), "\(stderrText(r))")
        let tied = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Linear(weight: Tensor.zeros([3, 4]), bias: Tensor.zeros([4]))
        }
        #expect(stderrText(tied).contains("Linear(weight:bias:): bias must be (out) = [3] for weight [3, 4], got [4]"), "\(stderrText(tied))")
    }

    @Test func embeddingIdOutOfRange() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Embedding(5, 2)(Tensor(ints: [1, 10, 2], shape: [1, 3]))
        }
        #expect(stderrText(r).contains("LabNN: Embedding(5, 2): id 10 at flat position 1 of ids [1, 3] is out of range 0..<5"), "\(stderrText(r))")
    }

    @Test func layerNormWidth() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = LayerNorm(8)(Tensor.zeros([2, 6]))
        }
        #expect(stderrText(r).contains("LayerNorm(8): input [2, 6] has 6 features in its last dimension, expected 8"), "\(stderrText(r))")
    }

    @Test func matmulShapes() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = matmul(Tensor.zeros([2, 3]), Tensor.zeros([4, 5]))
        }
        #expect(stderrText(r).contains("matmul: shapes [2, 3] and [4, 5] cannot be multiplied (3 != 4)"), "\(stderrText(r))")
    }

    @Test func optimizerMisuse() async {
        let twice = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let w = Tensor.zeros([2, 3], requiresGrad: true)
            _ = AdamW([ParamGroup([w]), ParamGroup([w])])
        }
        #expect(stderrText(twice).contains("optimizer: a parameter of shape [2, 3] appears twice (again in group 1)"), "\(stderrText(twice))")
        let empty = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = AdamW([Tensor](), lr: 1e-3)
        }
        #expect(stderrText(empty).contains("optimizer: got an empty parameter list"), "\(stderrText(empty))")
        let lr = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = SGD([Tensor.zeros([2], requiresGrad: true)], lr: -0.1)
        }
        #expect(stderrText(lr).contains("optimizer: learning rate -0.1 must be a finite number ≥ 0"), "\(stderrText(lr))")
        let betas = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = AdamW([Tensor.zeros([2], requiresGrad: true)], betas: (0.9, 1.5))
        }
        #expect(stderrText(betas).contains("AdamW: betas (0.9, 1.5) must each be in [0, 1)"), "\(stderrText(betas))")
        let state = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let w = Tensor.zeros([2, 3], requiresGrad: true)
            AdamW([w]).setState(for: w, expAvg: Tensor.zeros([3, 2]), expAvgSq: Tensor.zeros([2, 3]), step: 1)
        }
        #expect(stderrText(state).contains("AdamW.setState: moments of shape [3, 2] and [2, 3] for a parameter of shape [2, 3]"), "\(stderrText(state))")
        let clip = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = clipGradNorm([Tensor.zeros([2], requiresGrad: true)], maxNorm: 0)
        }
        #expect(stderrText(clip).contains("clipGradNorm: maxNorm 0.0 must be a positive number"), "\(stderrText(clip))")
    }

    @Test func generateMisuse() async {
        let notGPT = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = generate(Linear(3, 3), Tensor(ints: [0], shape: [1, 1]), maxNewTokens: 1)
        }
        #expect(stderrText(notGPT).contains("generate: a Linear is not a GPT, so pass its context length"), "\(stderrText(notGPT))")
        let temp = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let model = GPT(GPTConfig(vocabSize: 5, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8))
            _ = generate(model, Tensor(ints: [0], shape: [1, 1]), maxNewTokens: 1, temperature: -1)
        }
        #expect(stderrText(temp).contains("temperature -1.0 ≥ 0"), "\(stderrText(temp))")
    }

    @Test func checkpointThatDoesNotFitThrowsNamingTheTensors() throws {
        let dir = NSTemporaryDirectory() + "labnn-ck-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let small = GPT(GPTConfig(vocabSize: 5, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8))
        try Checkpoint.save(model: small, step: 3, to: dir + "/small.safetensors")

        let wider = GPT(GPTConfig(vocabSize: 5, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 16))
        let shape = #expect(throws: SafetensorsError.self) { try Checkpoint.load(dir + "/small.safetensors", into: wider) }
        #expect(shape?.description.contains("loadStateDict: 'transformer.wte.weight' has shape [5, 8] in the state dict but [5, 16] in the model") == true,
                "\(shape.map { "\($0)" } ?? "")")

        let deeper = GPT(GPTConfig(vocabSize: 5, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 8))
        let missing = #expect(throws: SafetensorsError.self) { try Checkpoint.load(dir + "/small.safetensors", into: deeper) }
        let m = missing.map { "\($0)" } ?? ""
        #expect(m.hasPrefix(dir + "/small.safetensors: loadStateDict: the names do not match; 12 missing (in the model, not in the state dict): transformer.h.1."), "\(m)")
        #expect(!m.contains("unexpected"), "\(m)")
    }
}
