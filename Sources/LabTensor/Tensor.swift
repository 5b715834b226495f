// Tensor: storage, shape, creation and read-out.
// Every tensor's values are contiguous and row-major once computed. `view`/`reshape` share storage. Transpose, permute
// and narrow (split, slicing) return *pending* tensors (Pending.swift): strided views of their source that are copied
// out only when a kernel reads them, so matmul can read them through sgemm's transpose flags and leading dimensions
// instead. A scalar product and maskedFill are pending too, so softmax can fuse scale + mask + softmax.

/// Element type of a tensor: `float32` for values, `int32` for token ids and indices.
///
/// PyTorch: `torch.float32`, `torch.long` (we store indices as 32-bit).
public enum DType: Sendable { case float32, int32 }

/// Raw, 64-byte aligned storage of 4-byte elements (Float or Int32), shared by views.
final class Storage: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
    let count: Int

    init(count: Int, dtype: DType) {
        self.count = count
        raw = StoragePool.allocate(byteCount: Swift.max(count, 1) * 4)
        switch dtype {
        case .float32: raw.bindMemory(to: Float.self, capacity: Swift.max(count, 1))
        case .int32: raw.bindMemory(to: Int32.self, capacity: Swift.max(count, 1))
        }
    }
    deinit { StoragePool.release(raw, byteCount: Swift.max(count, 1) * 4) }
}

/// An n-dimensional array of `Float` (or `Int32` indices) with reverse-mode automatic differentiation.
///
/// ```swift
/// let x = Tensor([1, 2, 3], requiresGrad: true)
/// let y = (x * x).sum()
/// y.backward()
/// print(x.grad!)   // tensor([2.0000, 4.0000, 6.0000])
/// ```
/// PyTorch: `torch.Tensor`.
public final class Tensor {
    /// The size of each dimension. PyTorch: `x.shape`.
    public let shape: [Int]
    /// Element type. PyTorch: `x.dtype`.
    public let dtype: DType
    /// Number of elements. PyTorch: `x.numel()`.
    public let count: Int
    /// The values, computed on first use when the tensor is pending (see `pending`).
    var storage: Storage {
        @inline(__always) get { if let s = _storage { return s }; return materialize() }
    }
    var _storage: Storage?
    /// How to compute the values of a tensor whose storage does not exist yet (a strided view, a scaled or masked
    /// source). Cleared once computed.
    var pending: Pending?

    /// Whether gradients flow to this tensor. Settable on leaves. PyTorch: `x.requires_grad`.
    public var requiresGrad: Bool
    /// The accumulated gradient of a leaf after `backward()`; `nil` until then or after `zeroGrad()`. PyTorch: `x.grad`.
    public var grad: Tensor?

    // Autograd tape: the inputs of the op that made this tensor and its backward closure (reads `self.grad`,
    // accumulates into the inputs' grads). Both are dropped after `backward()`.
    var parents: [Tensor] = []
    var backwardFn: ((Tensor) -> Void)?
    var visitMark: UInt64 = 0
    var graphFreed = false

    /// Uninitialised tensor (kernels fill it).
    init(uninitialized shape: [Int], dtype: DType = .float32) {
        self.shape = shape
        self.dtype = dtype
        self.count = shape.reduce(1, *)
        self._storage = Storage(count: count, dtype: dtype)
        self.requiresGrad = false
    }

    /// A tensor whose values are computed from `pending` on first use.
    init(pending: Pending, shape: [Int], dtype: DType = .float32) {
        self.shape = shape
        self.dtype = dtype
        self.count = shape.reduce(1, *)
        self.pending = pending
        self.requiresGrad = false
    }

    /// A tensor of `shape` sharing `storage` (a view).
    init(sharing storage: Storage, shape: [Int], dtype: DType) {
        self.shape = shape
        self.dtype = dtype
        self.count = shape.reduce(1, *)
        check(count <= storage.count, "view of \(count) elements over storage of \(storage.count)")
        self._storage = storage
        self.requiresGrad = false
    }

    @inline(__always) var data: UnsafeMutablePointer<Float> { storage.raw.assumingMemoryBound(to: Float.self) }
    @inline(__always) var idata: UnsafeMutablePointer<Int32> { storage.raw.assumingMemoryBound(to: Int32.self) }

    /// Number of dimensions. PyTorch: `x.dim()`.
    public var ndim: Int { shape.count }

    /// Size of dimension `dim` (negative counts from the end). PyTorch: `x.size(dim)`.
    public func size(_ dim: Int) -> Int { shape[normalizeDim(dim, shape.count)] }

