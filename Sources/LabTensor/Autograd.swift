// Reverse-mode autograd on a runtime tape (micrograd with tensors).
// An op's result keeps its inputs and a backward closure when grad mode is on and some input requires grad.
// `backward()` sorts the graph topologically (iteratively), runs the closures in reverse order, accumulates into the
// leaves' `.grad` and then drops closures and edges so the graph is freed.

nonisolated(unsafe) var _visitEpoch: UInt64 = 0

/// Whether operations currently record the autograd graph. PyTorch: `torch.is_grad_enabled()`.
public var isGradEnabled: Bool { _gradEnabled }

/// Runs `body` without recording the graph (evaluation, sampling, optimizer updates).
///
/// ```swift
/// let logits = noGrad { model(x) }
/// ```
/// PyTorch: `with torch.no_grad(): ...`.
public func noGrad<R>(_ body: () throws -> R) rethrows -> R {
    let saved = _gradEnabled
    _gradEnabled = false
    defer { _gradEnabled = saved }
    return try body()
}

/// Runs `body` with graph recording on (inside `noGrad`). PyTorch: `with torch.enable_grad(): ...`.
public func enableGrad<R>(_ body: () throws -> R) rethrows -> R {
    let saved = _gradEnabled
    _gradEnabled = true
    defer { _gradEnabled = saved }
    return try body()
}

extension Tensor {
    /// Whether an op over `inputs` must record itself.
    @inline(__always) static func needsGrad(_ a: Tensor) -> Bool { _gradEnabled && a.requiresGrad }
    @inline(__always) static func needsGrad(_ a: Tensor, _ b: Tensor) -> Bool {
        _gradEnabled && (a.requiresGrad || b.requiresGrad)
    }

    /// Records `self` as the result of an op over `inputs` with backward `fn` (if any input requires grad).
    @inline(__always) @discardableResult
    func record(_ inputs: [Tensor], _ fn: @escaping (Tensor) -> Void) -> Tensor {
        guard _gradEnabled, inputs.contains(where: { $0.requiresGrad }) else { return self }
        requiresGrad = true
        parents = inputs
        backwardFn = fn
        return self
    }

    /// Pointer to this tensor's gradient buffer for a backward kernel. When the buffer did not exist it is allocated
    /// uninitialised and `accumulate` is false: the kernel must overwrite every element. Otherwise kernels add (`+=`).
    @inline(__always) func gradBuffer() -> (ptr: UnsafeMutablePointer<Float>, accumulate: Bool) {
        if let g = grad { return (g.data, true) }
        let g = Tensor(uninitialized: shape)
        grad = g
        return (g.data, false)
    }

    /// Zero-initialised (or existing) gradient buffer, for kernels that scatter-add.
    @inline(__always) func gradBufferZeroed() -> UnsafeMutablePointer<Float> {
        let (p, acc) = gradBuffer()
        if !acc { p.initialize(repeating: 0, count: count) }
        return p
    }

    /// Adds `g` (same element count) into this tensor's gradient; takes ownership of `g` when there is no gradient yet.
    func accumulateGrad(_ g: Tensor, owned: Bool = true) {
        check(g.count == count, "gradient of \(g.shape) for tensor of \(shape)")
        if grad == nil {
            grad = owned ? (g.shape == shape ? g : Tensor(sharing: g.storage, shape: shape, dtype: .float32)) : g.clone().reshaped(shape)
        } else {
            addInPlace(grad!.data, g.data, count)
        }
    }

    /// Reshape without autograd (shares storage).
    func reshaped(_ s: [Int]) -> Tensor { s == shape ? self : Tensor(sharing: storage, shape: s, dtype: dtype) }

    /// Computes gradients of this tensor with respect to the graph leaves that require grad, accumulating into their
    /// `.grad`. A scalar gets gradient 1. The graph is freed afterwards.
    ///
    /// ```swift
    /// let loss = crossEntropy(model(x), y)
    /// loss.backward()
    /// ```
    /// PyTorch: `loss.backward()`.
    public func backward(_ gradient: Tensor? = nil) {
        check(requiresGrad, "backward(): tensor does not require grad (no parameter with requiresGrad in its graph)")
        check(!graphFreed, "backward(): this graph was already used by a previous backward() and freed; run the forward again")
        let seed: Tensor
        if let g = gradient {
            check(g.count == count, "backward(): gradient shape \(g.shape) does not match \(shape)")
            seed = g.clone().reshaped(shape)
        } else {
            check(count == 1, "backward(): grad can be implicitly created only for scalar outputs (shape \(shape))")
            seed = Tensor.full(shape, 1)
        }
        // Iterative DFS post-order.
        _visitEpoch &+= 1
        let epoch = _visitEpoch
        var order: [Tensor] = []
        var stack: [(Tensor, Int)] = [(self, 0)]
        visitMark = epoch
        while !stack.isEmpty {
            let (t, i) = stack[stack.count - 1]
            if i < t.parents.count {
                stack[stack.count - 1].1 = i + 1
                let p = t.parents[i]
                if p.visitMark != epoch && p.requiresGrad {
                    p.visitMark = epoch
                    stack.append((p, 0))
                }
            } else {
                order.append(t)
                stack.removeLast()
            }
        }
        if backwardFn == nil {  // backward on a leaf: just accumulate.
            accumulateGrad(seed)
            return
        }
        if let existing = grad { addInPlace(existing.data, seed.data, count) } else { grad = seed }
        for t in order.reversed() {
            guard let fn = t.backwardFn else { continue }  // leaf
            if t.grad != nil { fn(t) }
            t.grad = nil         // non-leaf grads are not kept (PyTorch)
            t.backwardFn = nil
            t.parents = []
            t.graphFreed = true
        }
    }

    /// A new tensor sharing this one's values, cut from the graph. PyTorch: `x.detach()`.
    public func detach() -> Tensor { Tensor(sharing: storage, shape: shape, dtype: dtype) }

    /// Drops the accumulated gradient (set-to-none semantics). PyTorch: `x.grad = None`.
    public func zeroGrad() { grad = nil }
}
