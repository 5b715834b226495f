// Reductions: sum, mean, max, argmax, var. A reduction over `dim` sees the tensor as (outer, n, inner).

extension Tensor {
    /// Sum of all elements (scalar, shape []). PyTorch: `x.sum()`.
    public func sum() -> Tensor {
        let x = float()
        var acc = V8(), i = 0
        let p = x.data
        while i + 8 <= count { acc += vload(p + i); i += 8 }
        var s = acc.sum()
        while i < count { s += p[i]; i += 1 }
        let out = Tensor([s], shape: [])
        guard Tensor.needsGrad(x) else { return out }
        return out.record([x]) { out in
            let g = out.grad!.data[0]
            let (dp, acc) = x.gradBuffer()
            if acc { pmap(x.count, dp, dp) { $0 + g } } else { dp.initialize(repeating: g, count: x.count) }
        }
    }

    /// Mean of all elements. PyTorch: `x.mean()`.
    public func mean() -> Tensor { sum() * (1 / Float(Swift.max(count, 1))) }

    /// Sum over `dim`. PyTorch: `x.sum(dim, keepdim=keepDim)`.
    public func sum(dim: Int, keepDim: Bool = false) -> Tensor {
        let x = float()
        let d = normalizeDim(dim, ndim)
        let (outer, n, inner) = splitAround(shape, d)
        var outShape = shape
        if keepDim { outShape[d] = 1 } else { outShape.remove(at: d) }
        let out = Tensor.zeros(outShape)
        let xp = x.data, op = out.data
        for o in 0..<outer {
            for j in 0..<n { vmap2(inner, op + o * inner, xp + (o * n + j) * inner, op + o * inner) { $0 + $1 } }
        }
        guard Tensor.needsGrad(x) else { return out }
        return out.record([x]) { out in
            let g = out.grad!.data
            let dp = x.gradBufferZeroed()
            for o in 0..<outer {
                for j in 0..<n { vmap2(inner, dp + (o * n + j) * inner, g + o * inner, dp + (o * n + j) * inner) { $0 + $1 } }
            }
        }
    }

    /// Mean over `dim`. PyTorch: `x.mean(dim, keepdim=keepDim)`.
    public func mean(dim: Int, keepDim: Bool = false) -> Tensor {
        sum(dim: dim, keepDim: keepDim) * (1 / Float(size(dim)))
    }

    /// Variance over `dim` (Bessel-corrected when `unbiased`). PyTorch: `x.var(dim, keepdim=keepDim, unbiased=unbiased)`.
    public func `var`(dim: Int, keepDim: Bool = false, unbiased: Bool = true) -> Tensor {
        let n = size(dim)
        let mu = mean(dim: dim, keepDim: true)
        let c = self - mu
        return (c * c).sum(dim: dim, keepDim: keepDim) * (1 / Float(unbiased ? Swift.max(n - 1, 1) : n))
    }

    /// Maximum over `dim` with its indices (int32). PyTorch: `x.max(dim, keepdim=keepDim)`.
    public func max(dim: Int, keepDim: Bool = false) -> (values: Tensor, indices: Tensor) {
        let x = float()
        let d = normalizeDim(dim, ndim)
        let (outer, n, inner) = splitAround(shape, d)
        var outShape = shape
        if keepDim { outShape[d] = 1 } else { outShape.remove(at: d) }
        let values = Tensor(uninitialized: outShape), indices = Tensor(uninitialized: outShape, dtype: .int32)
        let xp = x.data
        for o in 0..<outer {
            for i in 0..<inner {
                var best = -Float.infinity, bi = 0
                for j in 0..<n {
                    let v = xp[(o * n + j) * inner + i]
                    if v > best || v.isNaN { best = v; bi = j; if v.isNaN { break } }
                }
                values.data[o * inner + i] = best
                indices.idata[o * inner + i] = Int32(bi)
            }
        }
        guard Tensor.needsGrad(x) else { return (values, indices) }
        values.record([x]) { out in
            let g = out.grad!.data
            let dp = x.gradBufferZeroed()
            for o in 0..<outer {
                for i in 0..<inner { dp[(o * n + Int(indices.idata[o * inner + i])) * inner + i] += g[o * inner + i] }
            }
        }
        return (values, indices)
    }

    /// Maximum of all elements (scalar). PyTorch: `x.max()`.
    public func max() -> Tensor { view([count]).max(dim: 0).values }

    /// Index of the maximum over `dim` (int32, non-differentiable). PyTorch: `x.argmax(dim)`.
    public func argmax(dim: Int, keepDim: Bool = false) -> Tensor {
        noGrad { max(dim: dim, keepDim: keepDim).indices }
    }

    /// Index of the maximum of the flattened tensor (int32 scalar). PyTorch: `x.argmax()`.
    public func argmax() -> Tensor { noGrad { view([count]).max(dim: 0).indices } }

    /// Minimum over `dim` with indices. PyTorch: `x.min(dim)`.
    public func min(dim: Int, keepDim: Bool = false) -> (values: Tensor, indices: Tensor) {
        let r = (-self).max(dim: dim, keepDim: keepDim)
        return (-r.values, r.indices)
    }
}

/// Index of the maximum over `dim` (int32). PyTorch: `torch.argmax(x, dim)`.
public func argmax(_ x: Tensor, dim: Int, keepDim: Bool = false) -> Tensor { x.argmax(dim: dim, keepDim: keepDim) }
