import Testing
@testable import LabTensor

@Suite struct ElementwiseGradTests {
    @Test func broadcastArithmetic() {
        gradCheck([uniform([3, 5]), uniform([5], seed: 2)]) { $0[0] + $0[1] }
        gradCheck([uniform([2, 1, 3]), uniform([4, 3], seed: 2)]) { $0[0] * $0[1] }
        gradCheck([uniform([4, 3]), uniform([4, 1], 0.5, 2, seed: 2)]) { $0[0] / $0[1] }
        gradCheck([uniform([17]), uniform([1], seed: 3)]) { $0[0] - $0[1] }
        gradCheck([uniform([2, 3, 5])]) { 2 * $0[0] - 1 + 3 / ($0[0] * $0[0] + 1) }
    }

    @Test func sameTensorOnBothSides() {
        gradCheck([uniform([9])]) { $0[0] * $0[0] + $0[0] }
    }

    @Test func unaryMath() {
        gradCheck([uniform([23], 0.5, 2)]) { $0[0].log() + $0[0].sqrt() + $0[0].pow(3) + $0[0].pow(2.5) }
        gradCheck([uniform([23], -2, 2)]) { $0[0].exp() + $0[0].tanh() + $0[0].sigmoid() }
        // relu away from the kink
        let x = Tensor([-1.5, -0.3, 0.2, 0.7, 2.1, -3, 5, 0.9, 1.1])
        gradCheck([x]) { $0[0].relu() + $0[0].abs() }
    }

    @Test func geluBothApproximations() {
        gradCheck([uniform([37], -4, 4)]) { $0[0].gelu() }
        gradCheck([uniform([37], -4, 4)]) { $0[0].gelu(approximate: .tanh) }
    }

    @Test func reductions() {
        gradCheck([uniform([3, 4, 5])]) { $0[0].sum(dim: 1) }
        gradCheck([uniform([3, 4, 5])]) { $0[0].sum(dim: -1, keepDim: true) }
        gradCheck([uniform([3, 4, 5])]) { $0[0].mean(dim: 0) }
        gradCheck([uniform([3, 4, 5])]) { $0[0].mean() + $0[0].sum() }
        gradCheck([uniform([3, 7])]) { $0[0].var(dim: 1) }
        gradCheck([uniform([3, 7])]) { $0[0].var(dim: 0, keepDim: true, unbiased: false) }
        gradCheck([uniform([3, 7])]) { $0[0].max(dim: 1).values }
        gradCheck([uniform([3, 7])]) { $0[0].max() }
    }
}

@Suite struct MatmulGradTests {
    @Test func twoD() { gradCheck([uniform([5, 7]), uniform([7, 3], seed: 2)]) { matmul($0[0], $0[1]) } }
    @Test func foldedBatch() { gradCheck([uniform([2, 5, 7]), uniform([7, 3], seed: 2)]) { $0[0].matmul($0[1]) } }
    @Test func batchedBroadcast() {
        gradCheck([uniform([2, 3, 4, 5]), uniform([3, 5, 2], seed: 2)]) { matmul($0[0], $0[1]) }
        gradCheck([uniform([1, 4, 5]), uniform([3, 5, 2], seed: 2)]) { matmul($0[0], $0[1]) }
    }
    @Test func vectors() {
        gradCheck([uniform([5]), uniform([5, 3], seed: 2)]) { matmul($0[0], $0[1]) }
        gradCheck([uniform([4, 5]), uniform([5], seed: 2)]) { matmul($0[0], $0[1]) }
    }
    @Test func linearWithAndWithoutBias() {
        gradCheck([uniform([2, 3, 7]), uniform([5, 7], seed: 2), uniform([5], seed: 3)]) { linear($0[0], $0[1], $0[2]) }
        gradCheck([uniform([1, 1, 17]), uniform([19, 17], seed: 2)]) { linear($0[0], $0[1]) }
    }
    @Test func linearMatchesMatmulOfTranspose() {
        let x = uniform([3, 6]), w = uniform([4, 6], seed: 2), b = uniform([4], seed: 3)
        #expect(close(linear(x, w, b).scalars, (matmul(x, w.T) + b).scalars))
    }
}

