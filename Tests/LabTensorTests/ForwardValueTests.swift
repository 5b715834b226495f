import Testing
@testable import LabTensor
#if canImport(Glibc)
import Glibc
#endif

// Forward values against numbers computed independently here in Double from the defining formulas.

@Suite struct ForwardValueTests {
    @Test func softmaxOfOneTwoThree() {
        let e = [1.0, 2.0, 3.0].map { Glibc.exp($0) }
        let s = e.reduce(0, +)
        #expect(close(softmax(Tensor([1, 2, 3]), dim: -1).scalars, e.map { $0 / s }, atol: 1e-6))
        #expect(close(logSoftmax(Tensor([1, 2, 3]), dim: 0).scalars, e.map { Glibc.log($0 / s) }, atol: 1e-6))
        // 0.09003057, 0.24472847, 0.66524096 (well-known values)
        #expect(close(softmax(Tensor([1, 2, 3])).scalars, [0.09003057, 0.24472847, 0.66524096] as [Double], atol: 1e-6))
    }

    @Test func crossEntropyWithIgnoreIndex() {
        let logits = Tensor([[1, 2, 3], [0, 0, 0], [5, -1, 2]])
        let loss = crossEntropy(logits, Tensor(ints: [2, -100, 0]), ignoreIndex: -100)
        func nll(_ row: [Double], _ t: Int) -> Double {
            -(row[t] - Glibc.log(row.map { Glibc.exp($0) }.reduce(0, +)))
        }
        let expected = (nll([1, 2, 3], 2) + nll([5, -1, 2], 0)) / 2
        #expect(Swift.abs(Double(loss.item()) - expected) < 1e-6)
        // Without ignoring, the uniform row adds log(3).
        let all = crossEntropy(logits, Tensor(ints: [2, 1, 0]))
        #expect(Swift.abs(Double(all.item()) - (nll([1, 2, 3], 2) + Glibc.log(3) + nll([5, -1, 2], 0)) / 3) < 1e-6)
    }

    /// A uniform model over 65 classes: every row's loss is log 65, so the mean must be the Float nearest to
    /// log 65 = 4.174387269895637 (not 4.17439 from Float accumulation), and its perplexity 65.00 when printed.
    @Test func crossEntropyOfAUniformModelIsExactlyLog65() {
        let (n, v) = (32 * 128, 65)
        let targets = Tensor(ints: (0..<n).map { ($0 * 7) % v })
        for level in [0, 0.3, -2.5] as [Float] {
            let loss = crossEntropy(Tensor.full([n, v], level), targets)
            #expect(loss.item() == Float(Glibc.log(65.0)), "uniform logits at \(level): loss \(loss.item())")
            #expect(Swift.abs(Double(loss.item()) - Glibc.log(65.0)) < 2.5e-7)
            #expect(formatFixed(Float(Glibc.exp(Double(loss.item()))), 2) == "65.00")
        }
    }

    @Test func layerNormOfASmallRow() {
        let x: [Double] = [1, 2, 4, 7]
        let m = x.reduce(0, +) / 4
        let v = x.map { ($0 - m) * ($0 - m) }.reduce(0, +) / 4
        let w: [Double] = [1, 0.5, -1, 2], b: [Double] = [0, 1, 0, -1]
        let expected = (0..<4).map { (x[$0] - m) / (v + 1e-5).squareRoot() * w[$0] + b[$0] }
        let y = layerNorm(Tensor(x.map { Float($0) }, shape: [1, 4]), Tensor(w.map { Float($0) }), Tensor(b.map { Float($0) }))
        #expect(close(y.scalars, expected, atol: 1e-5))
    }

    @Test func geluAtAFewPoints() {
        let pts: [Double] = [-3, -1, -0.5, 0, 0.3, 1, 2.5]
        let exact = pts.map { 0.5 * $0 * (1 + Glibc.erf($0 / 2.0.squareRoot())) }
        let approx = pts.map { 0.5 * $0 * (1 + Glibc.tanh((2 / Double.pi).squareRoot() * ($0 + 0.044715 * $0 * $0 * $0))) }
        let x = Tensor(pts.map { Float($0) })
        #expect(close(x.gelu().scalars, exact, atol: 2e-6))
        #expect(close(x.gelu(approximate: .tanh).scalars, approx, atol: 2e-6))
        // The two differ measurably at -3 (so each test above checks its own formula).
        #expect(Swift.abs(exact[0] - approx[0]) > 1e-4)
    }

