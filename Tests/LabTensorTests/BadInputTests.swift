import Testing
import LabTensor

// Bad input stops with a message even in -Ounchecked builds (exit tests run the body in a child process).
@Suite struct BadInputTests {
    @Test func shapeMismatchStops() async {
        await #expect(processExitsWith: .failure) {
            _ = Tensor([1, 2, 3]) + Tensor([1, 2])
        }
        await #expect(processExitsWith: .failure) {
            _ = causalSelfAttention(qkv: Tensor.zeros([1, 2, 12]), nHead: 3)   // C = 4 is not divisible by 3
        }
        await #expect(processExitsWith: .failure) {
            _ = crossEntropy(Tensor.zeros([2, 5]), Tensor(ints: [0, 5]))       // target out of range
        }
    }
}