@Suite struct ShapeGradTests {
    @Test func viewsAndPermutes() {
        gradCheck([uniform([2, 3, 4])]) { $0[0].view(4, -1).transpose(0, 1) * 2 }
        gradCheck([uniform([2, 3, 4])]) { $0[0].permute(2, 0, 1).flatten().unsqueeze(0) }
        gradCheck([uniform([2, 1, 4])]) { $0[0].squeeze(1).T }
    }
    @Test func slicing() {
        gradCheck([uniform([3, 5, 4])]) { $0[0][.all, -1, .all] }
        gradCheck([uniform([3, 5, 4])]) { $0[0][1..., 2] }
        gradCheck([uniform([6, 2])]) { $0[0][0..<2] + $0[0][4...] }
        gradCheck([uniform([6, 2])]) { $0[0][Tensor(ints: [5, 0, 5])] }
    }
    @Test func catStackSplit() {
        gradCheck([uniform([2, 3]), uniform([2, 5], seed: 2)]) { cat([$0[0], $0[1]], dim: 1) }
        gradCheck([uniform([2, 3]), uniform([2, 3], seed: 2)]) { stack([$0[0], $0[1]], dim: 1) }
        gradCheck([uniform([7, 3])]) { x in
            let p = x[0].split(3, dim: 0)
            return p[0] * 2 + p[1] * 3 - p[2].sum()
        }
        gradCheck([uniform([3, 9])]) { x in
            let p = x[0].chunk(3, dim: 1)
            return p[0] * p[2] + p[1]
        }
    }
}

@Suite struct FunctionalGradTests {
    @Test func softmaxAndLogSoftmax() {
        gradCheck([uniform([3, 11], -3, 3)]) { softmax($0[0], dim: -1) }
        gradCheck([uniform([4, 3], -3, 3)]) { softmax($0[0], dim: 0) }
        gradCheck([uniform([3, 11], -3, 3)]) { logSoftmax($0[0], dim: -1) }
    }
    @Test func crossEntropyIgnoreIndex() {
        let t = Tensor(ints: [3, -1, 0, 64, 7])
        gradCheck([uniform([5, 65], -3, 3)]) { crossEntropy($0[0], t, ignoreIndex: -1) }
        gradCheck([uniform([2, 3, 5], -3, 3)]) { crossEntropy($0[0].view(-1, 5), Tensor(ints: [0, 1, 2, 3, 4, 0])) }
    }
    @Test func layerNormOddWidth() {
        gradCheck([uniform([3, 37], -2, 2), uniform([37], seed: 2), uniform([37], seed: 3)]) { layerNorm($0[0], $0[1], $0[2]) }
        gradCheck([uniform([2, 2, 5], -2, 2)]) { layerNorm($0[0], nil, nil) }
    }
    @Test func embeddingRepeatedIds() {
        let ids = Tensor(ints: [1, 3, 1, 0, 1, 2], shape: [2, 3])
        gradCheck([uniform([4, 5])]) { embedding(ids, $0[0]) }
    }
    @Test func maskedFillBroadcast() {
        let mask = Tensor.tril(4) .== 0
        gradCheck([uniform([2, 4, 4])]) { $0[0].maskedFill(mask, -9) }
    }
    @Test func dropoutGradient() {
        gradCheck([uniform([3, 37])], reseed: { manualSeed(7) }) { dropout($0[0], p: 0.3, training: true) }
    }
}

