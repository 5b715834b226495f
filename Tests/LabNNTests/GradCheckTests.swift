import Foundation
import XCTest
@testable import LabNN
import LabTensor

/// Autograd through a whole transformer Block against central finite differences.
final class GradCheckTests: XCTestCase {
    func testBlockGradientsMatchFiniteDifferences() {
        manualSeed(7)
        let config = GPTConfig(vocabSize: 5, blockSize: 4, nLayer: 1, nHead: 2, nEmbd: 8, dropout: 0)
        let block = Block(config)
        // Non-trivial LayerNorm parameters and biases.
        for (_, p) in block.namedParameters() where p.ndim == 1 {
            p.withUnsafeMutableFloats { d, n in for i in 0..<n { d[i] += 0.3 * Float(sin(Double(i) + 1)) } }
        }
        let x = Tensor.randn([2, 3, 8], requiresGrad: true)
        let r = Tensor.randn([2, 3, 8])
        func loss() -> Tensor { (block(x) * r).sum() }
        loss().backward()

        func check(_ name: String, _ t: Tensor, _ indices: [Int]) {
            let analytic = (name == "x" ? x.grad! : t.grad!).scalars
            for i in indices {
                let h: Float = 1e-2
                let orig = t.withUnsafeFloats { p, _ in p[i] }
                t.withUnsafeMutableFloats { p, _ in p[i] = orig + h }
                let up = noGrad { Double(loss().item()) }
                t.withUnsafeMutableFloats { p, _ in p[i] = orig - h }
                let down = noGrad { Double(loss().item()) }
                t.withUnsafeMutableFloats { p, _ in p[i] = orig }
                let numeric = (up - down) / Double(2 * h)
                XCTAssertEqual(Double(analytic[i]), numeric, accuracy: 3e-3 + 2e-2 * abs(numeric), "\(name)[\(i)]")
            }
        }
        check("x", x, [0, 5, 13, 23, 30, 47])
        let p = block.stateDict()
        check("ln_1.weight", p["ln_1.weight"]!, [0, 3, 7])
        check("ln_1.bias", p["ln_1.bias"]!, [1, 6])
        check("attn.c_attn.weight", p["attn.c_attn.weight"]!, [0, 17, 70, 101, 150, 191])   // q, k and v rows
        check("attn.c_attn.bias", p["attn.c_attn.bias"]!, [2, 9, 20])
        check("attn.c_proj.weight", p["attn.c_proj.weight"]!, [5, 33, 63])
        check("ln_2.bias", p["ln_2.bias"]!, [4])
        check("mlp.c_fc.weight", p["mlp.c_fc.weight"]!, [0, 100, 255])
        check("mlp.c_proj.weight", p["mlp.c_proj.weight"]!, [7, 128, 250])
        check("mlp.c_proj.bias", p["mlp.c_proj.bias"]!, [3])
    }
}
