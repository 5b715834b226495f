// Matrix products through OpenBLAS sgemm: transposes are BLAS flags, never copies. Operands that are pending strided
// views (q/k/v split from c_attn's output, `k.transpose(-2, -1)`) are read in place through sgemm's leading dimensions.

/// A matmul operand (..., r, c) read in place: element [batch, i, j] sits at
/// `base + Σ batch_d · batchStrides[d] + (trans ? j · ld + i : i · ld + j)`.
struct MatrixOperand {
    let base: UnsafeMutablePointer<Float>
    let batchStrides: [Int]
    let ld: Int
    let trans: Bool
    let owner: AnyObject      // keeps the storage `base` points into alive (backward runs later)
}

/// How sgemm reads `t` (..., r, c) without a copy: its own storage, or a pending strided view whose last two dims are
/// rows of contiguous elements (ld = row stride) or the transpose of such a matrix (`k.transpose(-2, -1)`).
/// Any other layout is copied out first.
func matrixOperand(_ t: Tensor, rows r: Int, cols c: Int) -> MatrixOperand {
    if t.ndim >= 2, !t.isMaterialized, case .strided(let storage, let offset, let strides)? = t.pending {
        let nd = strides.count
        let sr = strides[nd - 2], sc = strides[nd - 1]
        let base = storage.raw.assumingMemoryBound(to: Float.self) + offset
        let batch = Array(strides.dropLast(2))
        if sc == 1 || c == 1 {
            let ld = r == 1 ? Swift.max(c, 1) : sr
            if ld >= Swift.max(c, 1) { return MatrixOperand(base: base, batchStrides: batch, ld: ld, trans: false, owner: storage) }
        }
        if sr == 1 || r == 1 {
            let ld = c == 1 ? Swift.max(r, 1) : sc
            if ld >= Swift.max(r, 1) { return MatrixOperand(base: base, batchStrides: batch, ld: ld, trans: true, owner: storage) }
        }
    }
    let storage = t.storage
    return MatrixOperand(base: t.data, batchStrides: Array(contiguousStrides(t.shape).dropLast(2)), ld: c, trans: false,
                         owner: storage)
}

/// Element offset of each of the `batch.reduce(1, *)` products into an operand with batch dims `opBatch` and
/// `strides` (right-aligned with `batch`; size-1 dims broadcast).
func batchOffsets(_ opBatch: [Int], _ strides: [Int], _ batch: [Int]) -> [Int] {
    let nb = batch.reduce(1, *), shift = batch.count - opBatch.count
    return (0..<nb).map { i in
        var rem = i, off = 0
        for d in stride(from: batch.count - 1, through: 0, by: -1) {
            let idx = rem % batch[d]; rem /= batch[d]
            let od = d - shift
            if od >= 0 && opBatch[od] != 1 { off += idx * strides[od] }
        }
        return off
    }
}

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
    let B = matrixOperand(b, rows: k, cols: n)

    // (..., m, k) @ (k, n) with A's rows contiguous: one sgemm over all rows.
    if bBatch.isEmpty && (a.isMaterialized || a.ndim < 2) {
        let rows = a.count / k
        sgemm(false, B.trans, rows, n, k, 1, a.data, k, B.base, B.ld, 0, out.data, n)
        guard Tensor.needsGrad(a, b) else { return out }
        return out.record([a, b]) { out in
            let g = out.grad!
            if a.requiresGrad {  // dA (+)= dC · Bᵀ
                let (p, acc) = a.gradBuffer()
                sgemm(false, !B.trans, rows, k, n, 1, g.data, n, B.base, B.ld, acc ? 1 : 0, p, k)
            }
            if b.requiresGrad {  // dB (+)= Aᵀ · dC
                let (p, acc) = b.gradBuffer()
                sgemm(true, false, k, n, rows, 1, a.data, k, g.data, n, acc ? 1 : 0, p, n)
            }
            withExtendedLifetime(B.owner) {}
        }
    }

    // Batched: one sgemm per broadcast batch entry, operands read through their strides.
    let A = matrixOperand(a, rows: m, cols: k)
    let nb = batch.reduce(1, *)
    let aOff = batchOffsets(aBatch, A.batchStrides, batch), bOff = batchOffsets(bBatch, B.batchStrides, batch)
    let aS = SendPtr(A.base), bS = SendPtr(B.base), oS = SendPtr(out.data)
    parallelRanges(nb, costPerItem: m * n * k) { r in
        for i in r {
            sgemm(A.trans, B.trans, m, n, k, 1, aS.p + aOff[i], A.ld, bS.p + bOff[i], B.ld, 0, oS.p + i * m * n, n)
        }
    }
    guard Tensor.needsGrad(a, b) else { return out }
    return out.record([a, b]) { out in
        let g = out.grad!
        let gS = SendPtr(g.data)
        let aBroadcast = aBatch.reduce(1, *) != nb, bBroadcast = bBatch.reduce(1, *) != nb
        // A fresh gradient of an operand that is not broadcast is covered slot by slot: beta 0, no zeroing pass.
        // With a broadcast operand, several batch entries add into one slot: zeroed first, run serially.
        if a.requiresGrad {  // dA[i] (+)= dC[i] · B[i]ᵀ into A's (contiguous) gradient
            let (pa, acc) = aBroadcast ? (a.gradBufferZeroed(), true) : a.gradBuffer()
            let p = SendPtr(pa), beta: Float = acc ? 1 : 0
            let gOff = batchOffsets(aBatch, contiguousStrides(aBatch).map { $0 * m * k }, batch)
            let body: (Range<Int>) -> Void = { r in
                for i in r {
                    sgemm(false, !B.trans, m, k, n, 1, gS.p + i * m * n, n, bS.p + bOff[i], B.ld, beta, p.p + gOff[i], k)
                }
            }
            if aBroadcast { body(0..<nb) } else { parallelRanges(nb, costPerItem: m * n * k, body) }
        }
        if b.requiresGrad {  // dB[i] (+)= A[i]ᵀ · dC[i]
            let (pb, acc) = bBroadcast ? (b.gradBufferZeroed(), true) : b.gradBuffer()
            let p = SendPtr(pb), beta: Float = acc ? 1 : 0
            let gOff = batchOffsets(bBatch, contiguousStrides(bBatch).map { $0 * k * n }, batch)
            let body: (Range<Int>) -> Void = { r in
                for i in r {
                    sgemm(!A.trans, false, k, n, m, 1, aS.p + aOff[i], A.ld, gS.p + i * m * n, n, beta, p.p + gOff[i], n)
                }
            }
            if bBroadcast { body(0..<nb) } else { parallelRanges(nb, costPerItem: m * n * k, body) }
        }
        withExtendedLifetime((A.owner, B.owner)) {}
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
