// Elementwise arithmetic with NumPy broadcasting, and unary math (exp, log, tanh, relu, gelu, ...).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum BinaryOp { case add, sub, mul, div }

/// out = a op b with broadcasting; records the backward.
func binary(_ a0: Tensor, _ b0: Tensor, _ op: BinaryOp) -> Tensor {
    let a = a0.float(), b = b0.float()
    guard let outShape = broadcastShapes(a.shape, b.shape) else {
        fail("shapes \(a.shape) and \(b.shape) are not broadcastable")
    }
    let out = Tensor(uninitialized: outShape)
    switch op {
    case .add: broadcastBinary(a.data, a.shape, b.data, b.shape, out.data, outShape) { $0 + $1 }
    case .sub: broadcastBinary(a.data, a.shape, b.data, b.shape, out.data, outShape) { $0 - $1 }
    case .mul: broadcastBinary(a.data, a.shape, b.data, b.shape, out.data, outShape) { $0 * $1 }
    case .div: broadcastBinary(a.data, a.shape, b.data, b.shape, out.data, outShape) { $0 / $1 }
    }
    guard Tensor.needsGrad(a, b) else { return out }
    return out.record([a, b]) { out in
        let g = out.grad!
        // Gradient w.r.t. one operand, computed at the output shape (nil = g itself), then summed to the operand shape.
        func push(_ t: Tensor, _ local: Tensor?) {
            guard t.requiresGrad else { return }
            let src = local ?? g
            if t.shape == outShape {
                let (p, acc) = t.gradBuffer()
                storeOrAdd(p, src.data, t.count, acc)
            } else {
                reduceAdd(src.data, outShape, into: t.gradBufferZeroed(), t.shape)
            }
        }
        func map(_ x: Tensor, _ f: (V8, V8) -> V8) -> Tensor {
            let r = Tensor(uninitialized: outShape)
            broadcastBinary(g.data, outShape, x.data, x.shape, r.data, outShape, f)
            return r
        }
        switch op {
        case .add:
            // Same shapes and no gradient yet: one operand takes g itself (out.grad is dropped after this closure).
            if a.requiresGrad && a.grad == nil && a.shape == outShape && !(b.requiresGrad && b === a) {
                a.grad = g
                out.grad = nil
                push(b, nil)
            } else {
                push(a, nil); push(b, nil)
            }
        case .sub:
            push(a, nil)
            if b.requiresGrad { push(b, map(b) { g, _ in -g }) }
        case .mul:
            if a.requiresGrad { push(a, map(b) { $0 * $1 }) }
            if b.requiresGrad { push(b, map(a) { $0 * $1 }) }
        case .div:
            if a.requiresGrad { push(a, map(b) { $0 / $1 }) }
            if b.requiresGrad {  // −g·a/b²
                let r = Tensor(uninitialized: outShape)
                let ab = Tensor(uninitialized: outShape)
                broadcastBinary(a.data, a.shape, b.data, b.shape, ab.data, outShape) { $0 / ($1 * $1) }
                broadcastBinary(g.data, outShape, ab.data, outShape, r.data, outShape) { -$0 * $1 }
                push(b, r)
            }
        }
    }
}

/// Elementwise op with a backward given as dx = dy ⊙ f'(x, y) computed by `grad(x, y, dy)`.
/// Inlined so the SIMD closures are specialised (an indirect call per 8 lanes costs more than the math).
@inline(__always)
func unary(_ x0: Tensor, cost: Int = 1, forward f: (V8) -> V8, backward df: @escaping (V8, V8, V8) -> V8) -> Tensor {
    let x = x0.float()
    let out = Tensor(uninitialized: x.shape)
    pmap(x.count, x.data, out.data, cost: cost, f)
    guard Tensor.needsGrad(x) else { return out }
    return out.record([x]) { out in
        let g = out.grad!
        let (p, acc) = x.gradBuffer()
        let xs = SendPtr(x.data), ys = SendPtr(out.data), gs = SendPtr(g.data), ps = SendPtr(p)
        parallelRanges(x.count, costPerItem: cost) { r in
            let lo = r.lowerBound
            if !acc { vmap3(r.count, xs.p + lo, ys.p + lo, gs.p + lo, ps.p + lo, df); return }
            var i = lo
            while i + 8 <= r.upperBound {
                vstore(vload(ps.p + i) + df(vload(xs.p + i), vload(ys.p + i), vload(gs.p + i)), ps.p + i)
                i += 8
            }
            while i < r.upperBound {
                ps.p[i] += df(V8(repeating: xs.p[i]), V8(repeating: ys.p[i]), V8(repeating: gs.p[i]))[0]
                i += 1
            }
        }
    }
}