    /// A float tensor from values; `shape` nil makes it 1-D.
    ///
    /// ```swift
    /// let w = Tensor([1, 2, 3, 4], shape: [2, 2], requiresGrad: true)
    /// ```
    /// PyTorch: `torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)`.
    public convenience init(_ values: [Float], shape: [Int]? = nil, requiresGrad: Bool = false) {
        let s = shape ?? [values.count]
        check(s.reduce(1, *) == values.count, "Tensor: \(values.count) values do not fill shape \(s)")
        self.init(uninitialized: s)
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: values.count) }
        self.requiresGrad = requiresGrad
    }

    /// A 2-D float tensor from nested rows.
    ///
    /// ```swift
    /// let m = Tensor([[1, 2], [3, 4]])   // (2, 2)
    /// ```
    /// PyTorch: `torch.tensor([[1., 2.], [3., 4.]])`.
    public convenience init(_ values: [[Float]]) {
        let cols = values.first?.count ?? 0
        check(values.allSatisfy { $0.count == cols }, "Tensor: ragged rows")
        self.init(values.flatMap { $0 }, shape: [values.count, cols])
    }

    /// An int32 tensor (token ids, targets, indices).
    ///
    /// ```swift
    /// let ids = Tensor(ints: [5, 1, 7])
    /// ```
    /// PyTorch: `torch.tensor([5, 1, 7], dtype=torch.long)`.
    public convenience init(ints values: [Int], shape: [Int]? = nil) {
        let s = shape ?? [values.count]
        check(s.reduce(1, *) == values.count, "Tensor: \(values.count) ints do not fill shape \(s)")
        self.init(uninitialized: s, dtype: .int32)
        for i in 0..<values.count { idata[i] = Int32(values[i]) }
    }

    /// A float tensor copying `count` floats from `pointer` (package API for checkpoints and optimizers).
    package convenience init(copying pointer: UnsafePointer<Float>, shape: [Int]) {
        self.init(uninitialized: shape)
        data.update(from: pointer, count: count)
    }

    /// Tensor filled with zeros. PyTorch: `torch.zeros(shape)`.
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitialized: shape)
        t.data.initialize(repeating: 0, count: t.count)
        t.requiresGrad = requiresGrad
        return t
    }

    /// Tensor filled with ones. PyTorch: `torch.ones(shape)`.
    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        let t = full(shape, 1)
        t.requiresGrad = requiresGrad
        return t
    }

    /// Tensor filled with `value`. PyTorch: `torch.full(shape, value)`.
    public static func full(_ shape: [Int], _ value: Float) -> Tensor {
        let t = Tensor(uninitialized: shape)
        t.data.initialize(repeating: value, count: t.count)
        return t
    }

    /// Int32 tensor `[0, 1, ..., n-1]`. PyTorch: `torch.arange(n)`.
    public static func arange(_ n: Int) -> Tensor {
        let t = Tensor(uninitialized: [n], dtype: .int32)
        for i in 0..<n { t.idata[i] = Int32(i) }
        return t
    }

    /// (n, n) lower-triangular matrix of ones (float). PyTorch: `torch.tril(torch.ones(n, n))`.
    public static func tril(_ n: Int) -> Tensor {
        let t = zeros([n, n])
        for i in 0..<n { for j in 0...i { t.data[i * n + j] = 1 } }
        return t
    }

    /// Row-major copy of the values (int tensors converted). PyTorch: `x.flatten().tolist()`.
    public var scalars: [Float] {
        if dtype == .int32 { return (0..<count).map { Float(idata[$0]) } }
        return Array(UnsafeBufferPointer(start: data, count: count))
    }

    /// Row-major copy of the values as Ints (float tensors truncated). PyTorch: `x.flatten().tolist()` on a long tensor.
    public var ints: [Int] {
        if dtype == .int32 { return (0..<count).map { Int(idata[$0]) } }
        return (0..<count).map { Int(data[$0]) }
    }

    /// The single value of a one-element tensor. PyTorch: `x.item()`.
    public func item() -> Float {
        check(count == 1, "item(): tensor has \(count) elements, shape \(shape)")
        return dtype == .int32 ? Float(idata[0]) : data[0]
    }

    /// Float version of an int tensor (or self). PyTorch: `x.float()`.
    public func float() -> Tensor {
        if dtype == .float32 { return self }
        let t = Tensor(uninitialized: shape)
        for i in 0..<count { t.data[i] = Float(idata[i]) }
        return t
    }

    /// Read-only access to the float elements (package API for LabNN).
    package func withUnsafeFloats<R>(_ body: (UnsafePointer<Float>, Int) throws -> R) rethrows -> R {
        check(dtype == .float32, "expected a float32 tensor, got int32 (shape \(shape))")
        return try body(UnsafePointer(data), count)
    }

    /// Mutable access to the float elements, in place (package API for LabNN optimizers and checkpoints).
    package func withUnsafeMutableFloats<R>(_ body: (UnsafeMutablePointer<Float>, Int) throws -> R) rethrows -> R {
        check(dtype == .float32, "expected a float32 tensor, got int32 (shape \(shape))")
        return try body(data, count)
    }

    /// Mutable access to the int32 elements (package API).
    package func withUnsafeMutableInt32s<R>(_ body: (UnsafeMutablePointer<Int32>, Int) throws -> R) rethrows -> R {
        check(dtype == .int32, "expected an int32 tensor, got float32 (shape \(shape))")
        return try body(idata, count)
    }

    /// Copy of the values into a new leaf (no graph). PyTorch: `x.clone().detach()`.
    public func clone() -> Tensor {
        let t = Tensor(uninitialized: shape, dtype: dtype)
        t.storage.raw.copyMemory(from: storage.raw, byteCount: count * 4)
        return t
    }

    /// Copies `other`'s values into this tensor in place (same number of elements). PyTorch: `x.copy_(other)` under no_grad.
    public func copy(from other: Tensor) {
        check(other.count == count && other.dtype == dtype, "copy(from:): \(other.shape) into \(shape)")
        storage.raw.copyMemory(from: other.storage.raw, byteCount: count * 4)
    }
}

