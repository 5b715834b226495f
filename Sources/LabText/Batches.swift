import LabTensor

/// The first `trainFraction` of the data for training, the rest for validation (slide 30: 90/10, no shuffling).
///
/// ```swift
/// let (train, val) = trainValSplit(ids)        // 90% / 10%
/// ```
/// Python: `n = int(0.9 * len(data)); train_data = data[:n]; val_data = data[n:]`
public func trainValSplit<T>(_ data: [T], trainFraction: Double = 0.9) -> (train: [T], val: [T]) {
    let n = Int(trainFraction * Double(data.count))
    return (Array(data[..<n]), Array(data[n...]))
}

/// Random (B, T) windows of a token sequence and their targets shifted by one (slide 23's `get_batch`), from its own
/// seeded generator so every run sees the same batches.
///
/// ```swift
/// let sampler = try BatchSampler(trainIds, batchSize: 4, blockSize: 8, seed: 1337)
/// let (xb, yb) = sampler.next()                 // (4, 8) int32 each; yb[b, t] == ids[start_b + t + 1]
/// ```
/// Python: `ix = torch.randint(len(data) - block_size, (batch_size,)); x = torch.stack([data[i:i+block_size] for i in ix]);
/// y = torch.stack([data[i+1:i+block_size+1] for i in ix])`
public final class BatchSampler {
    public let data: [Int]
    public let batchSize: Int
    public let blockSize: Int
    private var rng: SplitMixGenerator

    public init(_ data: [Int], batchSize: Int, blockSize: Int, seed: UInt64 = 1337) throws {
        guard batchSize > 0, blockSize > 0 else { throw TextError("BatchSampler: batchSize and blockSize must be positive (got \(batchSize), \(blockSize))") }
        guard data.count > blockSize else {
            throw TextError("BatchSampler: the data has \(data.count) tokens; it needs more than blockSize (\(blockSize)) for one window and its target")
        }
        self.data = data
        self.batchSize = batchSize
        self.blockSize = blockSize
        rng = SplitMixGenerator(seed: seed)
    }

    /// The start offsets of the next batch (each in `0 ..< data.count - blockSize`).
    public func nextOffsets() -> [Int] {
        (0..<batchSize).map { _ in Int(rng.next() % UInt64(data.count - blockSize)) }
    }

    /// The next batch: inputs and targets, both (B, T) int32.
    public func next() -> (x: Tensor, y: Tensor) { windows(data, nextOffsets(), blockSize) }
}

/// Every non-overlapping window of the data once per epoch, in an order shuffled per epoch, in batches of (B, T);
/// the last batch of an epoch may be smaller.
///
/// ```swift
/// let loader = try EpochLoader(valIds, batchSize: 8, blockSize: 64, shuffle: false)
/// for (xb, yb) in loader { ... }                // one epoch; iterate again for the next
/// ```
/// Python: `DataLoader(dataset, batch_size=8, shuffle=True)` over fixed windows.
public final class EpochLoader: Sequence {
    public let data: [Int]
    public let batchSize: Int
    public let blockSize: Int
    public let shuffle: Bool
    private let seed: UInt64
    /// Epochs started so far (each iteration is one epoch).
    public private(set) var epoch = 0

    public init(_ data: [Int], batchSize: Int, blockSize: Int, shuffle: Bool = true, seed: UInt64 = 1337) throws {
        guard batchSize > 0, blockSize > 0 else { throw TextError("EpochLoader: batchSize and blockSize must be positive (got \(batchSize), \(blockSize))") }
        guard data.count > blockSize else {
            throw TextError("EpochLoader: the data has \(data.count) tokens; it needs more than blockSize (\(blockSize))")
        }
        self.data = data; self.batchSize = batchSize; self.blockSize = blockSize; self.shuffle = shuffle; self.seed = seed
    }

    /// Windows per epoch.
    public var windowCount: Int { (data.count - 1) / blockSize }
    /// Batches per epoch.
    public var count: Int { (windowCount + batchSize - 1) / batchSize }

    public func makeIterator() -> AnyIterator<(x: Tensor, y: Tensor)> {
        let data = data, blockSize = blockSize, batchSize = batchSize
        var starts = (0..<windowCount).map { $0 * blockSize }
        if shuffle {
            var rng = SplitMixGenerator(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15)
            for i in stride(from: starts.count - 1, to: 0, by: -1) { starts.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        }
        epoch += 1
        var i = 0
        return AnyIterator {
            guard i < starts.count else { return nil }
            let batch = Array(starts[i..<Swift.min(i + batchSize, starts.count)])
            i += batchSize
            return windows(data, batch, blockSize)
        }
    }
}

func windows(_ data: [Int], _ offsets: [Int], _ T: Int) -> (x: Tensor, y: Tensor) {
    var x: [Int] = [], y: [Int] = []
    x.reserveCapacity(offsets.count * T); y.reserveCapacity(offsets.count * T)
    for o in offsets {
        x.append(contentsOf: data[o..<(o + T)])        // (T)
        y.append(contentsOf: data[(o + 1)..<(o + T + 1)])  // (T)
    }
    return (Tensor(ints: x, shape: [offsets.count, T]), Tensor(ints: y, shape: [offsets.count, T]))   // (B, T), (B, T)
}

/// SplitMix64: small, fast, and the same sequence on every machine.
struct SplitMixGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
