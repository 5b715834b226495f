// A cache of large tensor buffers, keyed by exact size. A training step allocates the same activation and gradient
// shapes every iteration; reusing the buffers avoids an mmap + page-fault storm per step (glibc returns large blocks
// to the OS on free). Small buffers go straight to malloc.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum StoragePool {
    static let minBytes = 1 << 16
    static let maxHeldBytes = 1 << 30

    nonisolated(unsafe) static var free: [Int: [UnsafeMutableRawPointer]] = [:]
    nonisolated(unsafe) static var heldBytes = 0
    nonisolated(unsafe) static let lock: UnsafeMutablePointer<pthread_mutex_t> = {
        let l = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(l, nil)
        return l
    }()

    static func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        if byteCount >= minBytes {
            pthread_mutex_lock(lock)
            if let p = free[byteCount]?.popLast() {
                heldBytes -= byteCount
                pthread_mutex_unlock(lock)
                return p
            }
            pthread_mutex_unlock(lock)
        }
        return UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
    }

    static func release(_ p: UnsafeMutableRawPointer, byteCount: Int) {
        if byteCount >= minBytes {
            pthread_mutex_lock(lock)
            if heldBytes + byteCount <= maxHeldBytes {
                free[byteCount, default: []].append(p)
                heldBytes += byteCount
                pthread_mutex_unlock(lock)
                return
            }
            pthread_mutex_unlock(lock)
        }
        p.deallocate()
    }

    /// Returns every cached buffer to the system. PyTorch: `torch.cuda.empty_cache()` (CPU analogue).
    static func drain() {
        pthread_mutex_lock(lock)
        for (_, ps) in free { for p in ps { p.deallocate() } }
        free = [:]
        heldBytes = 0
        pthread_mutex_unlock(lock)
    }
}

/// Frees LabTensor's cache of reusable tensor buffers (memory held for the next training step).
public func emptyCache() { StoragePool.drain() }

/// Scratch float buffer for a kernel (pooled when large); give it back with `releaseScratch`.
func scratch(_ count: Int) -> UnsafeMutablePointer<Float> {
    StoragePool.allocate(byteCount: Swift.max(count, 1) * 4).bindMemory(to: Float.self, capacity: Swift.max(count, 1))
}
func releaseScratch(_ p: UnsafeMutablePointer<Float>, _ count: Int) {
    StoragePool.release(UnsafeMutableRawPointer(p), byteCount: Swift.max(count, 1) * 4)
}
