// The global seeded generator (xoshiro256**, seeded through splitmix64) and random tensor creation.
// Dropout masks use a counter-based hash of (seed, index) instead (Kernels/Elementwise.swift), so they can be
// generated in parallel and regenerated in backward instead of stored.

struct Xoshiro256 {
    var s: (UInt64, UInt64, UInt64, UInt64)

    init(seed: UInt64) {
        var z = seed
        func splitmix(_ z: inout UInt64) -> UInt64 {
            z &+= 0x9E37_79B9_7F4A_7C15
            var x = z
            x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
            x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
            return x ^ (x >> 31)
        }
        s = (splitmix(&z), splitmix(&z), splitmix(&z), splitmix(&z))
    }

    @inline(__always) mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = (s.3 << 45) | (s.3 >> 19)
        return result
    }

    /// Uniform in [0, 1) with 24 bits.
    @inline(__always) mutating func nextFloat() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }
    /// Uniform in [0, 1) with 53 bits.
    @inline(__always) mutating func nextDouble() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }
    /// Uniform integer in [0, n).
    @inline(__always) mutating func nextInt(_ n: Int) -> Int { Int((UInt128(next()) * UInt128(n)) >> 64) }
}

/// The calling thread's generator (see ThreadState.swift).
var _rng: Xoshiro256 {
    _read { yield threadState.rng }
    _modify { yield &threadState.rng }
}

/// Seeds the global generator used by `randn`, `rand`, `randint`, `multinomial`, `dropout` and parameter init.
///
/// ```swift
/// manualSeed(1337)
/// ```
/// PyTorch: `torch.manual_seed(1337)`.
public func manualSeed(_ seed: UInt64) { _rng = Xoshiro256(seed: seed) }

/// A fresh 64-bit seed drawn from the global generator (for counter-based kernels like dropout).
func nextSeed() -> UInt64 { _rng.next() }

extension Tensor {
    /// Normal(0, std²) samples from the global generator. PyTorch: `torch.randn(shape) * std`.
    ///
    /// ```swift
    /// let w = Tensor.randn([256, 256], std: 0.02, requiresGrad: true)
    /// ```
    public static func randn(_ shape: [Int], std: Float = 1, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitialized: shape)
        let p = t.data
        var i = 0
        while i < t.count {  // Box-Muller, two samples per pair of uniforms
            let u1 = Swift.max(_rng.nextDouble(), 1e-300), u2 = _rng.nextDouble()
            let r = (-2 * _log(u1)).squareRoot()
            p[i] = Float(r * _cos(2 * Double.pi * u2)) * std
            if i + 1 < t.count { p[i + 1] = Float(r * _sin(2 * Double.pi * u2)) * std }
            i += 2
        }
        t.requiresGrad = requiresGrad
        return t
    }

    /// Uniform [0, 1) samples. PyTorch: `torch.rand(shape)`.
    public static func rand(_ shape: [Int]) -> Tensor {
        let t = Tensor(uninitialized: shape)
        for i in 0..<t.count { t.data[i] = _rng.nextFloat() }
        return t
    }

    /// Uniform integers in [0, high) as an int32 tensor. PyTorch: `torch.randint(high, shape)`.
    public static func randint(_ high: Int, _ shape: [Int]) -> Tensor {
        check(high > 0, "randint: high must be positive")
        let t = Tensor(uninitialized: shape, dtype: .int32)
        for i in 0..<t.count { t.idata[i] = Int32(_rng.nextInt(high)) }
        return t
    }
}

/// Uniform integer in [0, high) from the global generator. PyTorch: `torch.randint(high, ()).item()`.
public func randomInt(_ high: Int) -> Int { _rng.nextInt(high) }