@Suite struct AttentionGradTests {
    @Test(arguments: [(1, false), (13, true), (13, false), (1, true), (40, true)])
    func sdpa(t: Int, causal: Bool) {
        gradCheck([uniform([2, 2, t, 3], -1, 1), uniform([2, 2, t, 3], seed: 2), uniform([2, 2, t, 3], seed: 3)]) {
            scaledDotProductAttention($0[0], $0[1], $0[2], isCausal: causal)
        }
    }
    @Test func sdpaSameTensorForQKV() {
        gradCheck([uniform([1, 2, 5, 3])]) { scaledDotProductAttention($0[0], $0[0], $0[0], isCausal: true) }
    }
    // T = 33 and 70 span several 32-row causal blocks (the last one partial).
    @Test(arguments: [1, 2, 13, 33, 70])
    func fusedCausal(t: Int) {
        gradCheck([uniform([t > 32 ? 1 : 2, t, 3 * 6], -1, 1)]) { causalSelfAttention(qkv: $0[0], nHead: 2, dropoutP: 0, training: true) }
    }
    @Test func fusedCausalWithDropout() {
        gradCheck([uniform([2, 9, 3 * 4], -1, 1)], reseed: { manualSeed(11) }) {
            causalSelfAttention(qkv: $0[0], nHead: 2, dropoutP: 0.25, training: true)
        }
        gradCheck([uniform([1, 45, 3 * 4], -1, 1)], reseed: { manualSeed(13) }) {
            causalSelfAttention(qkv: $0[0], nHead: 2, dropoutP: 0.2, training: true)
        }
        gradCheck([uniform([1, 2, 7, 3], -1, 1), uniform([1, 2, 7, 3], seed: 2), uniform([1, 2, 7, 3], seed: 3)],
                  reseed: { manualSeed(12) }) {
            scaledDotProductAttention($0[0], $0[1], $0[2], isCausal: true, dropoutP: 0.3)
        }
    }
}

@Suite struct TapeTests {
    @Test func gradientsAccumulateAcrossBackwardCalls() {
        let w = Tensor([1, 2, 3], requiresGrad: true)
        (w * w).sum().backward()
        (w * 3).sum().backward()
        #expect(w.grad!.scalars == [5, 7, 9])  // 2w + 3
        w.zeroGrad()
        #expect(w.grad == nil)
        (w * 2).sum().backward()
        #expect(w.grad!.scalars == [2, 2, 2])
    }

    @Test func fanOutAccumulatesWithinOneGraph() {
        let x = Tensor([2], requiresGrad: true)
        let y = x * 3
        let z = y * y + y  // dz/dx = (2y + 1)·3 = 39
        z.sum().backward()
        #expect(x.grad!.scalars == [39])
    }

    @Test func noGradRecordsNothing() {
        let x = Tensor([1, 2], requiresGrad: true)
        let y = noGrad { x * 2 }
        #expect(!y.requiresGrad)
        #expect(isGradEnabled)
        let inside = noGrad { isGradEnabled }
        #expect(inside == false)
    }

    @Test func detachCutsTheGraph() {
        let x = Tensor([1, 2], requiresGrad: true)
        let y = (x * x).detach() * x
        y.sum().backward()
        #expect(x.grad!.scalars == [1, 4])  // d/dx (c·x) with c = x² held constant
    }

    @Test func nonLeafGradIsNotKept() {
        let x = Tensor([1, 2], requiresGrad: true)
        let y = x * 2
        y.sum().backward()
        #expect(y.grad == nil)
        #expect(x.grad!.scalars == [2, 2])
    }

    @Test func explicitGradientForNonScalar() {
        let x = Tensor([1, 2, 3], requiresGrad: true)
        (x * x).backward(Tensor([1, 0, 2]))
        #expect(x.grad!.scalars == [2, 0, 12])
    }

    @Test func viewGradientFlowsToLeafAndAccumulates() {
        let x = Tensor([1, 2, 3, 4], requiresGrad: true)
        let a = x.view(2, 2), b = x.view(4, 1)
        (a.sum() + b.sum() * 2).backward()
        #expect(x.grad!.scalars == [3, 3, 3, 3])
    }
}
