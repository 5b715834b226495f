// OpenBLAS set-up: pick the right kernel in-process (Debian's 0.3.21 misdetects AVX-512 Xeons as "Prescott" and runs
// ~5× slow, notes §0.1/§2.3), and run it single-threaded: LabTensor splits work over the cores itself (notes §2.4).
@_implementationOnly import CBLAS  // not `internal import`: clients of this non-resilient module would then need CBLAS's module map
#if canImport(Glibc)
import Glibc
#endif

/// OpenBLAS information and settings.
///
/// ```swift
/// print(BLAS.coreName)   // "Haswell", "Zen", "SkylakeX", ...
/// ```
/// PyTorch: `torch.__config__.show()`.
public enum BLAS {
    /// The kernel OpenBLAS selected at load time, before any override.
    nonisolated(unsafe) static var detectedCoreName = ""

    /// Runs once before the first BLAS call.
    static let ready: Bool = {
        detectedCoreName = String(cString: openblas_get_corename())
        if detectedCoreName.lowercased() == "prescott", let core = coreTypeForCPU() {
            setenv("OPENBLAS_CORETYPE", core, 1)
            gotoblas_dynamic_quit()
            gotoblas_dynamic_init()
        }
        openblas_set_num_threads(1)
        return true
    }()

    /// The OpenBLAS kernel in use (after LabTensor's in-process fix of the Prescott misdetection).
    public static var coreName: String {
        _ = ready
        return String(cString: openblas_get_corename())
    }

    /// The `OPENBLAS_CORETYPE` a launcher should export to child processes, or nil when OpenBLAS detects this CPU
    /// correctly by itself. ("SkylakeX" with AVX-512, "Haswell" with AVX2.)
    public static var recommendedCoreType: String? {
        _ = ready
        return detectedCoreName.lowercased() == "prescott" ? coreTypeForCPU() : nil
    }

    /// OpenBLAS's own thread count (LabTensor keeps it at 1 and splits work itself; see `setNumThreads`).
    public static var threads: Int {
        get { _ = ready; return Int(openblas_get_num_threads()) }
        set { _ = ready; openblas_set_num_threads(Int32(newValue)) }
    }

    /// "SkylakeX" if /proc/cpuinfo lists avx512f, "Haswell" if avx2, else nil.
    static func coreTypeForCPU() -> String? {
        guard let f = fopen("/proc/cpuinfo", "r") else { return nil }
        defer { fclose(f) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var cap = 0
        defer { free(line) }
        while getline(&line, &cap, f) > 0 {
            let s = String(cString: line!)
            guard s.hasPrefix("flags") else { continue }
            let flags = Set(s.split(separator: " ").map { $0.trimmingCharacters() })
            if flags.contains("avx512f") { return "SkylakeX" }
            if flags.contains("avx2") { return "Haswell" }
            return nil
        }
        return nil
    }
}

extension Substring {
    fileprivate func trimmingCharacters() -> String {
        String(self.filter { !$0.isWhitespace })
    }
}

// MARK: - sgemm

/// C[m,n] = alpha · op(A)[m,k] · op(B)[k,n] + beta · C (row-major), split over the cores along the larger of m, n.
func sgemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
           _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
           _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    _ = BLAS.ready
    if m == 0 || n == 0 { return }
    let ta = transA ? CblasTrans : CblasNoTrans, tb = transB ? CblasTrans : CblasNoTrans
    func call(_ m: Int, _ n: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>) {
        cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                    beta, c, Int32(ldc))
    }
    if m == 1 && k > 0 {
        // One row (a generated token through a Linear): a matrix-vector product reads op(B) once instead of packing it.
        // c[n] = alpha · op(B)ᵀ a + beta · c, with a's k elements every `lda` when A is stored transposed.
        let incA = Int32(transA ? lda : 1)
        if beta == 0 { c.initialize(repeating: 0, count: n) }   // c may be uninitialised (NaN · 0 is NaN)
        // Outputs [j0, j1): rows j0..<j1 of B when transposed, else columns.
        func gemv(_ j0: Int, _ j1: Int) {
            if transB {  // B stored (n, k): c = B a
                cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(j1 - j0), Int32(k), alpha, b + j0 * ldb, Int32(ldb),
                            a, incA, beta, c + j0, 1)
            } else {     // B stored (k, n): c = Bᵀ a
                cblas_sgemv(CblasRowMajor, CblasTrans, Int32(k), Int32(j1 - j0), alpha, b + j0, Int32(ldb), a, incA,
                            beta, c + j0, 1)
            }
        }
        // Memory-bound: each core streams its share of B (inline when small, or already inside a parallel task).
        parallelRanges(n, costPerItem: k) { r in gemv(r.lowerBound, r.upperBound) }
        return
    }
    let flops = m * n * k
    if flops < 1 << 21 || _numThreads < 2 || _inParallel || k == 0 {
        call(m, n, a, b, c)
        return
    }
    let aS = SendPtr(a), bS = SendPtr(b), cS = SendPtr(c)
    if m >= n {  // split rows of C
        parallelRanges(m, costPerItem: 1 << 20) { r in
            let pa = transA ? aS.p + r.lowerBound : aS.p + r.lowerBound * lda
            call(r.count, n, pa, bS.p, cS.p + r.lowerBound * ldc)
        }
    } else {     // split columns of C
        parallelRanges(n, costPerItem: 1 << 20) { r in
            let pb = transB ? bS.p + r.lowerBound * ldb : bS.p + r.lowerBound
            call(m, r.count, aS.p, pb, cS.p + r.lowerBound)
        }
    }
}

/// y[n] = alpha · op(A) x + beta · y (row-major A[m, n]). Used for bias gradients (column sums).
func sgemv(_ transA: Bool, _ m: Int, _ n: Int, _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int,
           _ x: UnsafePointer<Float>, _ beta: Float, _ y: UnsafeMutablePointer<Float>) {
    _ = BLAS.ready
    cblas_sgemv(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), alpha, a, Int32(lda), x, 1,
                beta, y, 1)
}

/// dst[cols] (+)= Σ_rows src[rows, cols].
func columnSum(_ src: UnsafePointer<Float>, rows: Int, cols: Int, into dst: UnsafeMutablePointer<Float>, accumulate: Bool) {
    let ones = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(rows, 1))
    ones.initialize(repeating: 1, count: rows)
    defer { ones.deallocate() }
    let sS = SendPtr(src), dS = SendPtr(dst), oS = SendPtr(ones)
    parallelRanges(cols, costPerItem: rows) { r in
        sgemv(true, rows, r.count, 1, sS.p + r.lowerBound, cols, oS.p, accumulate ? 1 : 0, dS.p + r.lowerBound)
    }
}
