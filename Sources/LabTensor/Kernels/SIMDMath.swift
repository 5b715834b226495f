// Vectorised math on SIMD8<Float> (one AVX2 register) with `-target-cpu haswell`.
// exp: Cephes-style 2^x polynomial (port of MLX simd/math.h, notes §2.5), rel. err ≤ 4e-6 on [-87, 88].
// erf: Abramowitz & Stegun 7.1.26, abs. err ≤ 1.5e-7. tanh via exp. Avoids the stdlib SIMD traps (notes §2.5):
// no `.clamped`, no `pointwiseMax`, no SIMD<Int32>(float) conversions.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

typealias V8 = SIMD8<Float>

@inline(__always) func vload(_ p: UnsafePointer<Float>) -> V8 { UnsafeRawPointer(p).loadUnaligned(as: V8.self) }
@inline(__always) func vload(_ p: UnsafeMutablePointer<Float>) -> V8 { UnsafeRawPointer(p).loadUnaligned(as: V8.self) }
@inline(__always) func vstore(_ v: V8, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: V8.self)
}
/// Loads `n < 8` floats, padding with `pad`.
@inline(__always) func vloadPartial(_ p: UnsafePointer<Float>, _ n: Int, pad: Float = 0) -> V8 {
    var v = V8(repeating: pad)
    for i in 0..<n { v[i] = p[i] }
    return v
}
@inline(__always) func vstorePartial(_ v: V8, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { p[i] = v[i] }
}

/// a·b + c with one fused multiply-add (Swift never contracts `a * b + c` by itself).
@inline(__always) func fma(_ a: V8, _ b: V8, _ c: V8) -> V8 { c.addingProduct(a, b) }
@inline(__always) func fma(_ a: V8, _ b: V8, _ c: Float) -> V8 { V8(repeating: c).addingProduct(a, b) }

@inline(__always) func vmax(_ a: V8, _ b: V8) -> V8 { var r = a; r.replace(with: b, where: b .> a); return r }
@inline(__always) func vmin(_ a: V8, _ b: V8) -> V8 { var r = a; r.replace(with: b, where: b .< a); return r }

/// e^x, lanewise.
@inline(__always) func vexp(_ x0: V8) -> V8 {
    var x = x0
    x.replace(with: V8(repeating: -87.3), where: x .< -87.3)
    x.replace(with: V8(repeating: 88), where: x .> 88)
    x *= 1.442695040888963
    let magic = V8(repeating: 12582912.0)  // 1.5·2^23: round to nearest
    let r = x + magic
    let f = x - (r - magic)                // fractional part in [-0.5, 0.5]
    var p = V8(repeating: 1.535336188319500e-4)
    p = fma(p, f, 1.339887440266574e-3)
    p = fma(p, f, 9.618437357674640e-3)
    p = fma(p, f, 5.550332471162809e-2)
    p = fma(p, f, 2.402264791363012e-1)
    p = fma(p, f, 6.931472028550421e-1)
    p = fma(p, f, 1.0)
    let k = unsafeBitCast(r, to: SIMD8<Int32>.self) &- 0x4B40_0000  // integer part
    var y = p * unsafeBitCast((k &+ 127) &<< 23, to: V8.self)
    y.replace(with: 0, where: x0 .< -87.3)  // exp(-inf) (masked logits) must be exactly 0
    return y
}

/// tanh(x) = 1 - 2 / (e^{2x} + 1), lanewise.
@inline(__always) func vtanh(_ x: V8) -> V8 {
    1 - 2 / (vexp(2 * x) + 1)
}

/// erf(x), lanewise (A&S 7.1.26).
@inline(__always) func verf(_ x: V8) -> V8 { verf(x, expNegSquare: vexp(-x * x)) }

/// erf(x) given e^{−x²} (shared with the GELU derivative's Gaussian density).
@inline(__always) func verf(_ x: V8, expNegSquare e: V8) -> V8 {
    var ax = x
    ax.replace(with: -x, where: x .< 0)
    let t = 1 / fma(ax, V8(repeating: 0.3275911), 1)
    var p = V8(repeating: 1.061405429)
    p = fma(p, t, -1.453152027)
    p = fma(p, t, 1.421413741)
    p = fma(p, t, -0.284496736)
    p = fma(p, t, 0.254829592)
    var r = fma(-(p * t), e, 1)
    r.replace(with: -r, where: x .< 0)
    return r
}

