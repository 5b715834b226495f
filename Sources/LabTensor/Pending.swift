// Pending tensors: values computed on first use. A transpose, permute or narrow is a strided view of its source's
// storage; a scalar product and a maskedFill remember their source. Kernels that can read the pending form directly
// (matmul through sgemm's flags and leading dimensions, softmax fusing scale + mask) never copy it out; any other
// reader of `storage` makes the contiguous copy once (`materialize`).
//
// Semantics: a pending tensor reads its source when it is first used, so an in-place change to the source before that
// (e.g. `optimizer.step()` between `w.T` and its first use) is seen, as with a PyTorch view; after that it is a copy.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum Pending {
    /// Element (i0, i1, ...) is `base[offset + Σ i_d · strides[d]]` (4-byte elements, Float or Int32).
    case strided(base: Storage, offset: Int, strides: [Int])
    /// `source · scale` (float).
    case scaled(source: Tensor, scale: Float)
    /// `source` with `value` wherever `mask` (broadcast to the shape; nonzero = fill) is set.
    case masked(source: Tensor, mask: Tensor, value: Float)
}

/// Row-major strides of a contiguous tensor of `shape`.
func contiguousStrides(_ shape: [Int]) -> [Int] {
    var st = [Int](repeating: 1, count: shape.count)
    for i in stride(from: shape.count - 2, through: 0, by: -1) { st[i] = st[i + 1] * shape[i + 1] }
    return st
}

/// Serialises materialisation (recursive: computing a pending tensor may compute its pending source).
private let materializeLock: UnsafeMutablePointer<pthread_mutex_t> = {
    let l = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    var attr = pthread_mutexattr_t()
    pthread_mutexattr_init(&attr)
    pthread_mutexattr_settype(&attr, Int32(PTHREAD_MUTEX_RECURSIVE))
    pthread_mutex_init(l, &attr)
    return l
}()

extension Tensor {
    /// Computes a pending tensor's values into its own contiguous storage (once) and drops the recipe.
    @inline(never)
    func materialize() -> Storage {
        pthread_mutex_lock(materializeLock)
        defer { pthread_mutex_unlock(materializeLock) }
        if let s = _storage { return s }
        guard let recipe = pending else { fail("tensor of shape \(shape) has neither storage nor a pending recipe") }
        let st = Storage(count: count, dtype: dtype)
        let out = st.raw.assumingMemoryBound(to: Float.self)
        switch recipe {
        case .strided(let base, let offset, let strides):
            stridedCopy(base.raw + offset * 4, shape, strides, st.raw)
        case .scaled(let source, let scale):
            let v = V8(repeating: scale)
            pmap(count, source.data, out) { $0 * v }
        case .masked(let source, let mask, let value):
            let fill = V8(repeating: value)
            broadcastBinary(source.data, source.shape, mask.data, mask.shape, out, shape) { x, m in
                x.replacing(with: fill, where: m .!= 0)
            }
        }
        _storage = st
        pending = nil
        return st
    }

    /// This tensor as (storage, offset, strides) without a copy: its own storage, or its pending strided view.
    /// Other pending kinds are computed first.
    var stridedLayout: (base: Storage, offset: Int, strides: [Int]) {
        if let s = _storage { return (s, 0, contiguousStrides(shape)) }
        if case .strided(let b, let o, let st)? = pending { return (b, o, st) }
        return (storage, 0, contiguousStrides(shape))
    }

    /// Whether the values already sit contiguously in `storage` (nothing pending).
    var isMaterialized: Bool { _storage != nil }
}

/// Strides for viewing a strided tensor of `shape`/`strides` as `newShape` without a copy, or nil when the view would
/// have to merge dims that are not laid out one after the other (PyTorch's `computeStride`; then the caller copies).
func viewStrides(_ shape: [Int], _ strides: [Int], _ newShape: [Int]) -> [Int]? {
    let count = shape.reduce(1, *)
    if count == 0 { return contiguousStrides(newShape) }
    var out = [Int](repeating: 0, count: newShape.count)
    var viewD = newShape.count - 1
    var chunkBase = strides.isEmpty ? 1 : strides[strides.count - 1]
    var tensorNumel = 1, viewNumel = 1
    for d in stride(from: shape.count - 1, through: 0, by: -1) {
        tensorNumel *= shape[d]
        // At the start of a chunk of dims that are contiguous with each other.
        if d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensorNumel * chunkBase) {
            while viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1) {
                out[viewD] = viewNumel * chunkBase
                viewNumel *= newShape[viewD]
                viewD -= 1
            }
            if viewNumel != tensorNumel { return nil }
            if d > 0 { chunkBase = strides[d - 1]; tensorNumel = 1; viewNumel = 1 }
        }
    }
    if viewD != -1 { return nil }
    return out
}

