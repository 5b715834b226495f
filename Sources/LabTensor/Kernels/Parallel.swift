// Splitting work over the cores. OpenBLAS runs single-threaded; we split rows, batches and heads ourselves
// (measured best in the notes §2.4: one thread pool, no oversubscription, no spinning BLAS workers).
import Dispatch

nonisolated(unsafe) var _numThreads: Int = {
    #if os(Linux)
    let n = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    #else
    let n = 2
    #endif
    return Swift.max(1, Swift.min(n, 8))
}()


/// Sets the number of threads LabTensor's kernels use. PyTorch: `torch.set_num_threads(n)`.
public func setNumThreads(_ n: Int) { _numThreads = Swift.max(1, n) }
/// The number of threads LabTensor's kernels use. PyTorch: `torch.get_num_threads()`.
public func getNumThreads() -> Int { _numThreads }

/// A raw pointer that may cross into `concurrentPerform` tasks (the tasks write disjoint ranges).
struct SendPtr<T>: @unchecked Sendable {
    let p: UnsafeMutablePointer<T>
    init(_ p: UnsafeMutablePointer<T>) { self.p = p }
    init(_ p: UnsafePointer<T>) { self.p = UnsafeMutablePointer(mutating: p) }
}

/// Runs `body(range)` over `0..<n` split into contiguous chunks, one per thread, when `n * costPerItem` is worth it
/// (~ 32k flops/bytes of work per thread); otherwise inline.
@inline(__always)
func parallelRanges(_ n: Int, costPerItem: Int = 1, _ body: (Range<Int>) -> Void) {
    let threads = _numThreads
    if threads <= 1 || n < 2 || n * costPerItem < 65_536 || _inParallel {
        body(0..<n)
        return
    }
    let parts = Swift.min(threads, n)
    withoutActuallyEscaping(body) { body in
        DispatchQueue.concurrentPerform(iterations: parts) { k in
            let lo = n * k / parts, hi = n * (k + 1) / parts
            let state = threadState
            state.inParallel = true  // nested calls (e.g. sgemm inside an attention task) run inline
            if lo < hi { body(lo..<hi) }
            state.inParallel = false
        }
    }
}

#if os(Linux)
import Glibc
#endif

/// Like `parallelRanges`, also passing the chunk number (0..<parts) for per-thread scratch; returns `parts` via `maxParts`.
@inline(__always)
func parallelChunks(_ n: Int, costPerItem: Int = 1, _ body: (Int, Range<Int>) -> Void) {
    let threads = _numThreads
    if threads <= 1 || n < 2 || n * costPerItem < 65_536 || _inParallel {
        body(0, 0..<n)
        return
    }
    let parts = Swift.min(threads, n)
    withoutActuallyEscaping(body) { body in
        DispatchQueue.concurrentPerform(iterations: parts) { k in
            let lo = n * k / parts, hi = n * (k + 1) / parts
            let state = threadState
            state.inParallel = true
            if lo < hi { body(k, lo..<hi) }
            state.inParallel = false
        }
    }
}

/// Upper bound on the chunk numbers `parallelChunks` passes.
var maxParts: Int { _numThreads }
