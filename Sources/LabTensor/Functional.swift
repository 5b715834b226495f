// torch.nn.functional: softmax, logSoftmax, crossEntropy, layerNorm, embedding, dropout, maskedFill.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Moves `dim` last (copy) when it is not already last; returns the tensor and how to undo it.
private func withLastDim(_ x: Tensor, _ dim: Int, _ f: (Tensor) -> Tensor) -> Tensor {
    let d = normalizeDim(dim, x.ndim)
    if d == x.ndim - 1 { return f(x) }
    return f(x.transpose(d, -1)).transpose(d, -1)
}

/// Softmax over `dim`.
///
/// ```swift
/// let probs = softmax(logits, dim: -1)
/// ```
/// PyTorch: `F.softmax(x, dim=-1)`.
public func softmax(_ x: Tensor, dim: Int = -1) -> Tensor {
    withLastDim(x.float(), dim) { x in
        let n = x.shape.last ?? 1, rows = x.count / Swift.max(n, 1)
        let out = Tensor(uninitialized: x.shape)
        softmaxForward(out.data, x.data, rows, n)
        guard Tensor.needsGrad(x) else { return out }
        return out.record([x]) { out in
            let (p, acc) = x.gradBuffer()
            softmaxBackward(p, out.grad!.data, out.data, rows, n, accumulate: acc)
        }
    }
}

/// Log-softmax over `dim` (numerically stable). PyTorch: `F.log_softmax(x, dim=-1)`.
public func logSoftmax(_ x: Tensor, dim: Int = -1) -> Tensor {
    withLastDim(x.float(), dim) { x in
        let n = x.shape.last ?? 1, rows = x.count / Swift.max(n, 1)
        let out = Tensor(uninitialized: x.shape)
        logSoftmaxForward(out.data, x.data, rows, n)
        guard Tensor.needsGrad(x) else { return out }
        return out.record([x]) { out in
            let (p, acc) = x.gradBuffer()
            logSoftmaxBackward(p, out.grad!.data, out.data, rows, n, accumulate: acc)
        }
    }
}

extension Tensor {
    /// Softmax over `dim`. PyTorch: `x.softmax(dim)`.
    public func softmax(dim: Int = -1) -> Tensor { LabTensor.softmax(self, dim: dim) }
    /// Log-softmax over `dim`. PyTorch: `x.log_softmax(dim)`.
    public func logSoftmax(dim: Int = -1) -> Tensor { LabTensor.logSoftmax(self, dim: dim) }
}

/// Mean cross-entropy between logits (N, V) and int32 class targets (N), skipping targets equal to `ignoreIndex`.
/// Fused softmax + NLL: one pass per row, probabilities kept for backward. Logits (..., V) with targets (...) are
/// flattened first. Row losses and their mean are accumulated in Double (a uniform model gives exactly log V).
///
/// ```swift
/// let loss = crossEntropy(logits.view(-1, V), targets.view(-1))
/// ```
/// PyTorch: `F.cross_entropy(logits, targets, ignore_index=-1)`.
public func crossEntropy(_ logits: Tensor, _ targets: Tensor, ignoreIndex: Int? = nil) -> Tensor {
    check(targets.dtype == .int32, "crossEntropy: targets must be int32 class indices (Tensor(ints:))")
    let v = logits.shape.last ?? 1
    let n = logits.count / v
    check(targets.count == n,
                 "crossEntropy: logits \(logits.shape) need \(n) targets, got shape \(targets.shape)")
    let ig = ignoreIndex.map { Int32($0) }
    for i in 0..<n {
        let t = targets.idata[i]
        if let ig, t == ig { continue }
        check(t >= 0 && Int(t) < v, "crossEntropy: target \(t) out of range for \(v) classes")
    }
    let x = logits.float()
    let probs = Tensor(uninitialized: [n, v])
    let losses = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(n, 1))   // per row, in Double
    defer { losses.deallocate() }
    crossEntropyForward(losses, probs.data, x.data, targets.idata, n, v, ignoreIndex: ig)
    var counted = n
    if let ig { counted = (0..<n).reduce(0) { $0 + (targets.idata[$1] == ig ? 0 : 1) } }
    var total = 0.0                                  // the mean is taken in Double and rounded once
    for i in 0..<n { total += losses[i] }
    let out = Tensor([Float(total / Double(Swift.max(counted, 1)))], shape: [])
    if counted == 0 { out.data[0] = .nan }  // as PyTorch: mean over zero elements
    guard Tensor.needsGrad(x) else { return out }
    return out.record([x]) { out in
        let g = out.grad!.data[0] / Float(Swift.max(counted, 1))
        let (p, acc) = x.gradBuffer()
        crossEntropyBackward(p, probs.data, targets.idata, n, v, dloss: g, ignoreIndex: ig, accumulate: acc)
    }
}

/// Negative log-likelihood of log-probabilities (N, V) at int32 targets (N), mean over counted rows.
/// PyTorch: `F.nll_loss(logp, targets)`.
public func nllLoss(_ logProbs: Tensor, _ targets: Tensor, ignoreIndex: Int? = nil) -> Tensor {
    let v = logProbs.shape.last ?? 1, n = logProbs.count / v
    var onehot = [Float](repeating: 0, count: n * v)
    var counted = 0
    for i in 0..<n {
        let t = Int(targets.idata[i])
        if let ig = ignoreIndex, t == ig { continue }
        onehot[i * v + t] = 1
        counted += 1
    }
    let mask = Tensor(onehot, shape: [n, v])
    return -(logProbs.view(n, v) * mask).sum() / Float(Swift.max(counted, 1))
}