@inline(__always) func normalizeDim(_ d: Int, _ n: Int) -> Int {
    let r = d < 0 ? d + n : d
    check(r >= 0 && r < Swift.max(n, 1), "dimension \(d) out of range for a \(n)-D tensor")
    return r
}

/// (outer, n, inner) split of `shape` around dimension `dim`.
@inline(__always) func splitAround(_ shape: [Int], _ dim: Int) -> (Int, Int, Int) {
    var outer = 1, inner = 1
    for i in 0..<dim { outer *= shape[i] }
    for i in (dim + 1)..<shape.count { inner *= shape[i] }
    return (outer, shape.isEmpty ? 1 : shape[dim], inner)
}

extension Tensor: CustomStringConvertible {
    /// PyTorch-like print: `tensor([[1.0000, 2.0000], ...])`.
    public var description: String {
        func fmt(_ i: Int) -> String {
            if dtype == .int32 { return String(idata[i]) }
            let v = data[i]
            if v.isNaN { return "nan" }
            if v.isInfinite { return v > 0 ? "inf" : "-inf" }
            return formatFixed(v, 4)
        }
        func rec(_ dim: Int, _ offset: Int, _ indent: Int) -> String {
            if shape.isEmpty { return fmt(0) }
            let n = shape[dim]
            let stride = shape[(dim + 1)...].reduce(1, *)
            var items: [String] = []
            let elide = count > 1000 && n > 6
            for i in 0..<n {
                if elide && i == 3 { items.append("..."); continue }
                if elide && i > 3 && i < n - 3 { continue }
                items.append(dim == shape.count - 1 ? fmt(offset + i) : rec(dim + 1, offset + i * stride, indent + 1))
            }
            let sep = dim == shape.count - 1 ? ", " : ",\n" + String(repeating: " ", count: 8 + indent)
            return "[" + items.joined(separator: sep) + "]"
        }
        var s = "tensor(" + rec(0, 0, 0)
        if dtype == .int32 { s += ", dtype=int32" }
        if backwardFn != nil { s += ", grad_fn" } else if requiresGrad { s += ", requires_grad=True" }
        return s + ")"
    }
}

/// Fixed-point formatting without Foundation (`-1.2346`).
func formatFixed(_ v: Float, _ digits: Int) -> String {
    var scale: Double = 1
    for _ in 0..<digits { scale *= 10 }
    let d = Double(v)
    let r = (abs(d) * scale).rounded()
    if r > 1e17 { return String(v) }
    let n = UInt64(r)
    let ip = n / UInt64(scale), fp = n % UInt64(scale)
    var fs = String(fp)
    while fs.count < digits { fs = "0" + fs }
    return (d < 0 && n != 0 ? "-" : "") + String(ip) + "." + fs
}
