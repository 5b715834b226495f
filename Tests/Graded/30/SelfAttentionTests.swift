// Lab 30, task 1a: SelfAttention (shape, names, causality, agreement with the library's fused attention).
import XCTest
import LabKit
@testable import Lab30

final class SelfAttentionTests: XCTestCase {
    func testOutputShape() {
        manualSeed(1)
        let attn = SelfAttention(tinyConfig())
        let y = attn(Tensor.randn([3, 5, 16]))
        XCTAssertEqual(y.shape, [3, 5, 16],
                       "SelfAttention must map (B, T, C) = (3, 5, 16) to the same shape (3, 5, 16), got \(y.shape): put the heads back side by side, one C-wide vector per position, before c_proj.")
    }

    func testEveryParameterIsUsed() {
        let attn = SelfAttention(tinyConfig(nEmbd: 16))
        XCTAssertEqual(attn.namedParameters().map(\.name), ["c_attn.weight", "c_attn.bias", "c_proj.weight", "c_proj.bias"],
                       "SelfAttention's parameters must be exactly c_attn (C -> 3C) and c_proj (C -> C), as in GPT-2: the tests copy weights by these names. Do not add or rename layers.")
        manualSeed(1)
        (attn(Tensor.randn([2, 5, 16])) * Tensor.randn([2, 5, 16])).sum().backward()
        for (name, p) in attn.namedParameters() {
            XCTAssertGreaterThan(gradNorm([p]), 0,
                                 "\(name) got no gradient: the output does not depend on it. forward must go through c_attn (for q, k, v) and c_proj (at the end).")
        }
    }

    func testCausalMask() {
        // Changing the tokens at positions t..<T must not change the outputs at positions 0..<t.
        let config = tinyConfig()
        let leak = worstLookAhead(config)
        if leak >= 1e-5 {
            // Say which of the three mistakes that leak the future this is.
            let sums = worstWeightSumError(config)
            let oneHead = worstLookAhead(tinyConfig(nHead: 1))
            if sums > 1e-4 {
                XCTFail("Changing the input at later positions changed the outputs at earlier ones (by \(leak)), and the attention weights of a query do not sum to 1 over the keys (off by \(sums)): the softmax runs over the wrong dimension, so each weight is normalised over the queries and later positions leak into earlier ones. Fix the softmax's dimension first (see testWeightsSumToOneOverTheKeys).")
            } else if oneHead < 1e-5 {
                XCTFail("With one head no position sees the future, but with 2 heads changing later inputs changes earlier outputs (by \(leak)): the way q, k and v are split into heads mixes positions. Reshape to (B, T, nh, hs) and then swap the T and nh axes; do not reshape straight to (B, nh, T, hs).")
            } else {
                XCTFail("Changing the input at later positions changed the output at earlier positions (by \(leak)): a position must not see the future. Mask the scores of the later positions (where the lower-triangular mask is 0) with -infinity before the softmax, and check the mask is the lower triangle, not its transpose.")
            }
        }
        // ... and each position sees itself and the ones before it (the mask does not hide everything).
        manualSeed(2)
        let attn = SelfAttention(config)
        attn.eval()
        let x = Tensor.randn([2, 6, 16])
        var values = x.scalars
        for b in 0..<2 { for c in 0..<16 { values[(b * 6 + 5) * 16 + c] += 1.5 } }
        let after = maxAbsDiff(attn(x)[0..., 5...], attn(Tensor(values, shape: [2, 6, 16]))[0..., 5...])
        XCTAssertGreaterThan(after, 1e-4,
                             "Changing the input at the last position did not change the output there at all: each position must see itself and the positions before it (the mask keeps j <= i, it does not hide everything).")
    }

