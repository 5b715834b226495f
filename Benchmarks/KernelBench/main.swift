// kernel-bench: GFLOP/s of the sgemm shapes of the lab GPT, GB/s of elementwise kernels, attention fwd/bwd ms, and
// a whole mini-GPT training step (vocab 65, C 256, 4 heads, 4 layers, T 128, B 32, dropout 0.1) built from LabTensor
// ops alone. Prints the median of several runs.
//
//   swift run -c release --scratch-path .build-tensor kernel-bench [--threads N] [--quick] [--cpu] [--gpt (only the GPT step)]
import LabTensor
#if canImport(Glibc)
import Glibc
#endif

/// `--cpu`: measure process CPU time instead of wall time (for a loaded machine; use with --threads 1).
let useCPUTime = CommandLine.arguments.contains("--cpu")

func now() -> Double {
    var ts = timespec()
    clock_gettime(useCPUTime ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Median seconds of `runs` calls after one warm-up.
func time(_ runs: Int = 7, _ body: () -> Void) -> Double {
    body()
    var ts: [Double] = []
    for _ in 0..<runs {
        let t0 = now()
        body()
        ts.append(now() - t0)
    }
    return ts.sorted()[runs / 2]
}

func fmt(_ x: Double, _ d: Int = 1) -> String {
    var s = 1.0
    for _ in 0..<d { s *= 10 }
    let r = (x * s).rounded() / s
    return String(r)
}

let args = CommandLine.arguments
if let i = args.firstIndex(of: "--threads"), i + 1 < args.count, let n = Int(args[i + 1]) { setNumThreads(n) }
let quick = args.contains("--quick")
print("OpenBLAS core: \(BLAS.coreName), recommended OPENBLAS_CORETYPE: \(BLAS.recommendedCoreType ?? "none needed"), threads: \(getNumThreads()), clock: \(useCPUTime ? "process CPU time" : "wall")")

// MARK: sgemm shapes (linear fwd, dX, dW) of the lab model, N = B·T = 4096
let gptOnly = args.contains("--gpt")
if !gptOnly {
print("\n== linear (sgemm) ==")
let N = 4096
for (inF, outF, name) in [(256, 768, "c_attn"), (256, 1024, "c_fc"), (1024, 256, "mlp c_proj"), (256, 65, "lm_head")] {
    let x = Tensor.randn([N, inF], requiresGrad: true), w = Tensor.randn([outF, inF], requiresGrad: true)
    let b = Tensor.zeros([outF], requiresGrad: true)
    let flops = 2.0 * Double(N * inF * outF)
    let fwd = time { _ = noGrad { linear(x, w, b) } }
    let g = Tensor.randn([N, outF])
    let bwd = time {
        let y = linear(x, w, b)
        y.backward(g)
    } - fwd
    print("\(name) \(N)x\(inF)->\(outF): fwd \(fmt(fwd * 1e3, 2)) ms (\(fmt(flops / fwd / 1e9)) GFLOP/s), bwd \(fmt(bwd * 1e3, 2)) ms (\(fmt(2 * flops / bwd / 1e9)) GFLOP/s)")
}
do {
    let a = Tensor.randn([1024, 1024]), b = Tensor.randn([1024, 1024])
    let t = time { _ = matmul(a, b) }
    print("matmul 1024^3: \(fmt(t * 1e3, 2)) ms, \(fmt(2e9 / t / 1e9 * 1.073741824)) GFLOP/s")
}

// MARK: elementwise and row kernels
print("\n== elementwise / row kernels ==")
do {
    let n = 4096 * 1024
    let a = Tensor.randn([4096, 1024], requiresGrad: true), b = Tensor.randn([4096, 1024])
    let add = time { _ = noGrad { a + b } }
    print("add 4M: \(fmt(add * 1e3, 3)) ms, \(fmt(12.0 * Double(n) / add / 1e9)) GB/s")
    for approx in [GELUApproximation.tanh, .none] {
        let f = time { _ = noGrad { a.gelu(approximate: approx) } }
        let g = Tensor.randn([4096, 1024])
        let fb = time { a.gelu(approximate: approx).backward(g) } - f
        a.zeroGrad()
        print("gelu(\(approx)) 4M: fwd \(fmt(f * 1e3, 3)) ms, bwd \(fmt(fb * 1e3, 3)) ms")
    }
    let d = time { _ = noGrad { dropout(a, p: 0.1) } }
    print("dropout 4M: \(fmt(d * 1e3, 3)) ms")
}
do {
    let x = Tensor.randn([4096, 256], requiresGrad: true)
    let w = Tensor.ones([256], requiresGrad: true), b = Tensor.zeros([256], requiresGrad: true)
    let g = Tensor.randn([4096, 256])
    let f = time { _ = noGrad { layerNorm(x, w, b) } }
    let fb = time { layerNorm(x, w, b).backward(g) } - f
    print("layerNorm 4096x256: fwd \(fmt(f * 1e6, 0)) us, bwd \(fmt(fb * 1e6, 0)) us")
    let r = time { _ = noGrad { x + x } }
    print("residual add 4096x256: \(fmt(r * 1e6, 0)) us")
}
do {
    let logits = Tensor.randn([4096, 65], requiresGrad: true)
    let t = Tensor.randint(65, [4096])
    let f = time { _ = noGrad { crossEntropy(logits, t) } }
    let fb = time { crossEntropy(logits, t).backward() } - f
    print("crossEntropy 4096x65: fwd \(fmt(f * 1e6, 0)) us, bwd \(fmt(fb * 1e6, 0)) us")
    let wte = Tensor.randn([65, 256], requiresGrad: true)
    let idx = Tensor.randint(65, [32, 128])
    let ef = time { _ = noGrad { embedding(idx, wte) } }
    let g = Tensor.randn([32, 128, 256])
    let eb = time { embedding(idx, wte).backward(g) } - ef
    print("embedding 32x128 -> 256: fwd \(fmt(ef * 1e6, 0)) us, bwd \(fmt(eb * 1e6, 0)) us")
}

// MARK: attention
print("\n== causal self-attention B=32 T=128 C=256 nh=4 ==")
do {
    let qkv = Tensor.randn([32, 128, 768], requiresGrad: true)
    let g = Tensor.randn([32, 128, 256])
    for p: Float in [0, 0.1] {
        let f = time { _ = noGrad { causalSelfAttention(qkv: qkv, nHead: 4, dropoutP: p, training: true) } }
        let fb = time { causalSelfAttention(qkv: qkv, nHead: 4, dropoutP: p, training: true).backward(g) }
        qkv.zeroGrad()
        print("dropout \(p): fwd \(fmt(f * 1e3, 2)) ms, bwd \(fmt((fb - f) * 1e3, 2)) ms")
    }
}

}  // !gptOnly

// MARK: whole mini-GPT step from LabTensor ops
print("\n== mini GPT training step (V 65, C 256, nh 4, L 4, T 128, B 32, dropout 0.1) ==")
do {
    let V = 65, C = 256, H = 4, L = 4, T = 128, B = 32, p: Float = 0.1
    manualSeed(1337)
    func param(_ s: [Int], _ std: Float = 0.02) -> Tensor { Tensor.randn(s, std: std, requiresGrad: true) }
    let wte = param([V, C]), wpe = param([T, C])
    struct Layer { let ln1w, ln1b, attnW, attnB, projW, projB, ln2w, ln2b, fcW, fcB, fc2W, fc2B: Tensor }
    let layers = (0..<L).map { _ in
        Layer(ln1w: Tensor.ones([C], requiresGrad: true), ln1b: Tensor.zeros([C], requiresGrad: true),
              attnW: param([3 * C, C]), attnB: Tensor.zeros([3 * C], requiresGrad: true),
              projW: param([C, C]), projB: Tensor.zeros([C], requiresGrad: true),
              ln2w: Tensor.ones([C], requiresGrad: true), ln2b: Tensor.zeros([C], requiresGrad: true),
              fcW: param([4 * C, C]), fcB: Tensor.zeros([4 * C], requiresGrad: true),
              fc2W: param([C, 4 * C]), fc2B: Tensor.zeros([C], requiresGrad: true))
    }
    let lnfw = Tensor.ones([C], requiresGrad: true), lnfb = Tensor.zeros([C], requiresGrad: true)
    let params = [wte, wpe, lnfw, lnfb] + layers.flatMap {
        [$0.ln1w, $0.ln1b, $0.attnW, $0.attnB, $0.projW, $0.projB, $0.ln2w, $0.ln2b, $0.fcW, $0.fcB, $0.fc2W, $0.fc2B]
    }
    let idx = Tensor.randint(V, [B, T]), targets = Tensor.randint(V, [B, T])
    let pos = Tensor.arange(T)
    func forward() -> Tensor {
        var x = dropout(embedding(idx, wte) + embedding(pos, wpe), p: p)                   // (B, T, C)
        for l in layers {
            let qkv = linear(layerNorm(x, l.ln1w, l.ln1b), l.attnW, l.attnB)                // (B, T, 3C)
            let y = causalSelfAttention(qkv: qkv, nHead: H, dropoutP: p, training: true)    // (B, T, C)
            x = x + dropout(linear(y, l.projW, l.projB), p: p)
            let h = linear(layerNorm(x, l.ln2w, l.ln2b), l.fcW, l.fcB).gelu()               // (B, T, 4C)
            x = x + dropout(linear(h, l.fc2W, l.fc2B), p: p)
        }
        let logits = linear(layerNorm(x, lnfw, lnfb), wte)                                 // (B, T, V), tied
        return crossEntropy(logits.view(-1, V), targets.view(-1))
    }
    let steps = quick ? 3 : 7
    let fwd = time(steps) { _ = forward() }
    let step = time(steps) {
        for q in params { q.zeroGrad() }
        forward().backward()
    }
    print("forward \(fmt(fwd * 1e3, 1)) ms, forward+backward \(fmt(step * 1e3, 1)) ms -> \(fmt(Double(B * T) / step, 0)) tokens/s (no optimizer)")
}