    @Test func reductionsAndVariance() {
        let x = Tensor([[1, 2, 3], [4, 5, 9]])
        #expect(x.sum().item() == 24)
        #expect(x.sum(dim: 0).scalars == [5, 7, 12])
        #expect(x.mean(dim: 1, keepDim: true).shape == [2, 1])
        #expect(close(x.var(dim: 1).scalars, [1, 7] as [Double]))
        #expect(close(x.var(dim: 1, unbiased: false).scalars, [2.0 / 3, 14.0 / 3]))
        let (v, i) = x.max(dim: 1)
        #expect(v.scalars == [3, 9] && i.ints == [2, 2])
        #expect(x.argmax(dim: 0).ints == [1, 1, 1])
        #expect(x.max().item() == 9)
    }

    @Test func matmulValues() {
        let a = Tensor([[1, 2], [3, 4]]), b = Tensor([[5, 6], [7, 8]])
        #expect(matmul(a, b).scalars == [19, 22, 43, 50])
        #expect((a.T).scalars == [1, 3, 2, 4])
    }

    @Test func shapesAndIndexing() {
        let x = Tensor((0..<24).map(Float.init), shape: [2, 3, 4])
        #expect(x[.all, -1, .all].scalars == [8, 9, 10, 11, 20, 21, 22, 23])
        #expect(x[0..., -1].shape == [2, 4])
        #expect(x[1].shape == [3, 4] && x[1][0][0].item() == 12)
        #expect(x[0..<1, 1..<3, 2].scalars == [6, 10])
        #expect(x[.newAxis].shape == [1, 2, 3, 4])
        #expect(x.transpose(0, 2).shape == [4, 3, 2] && x.transpose(0, 2)[1, 2, 0].item() == 9)
        #expect(x.view(-1, 4).shape == [6, 4])
        #expect(cat([x, x], dim: 1).shape == [2, 6, 4])
        #expect(stack([x, x], dim: 0).shape == [2, 2, 3, 4])
        #expect(x.split(2, dim: 2).map(\.shape) == [[2, 3, 2], [2, 3, 2]])
        #expect(x.chunk(2, dim: 1).map(\.shape) == [[2, 2, 4], [2, 1, 4]])
        #expect(Tensor.tril(3).scalars == [1, 0, 0, 1, 1, 0, 1, 1, 1])
        #expect(Tensor.arange(4).ints == [0, 1, 2, 3])
    }

    @Test func maskedFillAndComparisons() {
        let att = Tensor.ones([3, 3]).maskedFill(Tensor.tril(3) .== 0, -.infinity)
        let third: Float = 1.0 / 3
        let expected: [Float] = [1, 0, 0, 0.5, 0.5, 0, third, third, third]
        #expect(softmax(att).scalars == expected)
    }

    @Test func printsLikePyTorch() {
        #expect(Tensor([[1, 2], [3, 4.5]]).description == "tensor([[1.0000, 2.0000],\n        [3.0000, 4.5000]])")
        #expect(Tensor(ints: [1, 2]).description == "tensor([1, 2], dtype=int32)")
    }

    @Test func seededGeneratorIsRepeatable() {
        manualSeed(42)
        let a = Tensor.randn([5]).scalars, i = Tensor.randint(10, [5]).ints
        manualSeed(42)
        #expect(Tensor.randn([5]).scalars == a && Tensor.randint(10, [5]).ints == i)
        manualSeed(1)
        let big = Tensor.randn([20000])
        let m = big.mean().item(), sd = big.var(dim: 0).item().squareRoot()
        #expect(Swift.abs(m) < 0.03 && Swift.abs(sd - 1) < 0.03)
    }

    @Test func multinomialAndTopK() {
        manualSeed(3)
        let probs = Tensor([0.1, 0, 0.6, 0.3])
        var counts = [0, 0, 0, 0]
        for _ in 0..<4000 { counts[multinomial(probs, numSamples: 1).ints[0]] += 1 }
        #expect(counts[1] == 0)
        #expect(Swift.abs(Double(counts[2]) / 4000 - 0.6) < 0.04)
        let (v, i) = topK(Tensor([[3, 1, 4, 1, 5]]), 2)
        #expect(v.scalars == [5, 4] && i.ints == [4, 2])
        #expect(Set(multinomial(probs, numSamples: 3).ints) == [0, 2, 3])
    }

    @Test func dropoutScalesKeptValuesAndIsIdentityInEval() {
        manualSeed(9)
        let x = Tensor.ones([10000])
        let y = dropout(x, p: 0.25, training: true).scalars
        let kept = y.filter { $0 != 0 }
        #expect(kept.allSatisfy { Swift.abs($0 - 1 / 0.75) < 1e-6 })
        #expect(Swift.abs(Double(kept.count) / 10000 - 0.75) < 0.02)
        #expect(dropout(x, p: 0.25, training: false) === x)
    }
}