    func testWeightsSumToOneOverTheKeys() {
        // With every value vector set to ones and c_proj the identity, the output is each query's sum of weights.
        let err = worstWeightSumError(tinyConfig())
        XCTAssertLessThan(err, 1e-4,
                          "The attention weights of each query do not sum to 1 over the keys (off by up to \(err)): is the softmax over the last dimension? The scores are (B, nh, T_query, T_key), and each query's row is normalised over its keys.")
    }

    func testScoresScaledBySqrtHeadSize() throws {
        // One head (so the head split cannot matter), C = hs = 4, two positions with orthogonal inputs e0, e1, q = k
        // = 2·x and v = x, c_proj the identity. The scores of position 1 are q1·k0 = 0 and q1·k1 = 4, divided by
        // √hs = 2: weights softmax([0, 2]) = (0.1192, 0.8808), so y1 = 0.1192·e0 + 0.8808·e1. Hand computation:
        // e^2 / (1 + e^2) = 0.880797.
        let config = tinyConfig(blockSize: 4, nHead: 1, nEmbd: 4)
        let attn = SelfAttention(config)
        var w = [Float](repeating: 0, count: 12 * 4)   // (3C, C): q = 2x, k = 2x, v = x
        for i in 0..<4 { w[i * 4 + i] = 2; w[(4 + i) * 4 + i] = 2; w[(8 + i) * 4 + i] = 1 }
        attn.c_attn.weight.copy(from: Tensor(w, shape: [12, 4]))
        attn.c_attn.bias?.copy(from: Tensor.zeros([12]))
        var eye = [Float](repeating: 0, count: 16)
        for i in 0..<4 { eye[i * 4 + i] = 1 }
        attn.c_proj.weight.copy(from: Tensor(eye, shape: [4, 4]))
        attn.c_proj.bias?.copy(from: Tensor.zeros([4]))
        attn.eval()
        let y = attn(Tensor([1, 0, 0, 0, 0, 1, 0, 0], shape: [1, 2, 4])).scalars   // (1, 2, 4)
        let weight = y[4 + 1]                                                        // y[0, 1, 1]
        let expected: Float = 0.880797
        guard abs(weight - expected) > 1e-4 else { return }
        if worstWeightSumError(tinyConfig()) > 1e-4 {
            XCTFail("The weight of the matching key is \(weight), expected \(expected); but first the weights of a query do not sum to 1 over the keys: fix the softmax's dimension (see testWeightsSumToOneOverTheKeys), then run this test again.")
        } else if worstLookAhead(tinyConfig()) >= 1e-5 {
            XCTFail("The weight of the matching key is \(weight), expected \(expected); but first positions see the future: fix the mask (see testCausalMask), then run this test again.")
        } else if abs(weight - 0.982014) < 1e-4 {
            XCTFail("The weight of the matching key is \(weight), which is softmax of the raw scores: the scores are not scaled. Divide q·kᵀ by the square root of the channels per head (hs = C / nHead), or they grow with the width and the softmax saturates (expected \(expected)).")
        } else {
            XCTFail("In a hand-computed case (one head, hs = 4, raw scores 0 and 4) the weight of the matching key is \(weight), expected \(expected) = softmax([0, 4] / √4)[1]: scale the scores by 1/√hs with hs = C / nHead (not by 1/C, 1/hs or 1/√C).")
        }
    }

    func testMatchesLibraryAttention() throws {
        // Same weights as the library's CausalSelfAttention (the fused kernel) => same outputs, in eval mode; with
        // one head first, then with four, to tell the head split from everything else.
        func diff(nHead: Int) throws -> Float {
            manualSeed(3)
            let config = tinyConfig(nHead: nHead, nEmbd: 16)
            let reference = CausalSelfAttention(config)
            randomizeParameters(reference)
            let attn = SelfAttention(config)
            try copyParameters(from: reference, to: attn)
            reference.eval(); attn.eval()
            let x = Tensor.randn([2, 7, 16])
            return maxAbsDiff(attn(x), reference(x))
        }
        let one = try diff(nHead: 1), four = try diff(nHead: 4)
        if one < 1e-4 {
            XCTAssertLessThan(four, 1e-4,
                              "With one head your attention matches the library's, with 4 heads it differs by up to \(four): the heads are split wrongly. Each head takes its own slice of hs = C / nHead channels at every position: reshape q, k and v to (B, T, nh, hs), then swap the T and nh axes; put them back the same way before c_proj.")
        } else {
            XCTFail("Even with one head, and the same weights as the library's CausalSelfAttention, your output differs by up to \(one). The other SelfAttention tests say which step (mask, softmax dimension, scale); if they all pass, check that q, k, v are the three C-wide parts of c_attn(x) in that order and that c_proj is applied to the heads' output.")
        }
    }

