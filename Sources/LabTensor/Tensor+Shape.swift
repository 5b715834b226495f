// Shape ops. view/reshape/unsqueeze/squeeze/flatten share storage; transpose/permute/split/narrow return pending
// strided views (Pending.swift: copied out only if a kernel that cannot read strides uses them); cat/stack copy.

extension Tensor {
    /// A tensor with the same data and a new shape (one dim may be -1). Shares storage.
    ///
    /// ```swift
    /// let flat = logits.view(-1, vocabSize)   // (B, T, V) -> (B*T, V)
    /// ```
    /// PyTorch: `x.view(...)`.
    public func view(_ shape: Int...) -> Tensor { view(shape) }

    /// Array form of `view(_:)`. PyTorch: `x.view(shape)`.
    public func view(_ newShape: [Int]) -> Tensor {
        var s = newShape
        let known = s.filter { $0 != -1 }.reduce(1, *)
        if let i = s.firstIndex(of: -1) {
            check(s.filter({ $0 == -1 }).count == 1, "view: only one dimension can be -1")
            check(known > 0 && count % known == 0, "view: shape \(newShape) is invalid for \(count) elements")
            s[i] = count / known
        }
        check(s.reduce(1, *) == count, "view: shape \(newShape) is invalid for input of size \(count) (\(shape))")
        if s == shape { return self }
        let out: Tensor
        if case .strided(let base, let offset, let strides)? = pending, let st = viewStrides(shape, strides, s) {
            out = Tensor(pending: .strided(base: base, offset: offset, strides: st), shape: s, dtype: dtype)   // still no copy
        } else {
            out = Tensor(sharing: storage, shape: s, dtype: dtype)   // (a strided view that does not fit is copied out)
        }
        guard Tensor.needsGrad(self) else { return out }
        return out.record([self]) { [self] out in
            accumulateGrad(out.grad!)  // takes the buffer over: out.grad is dropped after this closure
        }
    }

    /// Same as `view` (copies a strided view whose dims cannot be merged). PyTorch: `x.reshape(...)`.
    public func reshape(_ shape: Int...) -> Tensor { view(shape) }
    /// Array form of `reshape`. PyTorch: `x.reshape(shape)`.
    public func reshape(_ shape: [Int]) -> Tensor { view(shape) }

    /// Returns self: a pending strided view is copied out contiguously when a kernel first reads it.
    /// PyTorch: `x.contiguous()`.
    public func contiguous() -> Tensor { self }

    /// Inserts a dimension of size 1 at `dim`. PyTorch: `x.unsqueeze(dim)`.
    public func unsqueeze(_ dim: Int) -> Tensor {
        let d = dim < 0 ? dim + ndim + 1 : dim
        check(d >= 0 && d <= ndim, "unsqueeze: dim \(dim) out of range for \(shape)")
        var s = shape
        s.insert(1, at: d)
        return view(s)
    }

    /// Removes dimension `dim` if it has size 1. PyTorch: `x.squeeze(dim)`.
    public func squeeze(_ dim: Int) -> Tensor {
        let d = normalizeDim(dim, ndim)
        guard shape[d] == 1 else { return self }
        var s = shape
        s.remove(at: d)
        return view(s)
    }

    /// Removes every dimension of size 1. PyTorch: `x.squeeze()`.
    public func squeeze() -> Tensor { view(shape.filter { $0 != 1 }) }

    /// Flattens dims `startDim...endDim` into one. PyTorch: `x.flatten(start_dim, end_dim)`.
    public func flatten(startDim: Int = 0, endDim: Int = -1) -> Tensor {
        if ndim == 0 { return view([1]) }
        let a = normalizeDim(startDim, ndim), b = normalizeDim(endDim, ndim)
        let s = Array(shape[..<a]) + [shape[a...b].reduce(1, *)] + Array(shape[(b + 1)...])
        return view(s)
    }

    /// Reorders dimensions (a strided view; no copy until read). PyTorch: `x.permute(...)`.
    public func permute(_ dims: Int...) -> Tensor { permute(dims) }