/// Layer normalisation over the last dim, with optional affine weight and bias (C).
///
/// ```swift
/// let y = layerNorm(x, ln1.weight, ln1.bias)   // (B, T, C) -> (B, T, C)
/// ```
/// PyTorch: `F.layer_norm(x, (C,), weight, bias, eps=1e-5)`.
public func layerNorm(_ x0: Tensor, _ weight: Tensor?, _ bias: Tensor?, eps: Float = 1e-5) -> Tensor {
    let x = x0.float()
    let c = x.shape.last ?? 1, n = x.count / c
    if let w = weight { check(w.count == c, "layerNorm: weight \(w.shape) does not match last dim \(c)") }
    if let b = bias { check(b.count == c, "layerNorm: bias \(b.shape) does not match last dim \(c)") }
    let out = Tensor(uninitialized: x.shape)
    let mean = Tensor(uninitialized: [n]), rstd = Tensor(uninitialized: [n])
    layerNormForward(out.data, mean.data, rstd.data, x.data, weight?.data, bias?.data, n, c, eps: eps)
    let inputs = [x] + [weight, bias].compactMap { $0 }
    guard _gradEnabled, inputs.contains(where: { $0.requiresGrad }) else { return out }
    return out.record(inputs) { out in
        var dx: UnsafeMutablePointer<Float>? = nil, accX = false
        if x.requiresGrad { (dx, accX) = x.gradBuffer() }
        let dw = weight.flatMap { $0.requiresGrad ? $0.gradBufferZeroed() : nil }
        let db = bias.flatMap { $0.requiresGrad ? $0.gradBufferZeroed() : nil }
        layerNormBackward(dx, dw, db, out.grad!.data, x.data, mean.data, rstd.data, weight?.data, n, c, accumulateX: accX)
    }
}

/// Rows of `weight` (V, C) picked by int32 ids (...) → (..., C). Backward scatter-adds into the rows.
///
/// ```swift
/// let tok = embedding(idx, wte)   // (B, T) -> (B, T, C)
/// ```
/// PyTorch: `F.embedding(idx, weight)`.
public func embedding(_ ids: Tensor, _ weight: Tensor) -> Tensor {
    check(ids.dtype == .int32, "embedding: ids must be int32 (Tensor(ints:))")
    check(weight.ndim == 2, "embedding: weight must be (V, C), got \(weight.shape)")
    let v = weight.shape[0], c = weight.shape[1], n = ids.count
    for i in 0..<n {
        check(ids.idata[i] >= 0 && Int(ids.idata[i]) < v, "embedding: id \(ids.idata[i]) out of range for \(v) rows")
    }
    let out = Tensor(uninitialized: ids.shape + [c])
    let wp = weight.data, op = out.data, ip = ids.idata
    for i in 0..<n { (op + i * c).update(from: wp + Int(ip[i]) * c, count: c) }
    guard Tensor.needsGrad(weight) else { return out }
    return out.record([weight]) { out in
        let dw = SendPtr(weight.gradBufferZeroed()), g = SendPtr(out.grad!.data), ids = SendPtr(ids.idata)
        parallelRanges(c, costPerItem: n) { r in  // split columns: no two threads touch the same element
            for i in 0..<n {
                let d = dw.p + Int(ids.p[i]) * c, s = g.p + i * c
                for j in r { d[j] += s[j] }
            }
        }
    }
}

/// Zeroes elements with probability `p` and scales the rest by 1/(1−p) when training; identity otherwise.
/// The mask comes from a counter-based hash seeded by the global generator and is regenerated in backward.
///
/// ```swift
/// x = dropout(x, p: 0.1, training: model.training)
/// ```
/// PyTorch: `F.dropout(x, p=0.1, training=True)`.
public func dropout(_ x0: Tensor, p: Float, training: Bool = true) -> Tensor {
    check(p >= 0 && p <= 1, "dropout: p must be in [0, 1], got \(p)")
    if !training || p == 0 { return x0 }
    let x = x0.float()
    if p == 1 { return x * 0 }
    let seed = nextSeed()
    let out = Tensor(uninitialized: x.shape)
    dropoutForward(out.data, x.data, x.count, p: p, seed: seed)
    guard Tensor.needsGrad(x) else { return out }
    return out.record([x]) { out in
        let (dp, acc) = x.gradBuffer()
        dropoutBackward(dp, out.grad!.data, x.count, p: p, seed: seed, accumulate: acc)
    }
}

extension Tensor {
    /// Replaces elements where `mask` (broadcastable, nonzero = fill) is set by `value`.
    ///
    /// ```swift
    /// att = att.maskedFill(tril(T) .== 0, -.infinity)
    /// ```
    /// PyTorch: `x.masked_fill(mask, value)`.
    public func maskedFill(_ mask: Tensor, _ value: Float) -> Tensor {
        let x = float(), m = mask.float()
        guard let s = broadcastShapes(x.shape, m.shape), s == x.shape else {
            fail("maskedFill: mask \(mask.shape) does not broadcast to \(shape)")
        }
        let out = Tensor(uninitialized: x.shape)
        let fill = V8(repeating: value)
        broadcastBinary(x.data, x.shape, m.data, m.shape, out.data, x.shape) { x, m in x.replacing(with: fill, where: m .!= 0) }
        guard Tensor.needsGrad(x) else { return out }
        return out.record([x]) { out in
            let local = Tensor(uninitialized: x.shape)
            broadcastBinary(out.grad!.data, x.shape, m.data, m.shape, local.data, x.shape) { g, m in
                g.replacing(with: 0, where: m .!= 0)
            }
            x.accumulateGrad(local)
        }
    }
}

/// Mean squared error. PyTorch: `F.mse_loss(a, b)`.
public func mseLoss(_ a: Tensor, _ b: Tensor) -> Tensor { let d = a - b; return (d * d).mean() }
