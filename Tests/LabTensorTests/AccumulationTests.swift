import Testing
@testable import LabTensor

/// The accumulate (`+=`, beta = 1) path of every backward kernel: two backward() calls on two fresh graphs must give
/// twice the gradient of one, and using an input twice in one graph (fan-out) must give the sum.
func accumulationCheck(_ inputs: [Tensor], reseed: (() -> Void)? = nil, sourceLocation: SourceLocation = #_sourceLocation,
                       _ f: ([Tensor]) -> Tensor) {
    for x in inputs { x.requiresGrad = true; x.zeroGrad() }
    manualSeed(99)
    let r = noGrad { reseed?(); return Tensor.randn(f(inputs).shape) }
    func run() { reseed?(); (f(inputs) * r).sum().backward() }
    run()
    let once = inputs.map { $0.grad!.scalars }
    run()
    for (k, x) in inputs.enumerated() {
        #expect(close(x.grad!.scalars, once[k].map { 2 * $0 }, atol: 1e-5, rtol: 1e-4), "input \(k): second backward",
                sourceLocation: sourceLocation)
    }
    // Fan-out in one graph: f(x) + f(x) with the second op's backward accumulating.
    for x in inputs { x.zeroGrad() }
    reseed?()
    let a = f(inputs)
    reseed?()
    let b = f(inputs)
    ((a + b) * r).sum().backward()
    for (k, x) in inputs.enumerated() {
        #expect(close(x.grad!.scalars, once[k].map { 2 * $0 }, atol: 1e-5, rtol: 1e-4), "input \(k): fan-out",
                sourceLocation: sourceLocation)
    }
}

@Suite struct AccumulationTests {
    @Test func linearAndMatmul() {
        accumulationCheck([uniform([3, 5, 7]), uniform([9, 7], seed: 2), uniform([9], seed: 3)]) { linear($0[0], $0[1], $0[2]) }
        accumulationCheck([uniform([2, 3, 4]), uniform([2, 4, 5], seed: 2)]) { matmul($0[0], $0[1]) }
    }
    @Test func rowKernels() {
        accumulationCheck([uniform([5, 37]), uniform([37], seed: 2), uniform([37], seed: 3)]) { layerNorm($0[0], $0[1], $0[2]) }
        accumulationCheck([uniform([4, 65], -3, 3)]) { softmax($0[0]) }
        accumulationCheck([uniform([4, 65], -3, 3)]) { logSoftmax($0[0]) }
        accumulationCheck([uniform([6, 65], -3, 3)]) { crossEntropy($0[0], Tensor(ints: [1, 64, -1, 0, 3, 3]), ignoreIndex: -1) }
        accumulationCheck([uniform([5, 3])]) { embedding(Tensor(ints: [4, 4, 0]), $0[0]) }
    }
    @Test func elementwise() {
        accumulationCheck([uniform([1001], -4, 4)]) { $0[0].gelu() }
        accumulationCheck([uniform([1001], -4, 4)]) { $0[0].gelu(approximate: .tanh) }
        accumulationCheck([uniform([1001])], reseed: { manualSeed(5) }) { dropout($0[0], p: 0.3) }
        accumulationCheck([uniform([3, 5]), uniform([5], seed: 2)]) { $0[0] * $0[1] + $0[1] }
    }
    @Test func fusedAttention() {
        accumulationCheck([uniform([2, 40, 12])]) { causalSelfAttention(qkv: $0[0], nHead: 2) }
    }
    @Test func fusedAttentionDropout() {
        accumulationCheck([uniform([1, 37, 24])], reseed: { manualSeed(8) }) {
            causalSelfAttention(qkv: $0[0], nHead: 2, dropoutP: 0.2, training: true)
        }
    }
    @Test func sdpa() {
        accumulationCheck([uniform([1, 2, 9, 4]), uniform([1, 2, 9, 4], seed: 2), uniform([1, 2, 9, 4], seed: 3)]) {
            scaledDotProductAttention($0[0], $0[1], $0[2], isCausal: true)
        }
    }
}