    /// Array form of `permute`. PyTorch: `x.permute(dims)`.
    public func permute(_ dims0: [Int]) -> Tensor {
        let dims = dims0.map { normalizeDim($0, ndim) }
        check(dims.count == ndim && Set(dims).count == ndim, "permute: \(dims0) is not a permutation of \(ndim) dims")
        if dims == Array(0..<ndim) { return self }
        let outShape = dims.map { shape[$0] }
        let (base, offset, strides) = stridedLayout
        let out = Tensor(pending: .strided(base: base, offset: offset, strides: dims.map { strides[$0] }), shape: outShape,
                         dtype: dtype)
        guard Tensor.needsGrad(self) else { return out }
        var inverse = [Int](repeating: 0, count: ndim)
        for (i, d) in dims.enumerated() { inverse[d] = i }
        return out.record([self]) { [self] out in
            let g = out.grad!
            let back = Tensor(uninitialized: shape)
            permuteCopy(g.storage.raw, outShape, inverse, back.storage.raw)
            accumulateGrad(back)
        }
    }

    /// Swaps two dimensions (a strided view). PyTorch: `x.transpose(d0, d1)`.
    public func transpose(_ d0: Int, _ d1: Int) -> Tensor {
        var p = Array(0..<ndim)
        p.swapAt(normalizeDim(d0, ndim), normalizeDim(d1, ndim))
        return permute(p)
    }

    /// Transpose of a 2-D tensor (a strided view). PyTorch: `x.T`.
    public var T: Tensor {
        check(ndim <= 2, "T: use transpose/permute for \(ndim)-D tensors")
        return ndim < 2 ? self : transpose(0, 1)
    }

    /// `length` entries of `dim` starting at `start` (a strided view). PyTorch: `x.narrow(dim, start, length)`.
    public func narrow(_ dim: Int, _ start: Int, _ length: Int) -> Tensor {
        let d = normalizeDim(dim, ndim)
        check(start >= 0 && length >= 0 && start + length <= shape[d],
                     "narrow: [\(start), \(start + length)) out of range for dim \(d) of size \(shape[d])")
        if start == 0 && length == shape[d] { return self }
        let (outer, n, inner) = splitAround(shape, d)
        var s = shape
        s[d] = length
        let (base, offset, strides) = stridedLayout
        let out = Tensor(pending: .strided(base: base, offset: offset + start * strides[d], strides: strides), shape: s,
                         dtype: dtype)
        guard Tensor.needsGrad(self) else { return out }
        return out.record([self]) { [self] out in
            // Row o of the gradient: [before | the slice | after], each `inner` wide per entry of `dim`. A fresh
            // buffer gets the slice copied and zeros around it (no zeroing pass under the slice); else slice += g.
            let g = SendPtr(out.grad!.data), run = length * inner
            let (p, acc) = gradBuffer()
            let dp = SendPtr(p)
            parallelRanges(outer, costPerItem: n * inner) { r in
                for o in r {
                    let row = dp.p + o * n * inner, slice = row + start * inner, src = g.p + o * run
                    if acc { vmap2(run, slice, src, slice) { $0 + $1 }; continue }
                    row.initialize(repeating: 0, count: start * inner)
                    slice.update(from: src, count: run)
                    (slice + run).initialize(repeating: 0, count: (n - start - length) * inner)
                }
            }
        }
    }

    /// Pieces of `size` along `dim` (the last may be smaller). PyTorch: `x.split(size, dim)`.
    public func split(_ size: Int, dim: Int = 0) -> [Tensor] {
        let d = normalizeDim(dim, ndim)
        return stride(from: 0, to: shape[d], by: size).map { narrow(d, $0, Swift.min(size, shape[d] - $0)) }
    }