/// Elementwise op whose forward also yields the local derivative (stored when training): dx (+)= dy ⊙ f'(x).
/// Saves recomputing an expensive f' (GELU's erf/exp) in backward.
@inline(__always)
func unaryStoringDerivative(_ x0: Tensor, cost: Int, forward f: (V8) -> V8, withGrad fg: (V8) -> (V8, V8)) -> Tensor {
    let x = x0.float()
    let out = Tensor(uninitialized: x.shape)
    guard Tensor.needsGrad(x) else {
        pmap(x.count, x.data, out.data, cost: cost, f)
        return out
    }
    let deriv = Tensor(uninitialized: x.shape)
    let n = x.count
    let xs = SendPtr(x.data), ys = SendPtr(out.data), ds = SendPtr(deriv.data)
    parallelRanges(n, costPerItem: cost) { r in
        var i = r.lowerBound
        while i + 8 <= r.upperBound {
            let (y, d) = fg(vload(xs.p + i))
            vstore(y, ys.p + i); vstore(d, ds.p + i)
            i += 8
        }
        if i < r.upperBound {
            let m = r.upperBound - i
            let (y, d) = fg(vloadPartial(xs.p + i, m))
            vstorePartial(y, ys.p + i, m); vstorePartial(d, ds.p + i, m)
        }
    }
    return out.record([x]) { out in
        let (p, acc) = x.gradBuffer()
        let g = out.grad!
        if acc { pmap2(n, g.data, deriv.data, deriv.data) { $0 * $1 }; addInPlace(p, deriv.data, n) } else {
            pmap2(n, g.data, deriv.data, p) { $0 * $1 }
        }
    }
}

// MARK: - Operators

extension Tensor {
    /// Elementwise sum with NumPy broadcasting.
    ///
    /// ```swift
    /// let x = tokEmb + posEmb   // (B, T, C) + (T, C)
    /// ```
    /// PyTorch: `a + b`.
    public static func + (a: Tensor, b: Tensor) -> Tensor { binary(a, b, .add) }
    /// Elementwise difference with broadcasting. PyTorch: `a - b`.
    public static func - (a: Tensor, b: Tensor) -> Tensor { binary(a, b, .sub) }
    /// Elementwise product with broadcasting. PyTorch: `a * b`.
    public static func * (a: Tensor, b: Tensor) -> Tensor { binary(a, b, .mul) }
    /// Elementwise quotient with broadcasting. PyTorch: `a / b`.
    public static func / (a: Tensor, b: Tensor) -> Tensor { binary(a, b, .div) }

    /// Adds a scalar to every element. PyTorch: `x + 1.0`.
    ///
    /// ```swift
    /// let y = x + 1
    /// ```
    public static func + (a: Tensor, s: Float) -> Tensor {
        let v = V8(repeating: s)
        return unary(a, forward: { $0 + v }, backward: { _, _, g in g })
    }
    /// Adds a scalar to every element. PyTorch: `1.0 + x`.
    public static func + (s: Float, a: Tensor) -> Tensor { a + s }
    /// Subtracts a scalar from every element. PyTorch: `x - 1.0`.
    public static func - (a: Tensor, s: Float) -> Tensor { a + (-s) }
    /// Scalar minus each element. PyTorch: `1.0 - x`.
    public static func - (s: Float, a: Tensor) -> Tensor {
        let v = V8(repeating: s)
        return unary(a, forward: { v - $0 }, backward: { _, _, g in -g })
    }
    /// Multiplies every element by a scalar. PyTorch: `x * 0.5`.
    ///
    /// ```swift
    /// let att = matmul(q, kT) * (1 / Float(hs).squareRoot())
    /// ```
    /// Pending (Pending.swift): computed when read, or fused into a following maskedFill + softmax.
    public static func * (a: Tensor, s: Float) -> Tensor {
        let x = a.float()
        let out = Tensor(pending: .scaled(source: x, scale: s), shape: x.shape)
        guard Tensor.needsGrad(x) else { return out }
        return out.record([x]) { out in        // dx (+)= s · dy (never reads the output)
            let g = out.grad!
            let (p, acc) = x.gradBuffer()
            let v = V8(repeating: s)
            if acc { pmap2(x.count, g.data, p, p) { $0 * v + $1 } } else { pmap(x.count, g.data, p) { $0 * v } }
        }
    }
    /// Multiplies every element by a scalar. PyTorch: `0.5 * x`.
    public static func * (s: Float, a: Tensor) -> Tensor { a * s }
    /// Divides every element by a scalar. PyTorch: `x / 2.0`.
    public static func / (a: Tensor, s: Float) -> Tensor { a * (1 / s) }
    /// Scalar divided by each element. PyTorch: `1.0 / x`.
    public static func / (s: Float, a: Tensor) -> Tensor {
        let v = V8(repeating: s)
        return unary(a, forward: { v / $0 }, backward: { x, _, g in -g * v / (x * x) })
    }
    /// Negation. PyTorch: `-x`.
    public static prefix func - (a: Tensor) -> Tensor { a * -1 }