// GELU. `tanh` approximation: 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))); exact: 0.5·x·(1 + erf(x/√2)).
let sqrt2OverPi: Float = 0.7978845608028654
let invSqrt2: Float = 0.7071067811865476
let invSqrt2Pi: Float = 0.3989422804014327

@inline(__always) func vgeluTanh(_ x: V8) -> V8 {
    let u: V8 = sqrt2OverPi * (x + 0.044715 * x * x * x)
    return 0.5 * x * (1 + vtanh(u))
}
@inline(__always) func vgeluTanhGrad(_ x: V8) -> V8 {
    let x2: V8 = x * x
    let u: V8 = sqrt2OverPi * (x + 0.044715 * x2 * x)
    let t: V8 = vtanh(u)
    let du: V8 = sqrt2OverPi * (1 + 0.134145 * x2)
    let a: V8 = 0.5 * (1 + t)
    return a + 0.5 * x * (1 - t * t) * du
}
@inline(__always) func vgeluErf(_ x: V8) -> V8 { 0.5 * x * (1 + verf(x * invSqrt2)) }
@inline(__always) func vgeluErfGrad(_ x: V8) -> V8 {
    let e = vexp(-0.5 * x * x)                          // e^{−(x/√2)²}: erf's and the density's exponential
    let cdf: V8 = 0.5 * (1 + verf(x * invSqrt2, expNegSquare: e))
    return cdf + x * (invSqrt2Pi * e)
}

/// GELU (erf) value and derivative in one pass (one exp, one erf), for training.
@inline(__always) func vgeluErfWithGrad(_ x: V8) -> (V8, V8) {
    let e = vexp(-0.5 * x * x)
    let cdf: V8 = 0.5 * (1 + verf(x * invSqrt2, expNegSquare: e))
    return (x * cdf, cdf + x * (invSqrt2Pi * e))
}

/// GELU (tanh) value and derivative in one pass.
@inline(__always) func vgeluTanhWithGrad(_ x: V8) -> (V8, V8) {
    let x2: V8 = x * x
    let u: V8 = sqrt2OverPi * (x + 0.044715 * x2 * x)
    let t: V8 = vtanh(u)
    let du: V8 = sqrt2OverPi * (1 + 0.134145 * x2)
    let a: V8 = 0.5 * (1 + t)
    return (x * a, a + 0.5 * x * (1 - t * t) * du)
}

// Scalar references (libm), used by tests to check the fast paths.
func geluTanhRef(_ x: Float) -> Float { 0.5 * x * (1 + tanhf(sqrt2OverPi * (x + 0.044715 * x * x * x))) }
func geluErfRef(_ x: Float) -> Float { 0.5 * x * (1 + erff(x * invSqrt2)) }
func geluTanhGradRef(_ x: Float) -> Float {
    let t = tanhf(sqrt2OverPi * (x + 0.044715 * x * x * x))
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * sqrt2OverPi * (1 + 3 * 0.044715 * x * x)
}
func geluErfGradRef(_ x: Float) -> Float { 0.5 * (1 + erff(x * invSqrt2)) + x * invSqrt2Pi * expf(-0.5 * x * x) }

/// Counter-based uniform hash: 32 random bits for (seed, index). Lanewise; used for dropout masks.
@inline(__always) func vhash(_ idx: SIMD8<UInt32>, _ seed: UInt64) -> SIMD8<UInt32> {
    var x = (idx ^ UInt32(truncatingIfNeeded: seed >> 32)) &* 0x9E37_79B9 &+ UInt32(truncatingIfNeeded: seed)
    x ^= x &>> 16; x &*= 0x7FEB_352D
    x ^= x &>> 15; x &*= 0x846C_A68B
    x ^= x &>> 16
    x &+= UInt32(truncatingIfNeeded: seed >> 17)
    x ^= x &>> 15; x &*= 0x2C1B_3C6D
    x ^= x &>> 12
    return x
}
@inline(__always) func hashScalar(_ idx: UInt32, _ seed: UInt64) -> UInt32 {
    var x = (idx ^ UInt32(truncatingIfNeeded: seed >> 32)) &* 0x9E37_79B9 &+ UInt32(truncatingIfNeeded: seed)
    x ^= x >> 16; x &*= 0x7FEB_352D
    x ^= x >> 15; x &*= 0x846C_A68B
    x ^= x >> 16
    x &+= UInt32(truncatingIfNeeded: seed >> 17)
    x ^= x >> 15; x &*= 0x2C1B_3C6D
    x ^= x >> 12
    return x
}
