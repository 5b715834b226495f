import Foundation
import XCTest
@testable import LabNN
import LabTensor

final class OptimizerTests: XCTestCase {
    // 11 elements: one 8-wide SIMD chunk plus a scalar tail.
    let p0: [Float] = [1, -2, 0.5, 3, -0.25, 0.125, 2, -1, 0.75, -3, 0.01]
    let g1: [Float] = [0.1, -0.2, 0.3, 0, 1.5, -0.01, 0.2, 0.4, -0.6, 0.05, 2]
    let g2: [Float] = [-0.3, 0.1, 0.2, 0.7, -0.5, 0.02, -0.2, 0.1, 0.6, -0.05, 1]

    func testAdamWTwoStepsMatchTheFormulaInDouble() {
        let p = Tensor(p0, requiresGrad: true)
        let opt = AdamW([p], lr: 0.1, betas: (0.9, 0.99), eps: 1e-8, weightDecay: 0.05)
        var ref = p0.map(Double.init), m = [Double](repeating: 0, count: 11), v = m
        for (t, g) in [g1, g2].enumerated() {
            p.grad = Tensor(g)
            opt.step()
            let step = Double(t + 1)
            for i in 0..<11 {
                let gi = Double(g[i])
                ref[i] *= 1 - 0.1 * 0.05
                m[i] = 0.9 * m[i] + 0.1 * gi
                v[i] = 0.99 * v[i] + 0.01 * gi * gi
                let mh = m[i] / (1 - pow(0.9, step)), vh = v[i] / (1 - pow(0.99, step))
                ref[i] -= 0.1 * mh / (vh.squareRoot() + 1e-8)
            }
            for i in 0..<11 { XCTAssertEqual(Double(p.scalars[i]), ref[i], accuracy: 1e-6, "step \(t + 1) element \(i)") }
        }
        XCTAssertEqual(opt.state(for: p)!.step, 2)
    }

    func testAdamWSkipsParametersWithoutGradAndAppliesGroupDecay() {
        let w = Tensor([1, 2, 3, 4], shape: [2, 2], requiresGrad: true)
        let b = Tensor([1, 2], requiresGrad: true)
        let frozen = Tensor([5], requiresGrad: true)
        let opt = AdamW(ParamGroup.decayMatricesOnly([w, b, frozen], weightDecay: 0.5), lr: 0.1)
        XCTAssertEqual(opt.paramGroups.map { $0.parameters.count }, [1, 2])
        w.grad = Tensor.zeros([2, 2])      // zero gradient: only the decoupled decay moves the weights
        b.grad = Tensor.zeros([2])
        opt.step()
        XCTAssertEqual(w.scalars, [1, 2, 3, 4].map { Float($0) * (1 - 0.1 * 0.5) })
        XCTAssertEqual(b.scalars, [1, 2])
        XCTAssertEqual(frozen.scalars, [5])
        XCTAssertNil(opt.state(for: frozen))
    }

    func testSGDMomentumAndWeightDecayMatchPyTorchFormula() {
        let p = Tensor(p0, requiresGrad: true)
        let opt = SGD([p], lr: 0.05, momentum: 0.9, weightDecay: 0.1)
        var ref = p0.map(Double.init), buf = [Double](repeating: 0, count: 11)
        for (t, g) in [g1, g2].enumerated() {
            p.grad = Tensor(g)
            opt.step()
            for i in 0..<11 {
                let d = Double(g[i]) + 0.1 * ref[i]
                buf[i] = t == 0 ? d : 0.9 * buf[i] + d
                ref[i] -= 0.05 * buf[i]
            }
            for i in 0..<11 { XCTAssertEqual(Double(p.scalars[i]), ref[i], accuracy: 1e-6) }
        }
        let q = Tensor([1, 2], requiresGrad: true)
        q.grad = Tensor([0.5, -1])
        SGD([q], lr: 0.1).step()
        XCTAssertEqual(q.scalars, [0.95, 2.1])
    }

    func testLearningRateIsSettable() {
        let p = Tensor([1], requiresGrad: true)
        let opt = SGD([p], lr: 1)
        opt.learningRate = 0.5
        p.grad = Tensor([2])
        opt.step()
        XCTAssertEqual(p.scalars, [0])
    }

