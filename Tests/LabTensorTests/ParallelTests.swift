import XCTest
@testable import LabTensor
#if canImport(Glibc)
import Glibc
#endif

// The worker pool behind parallelRanges: every part runs once, nested calls run inline, concurrent callers and
// forked children still get the right values. XCTest, not swift-testing: these start threads and fork, so they must
// not run beside other tests.
final class ParallelTests: XCTestCase {
    /// x (4096, 256), w (768, 256) and x · wᵀ computed here: a product split over the cores.
    private func product(seed: UInt64) -> (x: Tensor, w: Tensor, xw: [Float]) {
        manualSeed(seed)
        let x = Tensor.randn([4096, 256]), w = Tensor.randn([768, 256])
        return (x, w, linear(x, w).scalars)
    }

    func testEveryPartRunsOnceAndNestedCallsRunInline() {
        guard getNumThreads() > 1 else { return XCTFail("needs 2 threads; LabTensor has \(getNumThreads())") }
        // Back to back, as a training step calls kernels (the worker runs its part), and after pauses in which the
        // worker goes to sleep (the caller may run both parts).
        for i in 0..<200 {
            if i % 4 == 3 { usleep(2_000) }
            let runs = UnsafeMutablePointer<Int>.allocate(capacity: 2)
            let nested = UnsafeMutablePointer<Bool>.allocate(capacity: 2)
            runs.initialize(repeating: 0, count: 2); nested.initialize(repeating: false, count: 2)
            let r = SendPtr(runs), n = SendPtr(nested)
            parallelRanges(2, costPerItem: 1 << 20) { range in
                for k in range {
                    r.p[k] += 1
                    var inner = 0
                    parallelRanges(8, costPerItem: 1 << 20) { _ in inner += 1 }   // inline: one call
                    n.p[k] = inner == 1 && _inParallel
                }
            }
            XCTAssertEqual(Array(UnsafeBufferPointer(start: runs, count: 2)), [1, 1])
            XCTAssertEqual(Array(UnsafeBufferPointer(start: nested, count: 2)), [true, true])
            runs.deallocate(); nested.deallocate()
        }
    }

    func testConcurrentCallersGetTheSerialValues() {
        let inputs = (0..<4).map { product(seed: UInt64(10 + $0)) }
        let results = UnsafeMutablePointer<[Float]>.allocate(capacity: 4)
        results.initialize(repeating: [], count: 4)
        let out = SendPtr(results)
        // Four callers at once: one holds the pool, the others fall back to libdispatch's threads.
        DispatchQueue.concurrentPerform(iterations: 4) { i in out.p[i] = linear(inputs[i].x, inputs[i].w).scalars }
        for i in 0..<4 { XCTAssertEqual(results[i], inputs[i].xw, "caller \(i)") }
        results.deinitialize(count: 4); results.deallocate()
    }

    func testAForkedChildRunsParallelKernels() {
        let (x, w, expected) = product(seed: 3)   // the pool's workers are running now
        fflush(stdout)
        let pid = fork()
        if pid == 0 {
            alarm(30)                             // a child waiting on the parent's workers would hang: die instead
            guard linear(x, w).scalars == expected else { _exit(1) }
            // The caller would also run a part no worker claims; the child must have started a worker of its own.
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
            let names = tasks.compactMap { try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8) }
            _exit(names.contains("labtensor-pool\n") ? 0 : 2)
        }
        XCTAssertGreaterThan(pid, 0, "fork failed")
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        XCTAssertEqual(status, 0, "child: exit \((status >> 8) & 0xff) (1 = wrong values, 2 = no worker of its own), "
                       + "signal \(status & 0x7f) (14 = hung, SIGALRM)")
    }
}
