import XCTest
@testable import LabNN
import LabTensor

/// Freezing by name and pattern, and optimizers skipping frozen parameters (full fine-tuning).
final class FreezeTests: XCTestCase {
    let config = GPTConfig(vocabSize: 11, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 6, dropout: 0)

    func testFreezeByNameModulePrefixAndPattern() throws {
        let model = GPT(config)
        model.freeze()
        XCTAssertEqual(model.trainableParameterCounts().trainable, 0)
        // Block 1 and the head: 2·6 + 18·6+18 + 6·6+6 + 2·6 + 6·24+24 + 24·6+6 = 510 in the block, 66 in lm_head.
        XCTAssertEqual(try model.unfreeze(["transformer.h.1", "lm_head"]), 13)
        XCTAssertEqual(model.trainableParameterCounts().trainable, 510 + 66)
        let names = model.namedParameters().filter { $0.parameter.requiresGrad }.map(\.name)
        XCTAssertTrue(names.allSatisfy { $0 == "lm_head.weight" || $0.hasPrefix("transformer.h.1.") }, "\(names)")
        model.unfreeze()
        XCTAssertEqual(try model.setRequiresGrad(false, matching: #".*\.ln_[12f]\.(weight|bias)"#), 2 * 4 + 2)
        XCTAssertEqual(try model.freeze(["c_proj"]), 8)                          // attn.c_proj and mlp.c_proj, weight + bias
        XCTAssertEqual(model.trainableParameterCounts().all, model.parameterCount)
        XCTAssertThrowsError(try model.freeze(["transformer.h.7"])) { XCTAssertTrue("\($0)".contains("transformer.h.0.ln_1.weight")) }
        XCTAssertThrowsError(try model.setRequiresGrad(false, matching: "nothing.*"))
    }

    func testOptimizersSkipFrozenParametersEvenWithStaleGradients() {
        manualSeed(0)
        let model = GPT(config)
        let x = Tensor(ints: (0..<16).map { $0 % 11 }, shape: [2, 8])
        let opt = AdamW(model.parameters(), lr: 1e-2, weightDecay: 0.1)
        let sgd = SGD(model.parameters(), lr: 0.1)
        let (_, loss) = model(x, x)
        loss!.backward()
        model.transformer.wte.weight.requiresGrad = false                     // frozen after the gradients exist
        let frozen = model.transformer.wte.weight.scalars, head = model.lm_head.weight.scalars
        opt.step()
        sgd.step()
        XCTAssertEqual(model.transformer.wte.weight.scalars, frozen)
        XCTAssertNotEqual(model.lm_head.weight.scalars, head)
        // A frozen parameter gets no gradient at all in the next backward.
        model.zeroGrad()
        model(x, x).loss!.backward()
        XCTAssertNil(model.transformer.wte.weight.grad)
        XCTAssertNotNil(model.transformer.wpe.weight.grad)
    }

    func testGroupedThousandsAsPython() {
        XCTAssertEqual(groupedThousands(0), "0")
        XCTAssertEqual(groupedThousands(999), "999")
        XCTAssertEqual(groupedThousands(1000), "1,000")
        XCTAssertEqual(groupedThousands(124_734_720), "124,734,720")
    }
}
