import Testing
@testable import LabTensor

@Test func smokeForwardBackward() {
    manualSeed(0)
    let x = Tensor([1, 2, 3], requiresGrad: true)
    let y = (x * x).sum()
    y.backward()
    #expect(x.grad!.scalars == [2, 4, 6])
    let w = Tensor.randn([4, 3], requiresGrad: true), b = Tensor.zeros([4], requiresGrad: true)
    let out = linear(Tensor.randn([2, 5, 3]), w, b)
    #expect(out.shape == [2, 5, 4])
    let loss = crossEntropy(out.view(-1, 4), Tensor.randint(4, [10]))
    loss.backward()
    #expect(w.grad!.shape == [4, 3])
    #expect(!BLAS.coreName.isEmpty)
}
