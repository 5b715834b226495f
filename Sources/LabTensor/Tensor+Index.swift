// Indexing: x[i], x[a..<b], x[0..., -1], logits[.all, -1, .all], x[.newAxis], and gather by an int tensor.
// Results are copies (differentiable: the gradient scatters back).

/// One position in a subscript: an `Int` (removes the dim; negative counts from the end), a range
/// (`0..<2`, `1...`, `..<3`, `...`), `.all` (keeps the dim) or `.newAxis` (inserts a dim of size 1).
/// (Spell the last two `.all` and `.newAxis` inside subscripts.)
public enum TensorIndex: Sendable { case index(Int), range(Int?, Int?), fullDimension, insertDimension }

/// Anything usable inside `x[...]`: Int, Range, ClosedRange, partial ranges, `.all`, `.newAxis`.
public protocol TensorIndexConvertible { var tensorIndex: TensorIndex { get } }

extension Int: TensorIndexConvertible { public var tensorIndex: TensorIndex { .index(self) } }
extension Range: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex { .range(lowerBound, upperBound) }
}
extension ClosedRange: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex { .range(lowerBound, upperBound + 1) }
}
extension PartialRangeFrom: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex { .range(lowerBound, nil) }
}
extension PartialRangeUpTo: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex { .range(nil, upperBound) }
}
extension PartialRangeThrough: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex { .range(nil, upperBound + 1) }
}
extension TensorIndex: TensorIndexConvertible { public var tensorIndex: TensorIndex { self } }

extension TensorIndexConvertible where Self == TensorIndex {
    /// The whole dimension (PyTorch `:`).
    public static var all: TensorIndex { TensorIndex.fullDimension }
    /// A new dimension of size 1 (PyTorch `None`).
    public static var newAxis: TensorIndex { TensorIndex.insertDimension }
}

extension Tensor {
    /// Indexes dims from the left; trailing dims are kept whole.
    ///
    /// ```swift
    /// let last = logits[.all, -1, .all]   // (B, T, V) -> (B, V)
    /// let same = logits[0..., -1]          // same thing
    /// let firstTwo = x[0..<2]
    /// ```
    /// PyTorch: `logits[:, -1, :]`, `x[0:2]`.
    public subscript(_ indices: any TensorIndexConvertible...) -> Tensor {
        var t = self
        var d = 0
        for ix in indices {
            switch ix.tensorIndex {
            case .fullDimension:
                d += 1
            case .insertDimension:
                t = t.unsqueeze(d); d += 1
            case .index(let i0):
                check(d < t.ndim, "index: too many indices for a \(ndim)-D tensor")
                let n = t.shape[d]
                let i = i0 < 0 ? i0 + n : i0
                check(i >= 0 && i < n, "index \(i0) is out of bounds for dimension \(d) with size \(n)")
                t = t.narrow(d, i, 1).squeeze(d)
            case .range(let lo0, let hi0):
                check(d < t.ndim, "index: too many indices for a \(ndim)-D tensor")
                let n = t.shape[d]
                var lo = lo0 ?? 0, hi = hi0 ?? n
                if lo < 0 { lo += n }
                if hi < 0 { hi += n }
                lo = Swift.min(Swift.max(lo, 0), n); hi = Swift.min(Swift.max(hi, lo), n)
                t = t.narrow(d, lo, hi - lo); d += 1
            }
        }
        return t
    }

    /// Rows selected by an int32 index tensor along dim 0 (differentiable gather). PyTorch: `x[idx]`.
    ///
    /// ```swift
    /// let rows = table[Tensor(ints: [2, 0, 2])]   // (3, C)
    /// ```
    public subscript(_ index: Tensor) -> Tensor {
        check(index.dtype == .int32, "x[idx]: the index tensor must be int32 (Tensor(ints:))")
        let rowShape = Array(shape.dropFirst())
        return embedding(index, view([shape[0], rowShape.reduce(1, *)])).view(index.shape + rowShape)
    }
}
