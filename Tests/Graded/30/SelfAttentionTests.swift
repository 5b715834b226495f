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
                       "SelfAttention must map (B, T, C) = (3, 5, 16) to the same shape (3, 5, 16), got \(y.shape). Put the heads back side by side (transpose(1, 2) then view(B, T, C)) before c_proj.")
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
        manualSeed(2)
        let attn = SelfAttention(tinyConfig())
        attn.eval()
        let x = Tensor.randn([2, 6, 16])
        let y = attn(x)
        for t in [1, 3, 5] {
            var values = x.scalars
            for b in 0..<2 { for s in t..<6 { for c in 0..<16 { values[(b * 6 + s) * 16 + c] += 1.5 } } }
            let y2 = attn(Tensor(values, shape: [2, 6, 16]))
            let before = maxAbsDiff(y[0..., 0..<t], y2[0..., 0..<t])
            XCTAssertLessThan(before, 1e-5,
                              "Changing the input at positions \(t)...5 changed the output at earlier positions 0..<\(t) (by \(before)): a position must not see the future. Mask the scores with the lower-triangular mask (maskedFill where mask[:T, :T] == 0 with -infinity) BEFORE the softmax; check the mask is not upside down. (If the mask is right, look at the head split: view(B, T, nh, hs).transpose(1, 2), not view(B, nh, T, hs), which mixes positions.)")
            let after = maxAbsDiff(y[0..., t...], y2[0..., t...])
            XCTAssertGreaterThan(after, 1e-4,
                                 "Changing the input at positions \(t)...5 did not change the outputs there at all: each position must see itself and the positions before it (the mask keeps j <= i, it does not hide everything).")
        }
    }

    func testMatchesLibraryAttention() throws {
        // Same weights as the library's CausalSelfAttention (the fused kernel) => same outputs, in eval mode.
        manualSeed(3)
        let config = tinyConfig(nHead: 4, nEmbd: 16)
        let reference = CausalSelfAttention(config)
        randomizeParameters(reference)
        let attn = SelfAttention(config)
        try copyParameters(from: reference, to: attn)
        reference.eval(); attn.eval()
        let x = Tensor.randn([2, 7, 16])
        let diff = maxAbsDiff(attn(x), reference(x))
        XCTAssertLessThan(diff, 1e-4,
                          "With the same weights as the library's CausalSelfAttention, your output differs by up to \(diff). Check in order: q, k, v = split of c_attn(x) along the last dim; view(B, T, nHead, C / nHead) then transpose(1, 2) to get (B, nh, T, hs) — heads split this way, not view(B, nh, T, hs); scores q·kᵀ scaled by 1/√hs (hs = C / nHead, not C); softmax over the last dim (dim: -1, the keys); y = att·v, transpose(1, 2) back, view(B, T, C), then c_proj.")
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
