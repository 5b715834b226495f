// Lab 28 hidden tests: the same mistakes seen against the library's peft/trl-style versions and by finite differences.
import XCTest
import LabKit
@testable import Lab28

final class HiddenLab28Tests: XCTestCase {
    func testLoRAMatchesTheLibrary() throws {
        manualSeed(11)
        let mine = GPT(tinyConfig()), lib = GPT(tinyConfig())
        try lib.loadStateDict(mine.stateDict())
        let layers = addLoRA(to: mine, r: 2, alpha: 6)
        let peft = try getPeftModel(lib, LoraConfig(r: 2, alpha: 6, targetModules: ["c_attn"]))
        XCTAssertEqual(mine.trainableParametersLine(), peft.trainableParametersLine(),
                       "Your LoRA model should count the same trainable parameters as peft's c_attn LoRA at the same r.")
        for (layer, w) in zip(layers, peft.wrapped) {
            randomizeAdapter(layer)
            let pair = w.layer.lora!.pairs[0].pair
            pair.lora_A.weight.copy(from: layer.lora_A.weight)
            pair.lora_B.weight.copy(from: layer.lora_B.weight)
        }
        mine.eval(); peft.eval()
        let x = Tensor(ints: (0..<16).map { ($0 * 7) % 11 }, shape: [2, 8])
        XCTAssertLessThan(maxAbsDiff(mine(x), peft(x)), 1e-4,
                          "With the same A and B your LoRA model must give the library's logits: y = W x + b + (alpha / r) · B A x.")
    }

    func testLoRAGradientsMatchFiniteDifferences() {
        manualSeed(12)
        let layer = LoRALinear(randomLinear(4, 3), r: 2, alpha: 3)
        randomizeAdapter(layer)
        let x = Tensor.randn([2, 4]), w = Tensor.randn([2, 3])
        (layer(x) * w).sum().backward()
        let gA = layer.lora_A.weight.grad?.scalars ?? []
        XCTAssertEqual(gA.count, 8, "lora_A got no gradient: build the forward from tensor operations.")
        guard gA.count == 8 else { return }
        for i in [0, 3, 7] {
            let a = layer.lora_A.weight, h: Float = 1e-2
            let orig = a.scalars[i]
            var v = a.scalars; v[i] = orig + h; a.copy(from: Tensor(v, shape: a.shape))
            let up = noGrad { (layer(x) * w).sum().item() }
            v[i] = orig - h; a.copy(from: Tensor(v, shape: a.shape))
            let down = noGrad { (layer(x) * w).sum().item() }
            v[i] = orig; a.copy(from: Tensor(v, shape: a.shape))
            XCTAssertEqual(gA[i], (up - down) / (2 * h), accuracy: 1e-2, "dL/dA[\(i)] disagrees with finite differences.")
        }
    }

    func testSoftPromptMatchesTheLibrary() {
        manualSeed(13)
        let model = GPT(tinyConfig())
        let pt = PromptTuning(model, numVirtualTokens: 3)
        let x = Tensor(ints: (0..<10).map { ($0 * 3) % 11 }, shape: [2, 5])
        let y = Tensor(ints: (0..<10).map { ($0 * 7 + 2) % 11 }, shape: [2, 5])
        let (mineLogits, mineLoss) = softPromptForward(model, prompt: pt.prompt_embeddings, idx: x, targets: y)
        let (libLogits, libLoss) = pt(x, y)
        XCTAssertEqual(mineLogits.shape, libLogits.shape, "Logits for n + T positions.")
        if mineLogits.shape == libLogits.shape {
            XCTAssertLessThan(maxAbsDiff(mineLogits, libLogits), 1e-4,
                              "The virtual tokens must take positions 0..n-1 (in front), as peft does: [prompt; wte(idx)].")
        }
        XCTAssertEqual(mineLoss?.item() ?? .nan, libLoss!.item(), accuracy: 1e-4, "The loss must skip the n prompt positions.")
    }

    func testPreferenceLossIsStableForLargeGaps() {
        let l = preferenceLoss(chosen: Tensor([-40]), rejected: Tensor([40])).item()
        XCTAssertEqual(l, 80, accuracy: 1e-2, "-log σ(−80) = 80: compute it as -logSigmoid(d), not log(sigmoid(d)) which gives infinity; got \(l).")
    }

    func testPPOLossMatchesTheLibraryWithAMask() {
        manualSeed(14)
        let logp = Tensor.randn([3, 6], std: 0.3), old = Tensor.randn([3, 6], std: 0.3), adv = Tensor.randn([3, 6])
        let mask = Tensor((0..<18).map { $0 % 4 == 0 ? 0 : 1 }, shape: [3, 6])
        let mine = ppoClippedLoss(logprobs: logp, oldLogprobs: old, advantages: adv, mask: mask, cliprange: 0.2).item()
        let lib = clippedPolicyLoss(logprobs: logp, oldLogprobs: old, advantages: adv, mask: mask, cliprange: 0.2).item()
        XCTAssertEqual(mine, lib, accuracy: 1e-5, "Average over the masked (response) tokens only: maskedMean(losses, mask).")
    }
}