    func testClipGradNormReturnsNormBeforeClippingAndScales() {
        let a = Tensor([0, 0], requiresGrad: true), b = Tensor([0], requiresGrad: true)
        a.grad = Tensor([3, 4])
        b.grad = Tensor([12])
        let norm = clipGradNorm([a, b], maxNorm: 1)
        XCTAssertEqual(norm, 13, accuracy: 1e-5)
        let c = Float(1 / (13 + 1e-6))
        XCTAssertEqual(a.grad!.scalars[0], 3 * c, accuracy: 1e-7)
        XCTAssertEqual(a.grad!.scalars[1], 4 * c, accuracy: 1e-7)
        XCTAssertEqual(b.grad!.scalars[0], 12 * c, accuracy: 1e-7)
        XCTAssertEqual(clipGradNorm([a, b], maxNorm: 5), 1, accuracy: 1e-5)   // below the max: unchanged
        XCTAssertEqual(b.grad!.scalars[0], 12 * c, accuracy: 1e-7)
    }

    func testClipGradNormAfterBackwardOfASum() {
        // Both leaves get their gradient from the same upstream tensor; each must be scaled exactly once.
        let a = Tensor([1, 2, 3], requiresGrad: true), b = Tensor([4, 5, 6], requiresGrad: true)
        ((a + b) * 2).sum().backward()
        let norm = clipGradNorm([a, b], maxNorm: 1)
        XCTAssertEqual(norm, (6 * 4 as Float).squareRoot(), accuracy: 1e-5)
        let expected = 2 / (norm + 1e-6)
        for g in a.grad!.scalars + b.grad!.scalars { XCTAssertEqual(g, expected, accuracy: 1e-6) }
    }
}

final class ScheduleTests: XCTestCase {
    /// Hugging Face transformers.get_cosine_schedule_with_warmup's lr_lambda, written out in Double.
    func hf(_ step: Int, warmup: Int, total: Int, cycles: Double = 0.5) -> Double {
        if step < warmup { return Double(step) / Double(max(1, warmup)) }
        let progress = Double(step - warmup) / Double(max(1, total - warmup))
        return max(0, 0.5 * (1 + cos(Double.pi * cycles * 2 * progress)))
    }

    func testCosineWithWarmupMatchesHuggingFace() {
        let s = CosineWithWarmup(learningRate: 2e-3, warmupSteps: 10, totalSteps: 110)
        for step in [0, 1, 5, 9, 10, 11, 35, 60, 85, 109, 110, 150] {
            XCTAssertEqual(s.multiplier(step), hf(step, warmup: 10, total: 110), accuracy: 1e-12, "step \(step)")
            XCTAssertEqual(Double(s(step)), 2e-3 * hf(step, warmup: 10, total: 110), accuracy: 1e-9)
        }
        // Hand values: half way through warm-up, the end of warm-up, half way through the decay, the end.
        XCTAssertEqual(s.multiplier(5), 0.5)
        XCTAssertEqual(s.multiplier(10), 1)
        XCTAssertEqual(s.multiplier(60), 0.5, accuracy: 1e-12)
        XCTAssertEqual(s.multiplier(110), 0, accuracy: 1e-12)
        XCTAssertEqual(CosineWithWarmup(learningRate: 1, warmupSteps: 0, totalSteps: 4, numCycles: 1).multiplier(2), 0, accuracy: 1e-12)
    }

    func testNanoGPTScheduleAndConstant() {
        let s = CosineWithWarmupToMin(learningRate: 1e-3, minLearningRate: 1e-4, warmupSteps: 100, decaySteps: 5000)
        XCTAssertEqual(s(0), 1e-3 * 1 / 101, accuracy: 1e-10)
        XCTAssertEqual(s(99), 1e-3 * 100 / 101, accuracy: 1e-10)
        XCTAssertEqual(s(100), 1e-3, accuracy: 1e-10)
        XCTAssertEqual(s(2550), 5.5e-4, accuracy: 1e-9)      // half way: min + (max − min)/2
        XCTAssertEqual(s(5000), 1e-4, accuracy: 1e-10)
        XCTAssertEqual(s(9000), 1e-4)
        XCTAssertEqual(ConstantLR(3e-4)(12345), 3e-4)
    }
}
