// Lab 30, task 1b: TransformerBlock (names, residuals, pre-LayerNorm, agreement with the library's Block).
import XCTest
import LabKit
@testable import Lab30

final class TransformerBlockTests: XCTestCase {
    func testEveryParameterIsUsed() {
        let block = TransformerBlock(tinyConfig())
        let reference = Block(tinyConfig())
        XCTAssertEqual(block.namedParameters().map(\.name), reference.namedParameters().map(\.name),
                       "TransformerBlock's parameters must be named like GPT-2's: ln_1, attn.c_attn, attn.c_proj, ln_2, mlp.c_fc, mlp.c_proj (weight and bias each), in that order.")
        manualSeed(5)
        randomizeParameters(block)
        (block(Tensor.randn([2, 5, 16])) * Tensor.randn([2, 5, 16])).sum().backward()
        for (name, p) in block.namedParameters() {
            XCTAssertGreaterThan(gradNorm([p]), 0,
                                 "\(name) got no gradient: the block's output does not depend on it. Use all four layers: ln_1 and attn in the first residual branch, ln_2 and mlp in the second.")
        }
    }

    func testResidualConnections() {
        // With both sub-layers' output projections set to zero, the block must return its input unchanged.
        manualSeed(5)
        let block = TransformerBlock(tinyConfig())
        block.eval()
        for p in [block.attn.c_proj.weight, block.attn.c_proj.bias!, block.mlp.c_proj.weight, block.mlp.c_proj.bias!] {
            p.copy(from: Tensor.zeros(p.shape))
        }
        let x = Tensor.randn([2, 5, 16])
        let y = block(x)
        XCTAssertEqual(y.shape, x.shape, "The block must keep the shape (B, T, C).")
        let diff = maxAbsDiff(y, x)
        XCTAssertLessThan(diff, 1e-5,
                          "With the attention's and the MLP's outputs forced to zero, the block should return x unchanged, but it differs by \(diff): the residual connections are missing. Add each sub-layer's output to the stream it came from instead of replacing the stream with it, and do not normalise the sum.")
    }

    func testLayerNormBeforeEachSubLayer() {
        // With ln_1 and ln_2 outputting zeros (weight 0, bias 0), the sub-layers see only zeros, so pre-LN gives
        // block(x) - x = the same vector at every position, whatever x is.
        manualSeed(6)
        let block = TransformerBlock(tinyConfig())
        randomizeParameters(block)
        block.eval()
        // (c_attn's bias 0 too: then v = 0 and the attention adds the same c_proj.bias everywhere, whatever its softmax does.)
        for p in [block.ln_1.weight, block.ln_1.bias!, block.ln_2.weight, block.ln_2.bias!, block.attn.c_attn.bias!] {
            p.copy(from: Tensor.zeros(p.shape))
        }
        let x = Tensor.randn([2, 5, 16], std: 3)
        let delta = (block(x) - x).view(10, 16).scalars
        var spread: Float = 0
        for row in 1..<10 { for c in 0..<16 { spread = max(spread, abs(delta[row * 16 + c] - delta[c])) } }
        XCTAssertLessThan(spread, 1e-4,
                          "LayerNorm is not where GPT-2 puts it: with ln_1 and ln_2 outputting zeros, block(x) - x should be the same at every position (spread \(spread)). Pre-LN: each LayerNorm normalises the input of its sub-layer, inside the residual branch; the stream itself is never normalised.")
    }

    func testMatchesLibraryBlock() throws {
        manualSeed(7)
        let config = tinyConfig(nHead: 4, nEmbd: 16)
        let reference = Block(config)
        randomizeParameters(reference)
        let block = TransformerBlock(config)
        try copyParameters(from: reference, to: block)
        reference.eval(); block.eval()
        let x = Tensor.randn([2, 6, 16])
        let diff = maxAbsDiff(block(x), reference(x))
        XCTAssertLessThan(diff, 1e-4,
                          "With the same weights as the library's Block, your TransformerBlock's output differs by up to \(diff); the other TransformerBlock tests say which part (residuals, LayerNorm placement, the layers used).")
    }

    func testBuildsAGPT() {
        // The library GPT built from your blocks has exactly the parameters of GPT-2's layout.
        let config = tinyConfig(nLayer: 2)
        let model = GPT(config, block: { TransformerBlock($0) })
        let reference = GPT(config)
        XCTAssertEqual(model.namedParameters().map(\.name), reference.namedParameters().map(\.name),
                       "GPT(config, block: { TransformerBlock($0) }) must have the same parameter names as the library's GPT.")
        manualSeed(9)
        let idx = randomTokens(2, 8, vocab: 11)
        let (logits, loss) = model(idx, targets: randomTokens(2, 8, vocab: 11))
        XCTAssertEqual(logits.shape, [2, 8, 11])
        XCTAssertTrue(loss!.item().isFinite, "The loss of a fresh model must be finite.")
    }
}