    func testGradientsMatchFiniteDifferences() {
        // d loss / d weight from backward() against central differences, for a few weights of c_attn and c_proj.
        manualSeed(4)
        let config = tinyConfig(nHead: 2, nEmbd: 8)
        let attn = SelfAttention(config)
        randomizeParameters(attn)
        attn.eval()
        let x = Tensor.randn([2, 4, 8])
        let r = Tensor.randn([2, 4, 8])
        func loss() -> Tensor { (attn(x) * r).sum() }
        attn.zeroGrad()
        loss().backward()
        for (name, p) in attn.namedParameters() where name.hasSuffix("weight") {
            guard let g = p.grad else {
                XCTFail("\(name) has no gradient after backward(): the output must be computed from c_attn and c_proj with tensor operations (no .scalars round trips, no detach()).")
                continue
            }
            let grad = g.scalars
            for i in [0, p.count / 3, p.count / 2, p.count - 1] {
                var v = p.scalars
                let h: Float = 1e-2
                let orig = v[i]
                v[i] = orig + h; p.copy(from: Tensor(v, shape: p.shape))
                let up = noGrad { loss().item() }
                v[i] = orig - h; p.copy(from: Tensor(v, shape: p.shape))
                let down = noGrad { loss().item() }
                v[i] = orig; p.copy(from: Tensor(v, shape: p.shape))
                let numeric = (up - down) / (2 * h)
                XCTAssertEqual(grad[i], numeric, accuracy: 2e-2 + 0.05 * abs(numeric),
                               "Gradient of \(name)[\(i)]: backward() gives \(grad[i]), finite differences give \(numeric). Something in forward breaks the gradient: use the library's differentiable ops all the way (matmul, softmax, maskedFill, view, transpose).")
            }
        }
    }

    func testDropoutOnlyInTraining() {
        manualSeed(8)
        let attn = SelfAttention(tinyConfig(dropout: 0.5))
        randomizeParameters(attn)
        let x = Tensor.randn([2, 6, 16])
        attn.eval()
        let a = attn(x), b = attn(x)
        XCTAssertLessThan(maxAbsDiff(a, b), 1e-6, "In eval mode SelfAttention must be deterministic: dropout only acts in training mode (call the Dropout modules, they check `training` themselves).")
        attn.train()
        let c = attn(x).scalars, e = a.scalars
        // resid_dropout zeroes about half of the outputs (p = 0.5) ...
        let zeros: Int = c.filter { (v: Float) -> Bool in v == 0 }.count
        XCTAssertGreaterThan(zeros, c.count / 5,
                             "In training mode with dropout 0.5 about half of the outputs should be exactly 0, but \(zeros) of \(c.count) are: apply resid_dropout to the output of c_proj.")
        // ... and attn_dropout changes the mix of values, so the kept outputs are not just 2 × the eval outputs.
        var reshuffled = 0
        for i in 0..<c.count where c[i] != 0 && abs(c[i] - 2 * e[i]) > Float(1e-3) { reshuffled += 1 }
        XCTAssertGreaterThan(reshuffled, c.count / 5,
                             "In training mode the attention weights should be dropped too: apply attn_dropout to att after the softmax (before multiplying by v).")
    }
}