/// Copies a strided tensor (4-byte elements at `src + Σ i_d · strides[d]`) of `shape` into contiguous `dst`.
/// Fast paths: when the last stride is 1, whole rows are copied; otherwise the last two dims are walked in 16 × 16
/// tiles (a transpose reads one cache line per 16 elements). Split over the cores. `stridedCopyReference` is the
/// readable element-by-element version the tests compare against.
func stridedCopy(_ src: UnsafeMutableRawPointer, _ shape: [Int], _ strides: [Int], _ dst: UnsafeMutableRawPointer) {
    let nd = shape.count
    let total = shape.reduce(1, *)
    if total == 0 { return }
    if nd == 0 { dst.storeBytes(of: src.load(as: UInt32.self), as: UInt32.self); return }
    let s = SendPtr(src.assumingMemoryBound(to: UInt32.self)), o = SendPtr(dst.assumingMemoryBound(to: UInt32.self))
    if strides[nd - 1] == 1 || nd == 1 {
        // Rows of shape.last elements, each contiguous in the source (or a strided 1-D walk).
        let row = shape[nd - 1], rows = total / row, inner = strides[nd - 1]
        let lead = Array(shape.dropLast()), st = Array(strides.dropLast())
        parallelRanges(rows, costPerItem: row) { r in
            var idx = [Int](repeating: 0, count: lead.count), off = 0, rem = r.lowerBound
            for d in stride(from: lead.count - 1, through: 0, by: -1) {
                idx[d] = rem % lead[d]; rem /= lead[d]; off += idx[d] * st[d]
            }
            for w in r {
                if inner == 1 { (o.p + w * row).update(from: s.p + off, count: row) }
                else { for j in 0..<row { o.p[w * row + j] = s.p[off + j * inner] } }
                odometerStep(&idx, &off, lead, st, upTo: lead.count - 1)
            }
        }
        return
    }
    // (outer, m, n) with strides (…, sm, sn): tiles of 16 × 16.
    let m = shape[nd - 2], n = shape[nd - 1], sm = strides[nd - 2], sn = strides[nd - 1]
    let lead = Array(shape.dropLast(2)), st = Array(strides.dropLast(2))
    let outer = total / (m * n), tile = 16, rowTiles = (m + tile - 1) / tile
    parallelRanges(outer * rowTiles, costPerItem: tile * n) { r in
        for task in r {
            let bi = task / rowTiles, i0 = (task % rowTiles) * tile, i1 = Swift.min(m, i0 + tile)
            var rem = bi, off = 0
            for d in stride(from: lead.count - 1, through: 0, by: -1) { off += (rem % lead[d]) * st[d]; rem /= lead[d] }
            let a = s.p + off, b = o.p + bi * m * n
            var j0 = 0
            while j0 < n {
                let j1 = Swift.min(n, j0 + tile)
                for i in i0..<i1 { for j in j0..<j1 { b[i * n + j] = a[i * sm + j * sn] } }
                j0 = j1
            }
        }
    }
}

/// The readable strided copy: walk the output in order, reading `src[Σ i_d · strides[d]]`.
func stridedCopyReference(_ src: UnsafeMutableRawPointer, _ shape: [Int], _ strides: [Int], _ dst: UnsafeMutableRawPointer) {
    let s = src.assumingMemoryBound(to: UInt32.self), o = dst.assumingMemoryBound(to: UInt32.self)
    let total = shape.reduce(1, *)
    var idx = [Int](repeating: 0, count: shape.count)
    for w in 0..<total {
        var off = 0
        for d in 0..<shape.count { off += idx[d] * strides[d] }
        o[w] = s[off]
        var d = shape.count - 1
        while d >= 0 { idx[d] += 1; if idx[d] < shape[d] { break }; idx[d] = 0; d -= 1 }
    }
}