    /// Pieces of the given sizes along `dim`. PyTorch: `x.split([s0, s1, ...], dim)`.
    public func split(sizes: [Int], dim: Int = 0) -> [Tensor] {
        let d = normalizeDim(dim, ndim)
        check(sizes.reduce(0, +) == shape[d], "split: sizes \(sizes) do not sum to \(shape[d])")
        var start = 0
        return sizes.map { s in defer { start += s }; return narrow(d, start, s) }
    }

    /// `n` nearly equal pieces along `dim`. PyTorch: `x.chunk(n, dim)`.
    public func chunk(_ n: Int, dim: Int = 0) -> [Tensor] {
        let d = normalizeDim(dim, ndim)
        return split((shape[d] + n - 1) / n, dim: d)
    }
}

/// Concatenates tensors along `dim` (copies). PyTorch: `torch.cat(tensors, dim)`.
///
/// ```swift
/// idx = cat([idx, next], dim: 1)   // (B, T) + (B, 1) -> (B, T+1)
/// ```
public func cat(_ tensors: [Tensor], dim: Int = 0) -> Tensor {
    check(!tensors.isEmpty, "cat: empty list")
    let first = tensors[0]
    let d = normalizeDim(dim, first.ndim)
    let dtype = first.dtype
    for t in tensors {
        check(t.ndim == first.ndim && t.dtype == dtype, "cat: tensors must have the same rank and dtype")
        for i in 0..<t.ndim where i != d {
            check(t.shape[i] == first.shape[i], "cat: shapes \(first.shape) and \(t.shape) differ outside dim \(d)")
        }
    }
    let total = tensors.reduce(0) { $0 + $1.shape[d] }
    var outShape = first.shape
    outShape[d] = total
    let (outer, _, inner) = splitAround(outShape, d)
    let out = Tensor(uninitialized: outShape, dtype: dtype)
    var offset = 0
    for t in tensors {
        let n = t.shape[d]
        for o in 0..<outer {
            (out.storage.raw + ((o * total + offset) * inner) * 4)
                .copyMemory(from: t.storage.raw + o * n * inner * 4, byteCount: n * inner * 4)
        }
        offset += n
    }
    guard _gradEnabled, tensors.contains(where: { $0.requiresGrad }) else { return out }
    return out.record(tensors) { out in
        let g = out.grad!.data
        var offset = 0
        for t in tensors {
            let n = t.shape[d]
            if t.requiresGrad {
                let dp = t.gradBufferZeroed()
                for o in 0..<outer {
                    vmap2(n * inner, dp + o * n * inner, g + (o * total + offset) * inner, dp + o * n * inner) { $0 + $1 }
                }
            }
            offset += n
        }
    }
}

/// Stacks same-shaped tensors along a new dim. PyTorch: `torch.stack(tensors, dim)`.
public func stack(_ tensors: [Tensor], dim: Int = 0) -> Tensor {
    cat(tensors.map { $0.unsqueeze(dim) }, dim: dim)
}

