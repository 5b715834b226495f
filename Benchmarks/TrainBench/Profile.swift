// --profile: per-op timings at the lab model's shapes (B=32, T=128, C=256, 4 heads, V=65), forward and forward+backward,
// minimum of --op-repeats runs each, and their sum weighted by how often one training step runs each op.
import Foundation
import LabNN
import LabTensor

func profileOps(repeats: Int) {
    let (B, T, C, V) = (32, 128, 256, 65)
    func best(_ body: () -> Void) -> Double {
        body()
        var ms = Double.infinity
        for _ in 0..<repeats { let t0 = now(); body(); ms = min(ms, 1000 * (now() - t0)) }
        return ms
    }
    /// (forward ms, forward+backward ms) of `op` on fresh leaves from `inputs`.
    func time(_ inputs: @escaping () -> [Tensor], _ op: @escaping ([Tensor]) -> Tensor) -> (Double, Double) {
        let xs = inputs()
        let fwd = best { _ = noGrad { op(xs) } }
        let out = op(xs)
        let g = Tensor.randn(out.shape)
        let both = best {
            for x in xs where x.requiresGrad { x.zeroGrad() }
            op(xs).backward(g)
        }
        return (fwd, both)
    }
    let leaf = { (s: [Int]) in Tensor.randn(s, std: 0.5, requiresGrad: true) }
    let ids = Tensor.randint(V, [B, T]), targets = Tensor.randint(V, [B * T])
    let rows: [(String, Int, (Double, Double))] = [
        ("embedding wte (B,T)->(B,T,C)", 1, time({ [leaf([V, C])] }) { embedding(ids, $0[0]) }),
        ("add (B,T,C)+(T,C) / residual", 9, time({ [leaf([B, T, C]), leaf([B, T, C])] }) { $0[0] + $0[1] }),
        ("dropout p=0.1 (B,T,C)", 9, time({ [leaf([B, T, C])] }) { dropout($0[0], p: 0.1, training: true) }),
        ("layerNorm (B,T,C)", 9, time({ [leaf([B, T, C]), leaf([C]), leaf([C])] }) { layerNorm($0[0], $0[1], $0[2]) }),
        ("linear c_attn C->3C", 4, time({ [leaf([B, T, C]), leaf([3 * C, C]), leaf([3 * C])] }) { linear($0[0], $0[1], $0[2]) }),
        ("causalSelfAttention (B,T,3C) p=0.1", 4, time({ [leaf([B, T, 3 * C])] }) { causalSelfAttention(qkv: $0[0], nHead: 4, dropoutP: 0.1, training: true) }),
        ("linear attn.c_proj C->C", 4, time({ [leaf([B, T, C]), leaf([C, C]), leaf([C])] }) { linear($0[0], $0[1], $0[2]) }),
        ("linear c_fc C->4C", 4, time({ [leaf([B, T, C]), leaf([4 * C, C]), leaf([4 * C])] }) { linear($0[0], $0[1], $0[2]) }),
        ("gelu (B,T,4C)", 4, time({ [leaf([B, T, 4 * C])] }) { $0[0].gelu() }),
        ("linear mlp.c_proj 4C->C", 4, time({ [leaf([B, T, 4 * C]), leaf([C, 4 * C]), leaf([C])] }) { linear($0[0], $0[1], $0[2]) }),
        ("linear lm_head C->V", 1, time({ [leaf([B, T, C]), leaf([V, C])] }) { linear($0[0], $0[1], nil) }),
        ("crossEntropy (B*T,V)", 1, time({ [leaf([B * T, V])] }) { crossEntropy($0[0], targets) }),
    ]
    print(String(format: "probe sgemm 512³: %.0f GFLOP/s", probeGFLOPS()))
    print("op at the lab shapes                  per step   fwd ms   fwd+bwd ms   ×count fwd+bwd")
    var total = 0.0
    for (name, count, (f, fb)) in rows {
        total += Double(count) * fb
        print(name.padding(toLength: 38, withPad: " ", startingAt: 0) + String(format: "%5d   %7.2f   %9.2f   %9.2f", count, f, fb, Double(count) * fb))
    }
    // The optimizer side of a step.
    let model = GPT(.miniShakespeare(vocabSize: 65))
    for p in model.parameters() { p.grad = Tensor.randn(p.shape, std: 0.01) }
    let opt = AdamW(model.parameters(), lr: 3e-4)
    let clip = best { clipGradNorm(model.parameters(), maxNorm: 1) }
    let adam = best { opt.step() }
    let params = best { _ = model.parameters() }
    print(String(format: "clipGradNorm (3.2M)                       %7.2f", clip))
    print(String(format: "AdamW.step (3.2M)                         %7.2f", adam))
    print(String(format: "model.parameters() (reflection)           %7.3f", params))
    print(String(format: "sum of op fwd+bwd × count + clip + AdamW: %.1f ms per step", total + clip + adam))
    print(String(format: "probe sgemm 512³: %.0f GFLOP/s", probeGFLOPS()))
}

/// Process CPU seconds (all threads): CPU time / wall time = how many cores were busy.
func cpuNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// --phases: a training step split into forward (+ loss), backward, clipGradNorm and AdamW.step, each as median wall
/// ms, median CPU ms (all threads) and cores busy (CPU / wall), over `steps` steps after `warmup` steps.
func profilePhases(_ model: GPT, _ optimizer: AdamW, _ batch: () -> (Tensor, Tensor), steps: Int, warmup: Int) {
    let names = ["forward + loss", "backward", "clipGradNorm", "AdamW.step", "whole step"]
    var wall = [[Double]](repeating: [], count: names.count), cpu = wall
    model.train()
    for i in 0..<(warmup + steps) {
        let (x, y) = batch()
        var w0 = now(), c0 = cpuNow()
        let wStart = w0, cStart = c0
        func lap(_ k: Int) {
            let w = now(), c = cpuNow()
            if i >= warmup { wall[k].append(1000 * (w - w0)); cpu[k].append(1000 * (c - c0)) }
            w0 = w; c0 = c
        }
        let (_, loss) = model(x, y)
        _ = loss!.item()
        lap(0)
        optimizer.zeroGrad()
        loss!.backward()
        lap(1)
        clipGradNorm(model.parameters(), maxNorm: 1)
        lap(2)
        optimizer.step()
        lap(3)
        if i >= warmup { wall[4].append(1000 * (now() - wStart)); cpu[4].append(1000 * (cpuNow() - cStart)) }
    }
    // Forward-only evaluation at the same shapes (eval mode, noGrad), as train-bench's `eval` figure.
    model.eval()
    var evalWall: [Double] = [], evalCPU: [Double] = []
    let (ex, ey) = batch()
    for i in 0..<(warmup + steps) {
        let w0 = now(), c0 = cpuNow()
        _ = noGrad { model(ex, ey).loss!.item() }
        if i >= warmup { evalWall.append(1000 * (now() - w0)); evalCPU.append(1000 * (cpuNow() - c0)) }
    }
    model.train()
    print("phase of a training step            wall ms     CPU ms   cores busy   (medians of \(steps) steps)")
    for k in 0..<names.count {
        let w = median(wall[k]), c = median(cpu[k])
        print(names[k].padding(toLength: 34, withPad: " ", startingAt: 0) + String(format: "%9.1f  %9.1f   %6.2f", w, c, c / w))
    }
    let w = median(evalWall), c = median(evalCPU)
    print("eval forward (32,128), noGrad".padding(toLength: 34, withPad: " ", startingAt: 0) + String(format: "%9.1f  %9.1f   %6.2f", w, c, c / w))
}
