// Matrix products through OpenBLAS sgemm: transposes are BLAS flags, never copies.

/// Matrix product with PyTorch semantics: 1-D operands are promoted, batch dims broadcast.
///
/// ```swift
/// let y = matmul(x, w)    // (B, T, C) @ (C, D) -> (B, T, D)
/// ```
/// PyTorch: `torch.matmul(x, w)` / `x @ w`.
public func matmul(_ a0: Tensor, _ b0: Tensor) -> Tensor {
    let a = a0.float(), b = b0.float()
    check(a.ndim >= 1 && b.ndim >= 1, "matmul: scalars are not allowed")
    // Promote 1-D operands, remember to squeeze them away.
    let aShape = a.ndim == 1 ? [1, a.shape[0]] : a.shape
    let bShape = b.ndim == 1 ? [b.shape[0], 1] : b.shape
    let m = aShape[aShape.count - 2], k = aShape[aShape.count - 1]
    let k2 = bShape[bShape.count - 2], n = bShape[bShape.count - 1]
    check(k == k2, "matmul: shapes \(a.shape) and \(b.shape) cannot be multiplied (\(k) != \(k2))")
    let aBatch = Array(aShape.dropLast(2)), bBatch = Array(bShape.dropLast(2))
    guard let batch = broadcastShapes(aBatch, bBatch) else {
        fail("matmul: batch dims \(aBatch) and \(bBatch) do not broadcast")
    }
    var outShape = batch + [m, n]
    if a.ndim == 1 { outShape.remove(at: outShape.count - 2) }
    if b.ndim == 1 { outShape.removeLast() }
    let out = Tensor(uninitialized: outShape)

    // (..., m, k) @ (k, n): one sgemm over all rows.
    if bBatch.isEmpty {
        let rows = a.count / k
        sgemm(false, false, rows, n, k, 1, a.data, k, b.data, n, 0, out.data, n)
        guard Tensor.needsGrad(a, b) else { return out }
        return out.record([a, b]) { out in
            let g = out.grad!
            if a.requiresGrad {  // dA (+)= dC · Bᵀ
                let (p, acc) = a.gradBuffer()
                sgemm(false, true, rows, k, n, 1, g.data, n, b.data, n, acc ? 1 : 0, p, k)
            }
            if b.requiresGrad {  // dB (+)= Aᵀ · dC
                let (p, acc) = b.gradBuffer()
                sgemm(true, false, k, n, rows, 1, a.data, k, g.data, n, acc ? 1 : 0, p, n)
            }
        }
    }

    // Batched: loop over the broadcast batch.
    let nb = batch.reduce(1, *)
    let aStr = broadcastStrides(aBatch, batch), bStr = broadcastStrides(bBatch, batch)
    func offsets(_ i: Int) -> (Int, Int) {
        var rem = i, oa = 0, ob = 0
        for d in stride(from: batch.count - 1, through: 0, by: -1) {
            let idx = rem % batch[d]; rem /= batch[d]
            oa += idx * aStr[d]; ob += idx * bStr[d]
        }
        return (oa * m * k, ob * k * n)
    }
    let aS = SendPtr(a.data), bS = SendPtr(b.data), oS = SendPtr(out.data)
    parallelRanges(nb, costPerItem: m * n * k) { r in
        for i in r {
            let (oa, ob) = offsets(i)
            sgemm(false, false, m, n, k, 1, aS.p + oa, k, bS.p + ob, n, 0, oS.p + i * m * n, n)
        }
    }
    guard Tensor.needsGrad(a, b) else { return out }
    return out.record([a, b]) { out in
        let g = out.grad!
        let gS = SendPtr(g.data)
        let aBroadcast = aBatch.reduce(1, *) != nb, bBroadcast = bBatch.reduce(1, *) != nb
        if a.requiresGrad {
            let p = SendPtr(a.gradBufferZeroed())
            // With a broadcast operand, several batch entries add into one slot: run serially.
            let body: (Range<Int>) -> Void = { r in
                for i in r {
                    let (oa, ob) = offsets(i)
                    sgemm(false, true, m, k, n, 1, gS.p + i * m * n, n, bS.p + ob, n, 1, p.p + oa, k)
                }
            }
            if aBroadcast { body(0..<nb) } else { parallelRanges(nb, costPerItem: m * n * k, body) }
        }
        if b.requiresGrad {
            let p = SendPtr(b.gradBufferZeroed())
            let body: (Range<Int>) -> Void = { r in
                for i in r {
                    let (oa, ob) = offsets(i)
                    sgemm(true, false, k, n, m, 1, aS.p + oa, k, gS.p + i * m * n, n, 1, p.p + ob, n)
                }
            }
            if bBroadcast { body(0..<nb) } else { parallelRanges(nb, costPerItem: m * n * k, body) }
        }
    }
}

extension Tensor {
    /// Matrix product. PyTorch: `x.matmul(y)` / `x @ y`.
    public func matmul(_ other: Tensor) -> Tensor { LabTensor.matmul(self, other) }
}


/// Fully connected layer `y = x · Wᵀ + b` as one fused op (no transpose copy, bias folded into the sgemm).
///
/// ```swift
/// let y = linear(x, weight, bias)   // x (B, T, in), weight (out, in), bias (out) -> (B, T, out)
/// ```
/// PyTorch: `F.linear(x, weight, bias)`.
public func linear(_ x: Tensor, _ weight: Tensor, _ bias: Tensor? = nil) -> Tensor {
    let inF = weight.shape[1], outF = weight.shape[0]
    check(weight.ndim == 2, "linear: weight must be (out, in), got \(weight.shape)")
    check(x.shape.last == inF, "linear: input \(x.shape) does not end in \(inF) (weight \(weight.shape))")
    if let b = bias { check(b.count == outF, "linear: bias \(b.shape) does not match \(outF) outputs") }
    let n = x.count / inF
    let out = Tensor(uninitialized: Array(x.shape.dropLast()) + [outF])
    // Y[N, O] = X[N, I] · W[O, I]ᵀ (+ bias pre-filled, beta = 1), rows split over the cores.
    let xs = SendPtr(x.data), ws = SendPtr(weight.data), ys = SendPtr(out.data), bs = bias.map { SendPtr($0.data) }
    parallelRanges(n, costPerItem: inF * outF) { r in
        let yp = ys.p + r.lowerBound * outF
        if let b = bs { for i in 0..<r.count { (yp + i * outF).update(from: b.p, count: outF) } }
        sgemm(false, true, r.count, outF, inF, 1, xs.p + r.lowerBound * inF, inF, ws.p, inF, bs == nil ? 0 : 1, yp, outF)
    }
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    guard _gradEnabled, inputs.contains(where: { $0.requiresGrad }) else { return out }
    return out.record(inputs) { out in
        let g = out.grad!
        if x.requiresGrad {        // dX[N, I] (+)= dY[N, O] · W[O, I]
            let (p, acc) = x.gradBuffer()
            sgemm(false, false, n, inF, outF, 1, g.data, outF, weight.data, inF, acc ? 1 : 0, p, inF)
        }
        if weight.requiresGrad {   // dW[O, I] (+)= dYᵀ · X
            let (p, acc) = weight.gradBuffer()
            sgemm(true, false, outF, inF, n, 1, g.data, outF, x.data, inF, acc ? 1 : 0, p, inF)
        }
        if let b = bias, b.requiresGrad {  // db (+)= column sums of dY
            let (p, acc) = b.gradBuffer()
            columnSum(g.data, rows: n, cols: outF, into: p, accumulate: acc)
        }
    }
}