/// Copies a contiguous tensor of `shape` (4-byte elements) into `dst` with its dims reordered by `dims`.
///
/// Two fast paths cover attention's reshapes (`permuteCopyReference` below is the readable version the tests compare
/// against): the last dim stays last, as in `(B, T, nh, hs) -> (B, nh, T, hs)`: rows of `shape.last` elements are
/// copied whole; the last two dims swap, as in `k.transpose(-2, -1)`: a batch of matrix transposes in 16 × 16 tiles.
/// Both split over the cores.
func permuteCopy(_ src: UnsafeMutableRawPointer, _ shape: [Int], _ dims: [Int], _ dst: UnsafeMutableRawPointer) {
    let nd = shape.count
    let total = shape.reduce(1, *)
    if total == 0 { return }
    let s = SendPtr(src.assumingMemoryBound(to: UInt32.self)), o = SendPtr(dst.assumingMemoryBound(to: UInt32.self))
    if nd >= 2 && dims[nd - 1] == nd - 1 {
        // Rows stay whole: permute the leading dims of a tensor of rows.
        let row = shape[nd - 1], rows = total / row
        var srcStrides = [Int](repeating: row, count: nd - 1)
        for i in stride(from: nd - 3, through: 0, by: -1) { srcStrides[i] = srcStrides[i + 1] * shape[i + 1] }
        let outShape = dims.dropLast().map { shape[$0] }
        let st = dims.dropLast().map { srcStrides[$0] }
        parallelRanges(rows, costPerItem: row) { r in
            // Odometer over the output's leading dims, started at row r.lowerBound.
            var idx = [Int](repeating: 0, count: nd - 1), off = 0, rem = r.lowerBound
            for d in stride(from: nd - 2, through: 0, by: -1) {
                idx[d] = rem % outShape[d]; rem /= outShape[d]; off += idx[d] * st[d]
            }
            for w in r {
                (o.p + w * row).update(from: s.p + off, count: row)
                odometerStep(&idx, &off, outShape, st, upTo: nd - 2)
            }
        }
        return
    }
    if nd >= 2 && dims[nd - 1] == nd - 2 && dims[nd - 2] == nd - 1 && dims.dropLast(2) == Array(0..<(nd - 2)) {
        // A batch of (m, n) -> (n, m) transposes.
        let m = shape[nd - 2], n = shape[nd - 1], batch = total / (m * n)
        let tile = 16
        func transpose(_ a: UnsafePointer<UInt32>, _ b: UnsafeMutablePointer<UInt32>, rows: Range<Int>) {
            var i0 = rows.lowerBound
            while i0 < rows.upperBound {
                let i1 = Swift.min(i0 + tile, rows.upperBound)
                var j0 = 0
                while j0 < n {
                    let j1 = Swift.min(j0 + tile, n)
                    for i in i0..<i1 { for j in j0..<j1 { b[j * m + i] = a[i * n + j] } }
                    j0 = j1
                }
                i0 = i1
            }
        }
        if batch >= 2 {
            parallelRanges(batch, costPerItem: m * n) { r in
                for bi in r { transpose(s.p + bi * m * n, o.p + bi * m * n, rows: 0..<m) }
            }
        } else {
            parallelRanges(m, costPerItem: n) { r in transpose(s.p, o.p, rows: r) }
        }
        return
    }
    permuteCopyReference(src, shape, dims, dst)
}

/// The readable permute: walk the output in order, reading the source through permuted strides (any `dims`).
func permuteCopyReference(_ src: UnsafeMutableRawPointer, _ shape: [Int], _ dims: [Int], _ dst: UnsafeMutableRawPointer) {
    let s = src.assumingMemoryBound(to: UInt32.self), o = dst.assumingMemoryBound(to: UInt32.self)
    let nd = shape.count
    var srcStrides = [Int](repeating: 1, count: nd)
    for i in stride(from: nd - 2, through: 0, by: -1) { srcStrides[i] = srcStrides[i + 1] * shape[i + 1] }
    let outShape = dims.map { shape[$0] }
    let st = dims.map { srcStrides[$0] }  // source stride for each output dim
    let total = shape.reduce(1, *)
    if total == 0 { return }
    let inner = outShape[nd - 1], innerStride = st[nd - 1]
    var idx = [Int](repeating: 0, count: nd)
    var off = 0, w = 0
    while w < total {
        for i in 0..<inner { o[w + i] = s[off + i * innerStride] }
        w += inner
        odometerStep(&idx, &off, outShape, st, upTo: nd - 2)
    }
}

/// Advances the multi-index `idx` over `shape[0...upTo]` by one step in row-major order (dim `upTo` fastest),
/// keeping `off` equal to Σ idx[d] · strides[d].
@inline(__always)
func odometerStep(_ idx: inout [Int], _ off: inout Int, _ shape: [Int], _ strides: [Int], upTo last: Int) {
    var d = last
    while d >= 0 {
        idx[d] += 1; off += strides[d]
        if idx[d] < shape[d] { return }
        off -= strides[d] * shape[d]; idx[d] = 0
        d -= 1
    }
}