    /// `a = a + b` (rebinds `a` to a new tensor; the graph keeps the old one). PyTorch: `x = x + y`.
    ///
    /// ```swift
    /// x += attn(ln_1(x))
    /// ```
    public static func += (a: inout Tensor, b: Tensor) { a = a + b }
    /// `a = a - b` (rebinds). PyTorch: `x = x - y`.
    public static func -= (a: inout Tensor, b: Tensor) { a = a - b }
    /// `a = a * b` (rebinds). PyTorch: `x = x * y`.
    public static func *= (a: inout Tensor, b: Tensor) { a = a * b }
    /// `a = a + s` (rebinds). PyTorch: `x = x + s`.
    public static func += (a: inout Tensor, s: Float) { a = a + s }
    /// `a = a * s` (rebinds). PyTorch: `x = x * s`.
    public static func *= (a: inout Tensor, s: Float) { a = a * s }

    /// Float mask (1 where equal, 0 elsewhere); non-differentiable. PyTorch: `x == v`.
    public static func .== (a: Tensor, s: Float) -> Tensor {
        noGrad { let v = V8(repeating: s); return unary(a, forward: { V8(repeating: 0).replacing(with: 1, where: $0 .== v) }, backward: { _, _, g in g }) }
    }
    /// Float mask (1 where different, 0 elsewhere); non-differentiable. PyTorch: `x != v`.
    public static func .!= (a: Tensor, s: Float) -> Tensor {
        noGrad { let v = V8(repeating: s); return unary(a, forward: { V8(repeating: 1).replacing(with: 0, where: $0 .== v) }, backward: { _, _, g in g }) }
    }

    // MARK: Unary math

    /// x raised to the power `p`. PyTorch: `x.pow(p)` / `x ** p`.
    public func pow(_ p: Float) -> Tensor {
        if p == 2 { return unary(self, forward: { $0 * $0 }, backward: { x, _, g in 2 * x * g }) }
        if p == 1 { return unary(self, forward: { $0 }, backward: { _, _, g in g }) }
        return unary(self, cost: 20, forward: { x in
            var r = V8(); for i in 0..<8 { r[i] = powf(x[i], p) }; return r
        }, backward: { x, _, g in
            var r = V8(); for i in 0..<8 { r[i] = p * powf(x[i], p - 1) }; return r * g
        })
    }

    /// Elementwise e^x. PyTorch: `x.exp()`.
    public func exp() -> Tensor { unary(self, cost: 4, forward: vexp, backward: { _, y, g in y * g }) }

    /// Elementwise natural log. PyTorch: `x.log()`.
    public func log() -> Tensor {
        unary(self, cost: 20, forward: { x in var r = V8(); for i in 0..<8 { r[i] = logf(x[i]) }; return r },
              backward: { x, _, g in g / x })
    }

    /// Elementwise square root. PyTorch: `x.sqrt()`.
    public func sqrt() -> Tensor {
        unary(self, cost: 4, forward: { x in var r = V8(); for i in 0..<8 { r[i] = x[i].squareRoot() }; return r },
              backward: { _, y, g in 0.5 * g / y })
    }

    /// Elementwise hyperbolic tangent. PyTorch: `x.tanh()`.
    public func tanh() -> Tensor { unary(self, cost: 4, forward: vtanh, backward: { _, y, g in (1 - y * y) * g }) }

    /// Elementwise logistic sigmoid. PyTorch: `x.sigmoid()`.
    public func sigmoid() -> Tensor {
        unary(self, cost: 4, forward: { 1 / (1 + vexp(-$0)) }, backward: { _, y, g in y * (1 - y) * g })
    }

    /// Elementwise max(x, 0). PyTorch: `x.relu()`.
    public func relu() -> Tensor {
        unary(self, forward: { vmax($0, V8()) },
              backward: { x, _, g in V8(repeating: 0).replacing(with: g, where: x .> 0) })
    }

    /// Elementwise absolute value. PyTorch: `x.abs()`.
    public func abs() -> Tensor {
        unary(self, forward: { x in var r = x; r.replace(with: -x, where: x .< 0); return r },
              backward: { x, _, g in var r = g; r.replace(with: -g, where: x .< 0); return r })
    }
}

/// GELU variants: `.none` = exact erf form (PyTorch's default), `.tanh` = GPT-2's approximation.
public enum GELUApproximation: Sendable { case none, tanh }

extension Tensor {
    /// Gaussian error linear unit.
    ///
    /// ```swift
    /// let h = x.gelu()                      // exact (erf)
    /// let h2 = x.gelu(approximate: .tanh)   // GPT-2
    /// ```
    /// PyTorch: `F.gelu(x)` / `F.gelu(x, approximate='tanh')`.
    public func gelu(approximate: GELUApproximation = .none) -> Tensor {
        switch approximate {
        case .tanh: return unaryStoringDerivative(self, cost: 8, forward: vgeluTanh, withGrad: vgeluTanhWithGrad)
        case .none: return unaryStoringDerivative(self, cost: 8, forward: vgeluErf, withGrad: vgeluErfWithGrad)
        }
    }
}

/// Gaussian error linear unit. PyTorch: `F.gelu(x, approximate=...)`.
public func gelu(_ x: Tensor, approximate: GELUApproximation = .none) -> Tensor { x.gelu(approximate: approximate) }
/// Rectified linear unit. PyTorch: `F.relu(x)`.
public func relu(_ x: Tensor) -> Tensor { x.relu() }
