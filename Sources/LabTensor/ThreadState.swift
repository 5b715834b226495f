// Per-thread state: grad mode, the seeded generator, and the "inside a parallel region" flag.
// Thread-local like PyTorch's grad mode, so concurrent callers (e.g. tests run in parallel) don't disturb each other.
// A program that stays on one thread (a lab, a training script) sees one global generator, as in PyTorch.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class ThreadState {
    var gradEnabled = true
    var rng = Xoshiro256(seed: 1337)
    var inParallel = false
}

private let threadStateKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key) { p in
        if let p { Unmanaged<ThreadState>.fromOpaque(p).release() }
    }
    return key
}()

/// This thread's state (created on first use).
@inline(__always) var threadState: ThreadState {
    if let p = pthread_getspecific(threadStateKey) { return Unmanaged<ThreadState>.fromOpaque(p).takeUnretainedValue() }
    let s = ThreadState()
    pthread_setspecific(threadStateKey, Unmanaged.passRetained(s).toOpaque())
    return s
}

var _gradEnabled: Bool {
    @inline(__always) get { threadState.gradEnabled }
    set { threadState.gradEnabled = newValue }
}
var _inParallel: Bool {
    @inline(__always) get { threadState.inParallel }
    set { threadState.inParallel = newValue }
}
