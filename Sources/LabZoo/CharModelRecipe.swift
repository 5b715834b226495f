// CharModelRecipe: everything that decides a course model's weights, and the cache key made from it.
import Foundation
import LabNN
import LabText

/// How a course character-level GPT is made: the architecture (vocabulary from the corpus), the training recipe and
/// the seed. Two recipes with equal fields train bit-identical weights on the same corpus and library, so
/// `key(corpusSHA256:vocabulary:)` names the checkpoint in the cache.
///
/// ```swift
/// var recipe = CharModelRecipe.shakespeareSmall
/// recipe.seed = 7                      // another cache entry
/// let m = try CourseModel.load(recipe, corpus: text)
/// ```
/// PyTorch (nanoGPT): `config/train_shakespeare_char.py` (n_layer, n_head, n_embd, block_size, max_iters, lr, ...).
public struct CharModelRecipe: Sendable, Equatable {
    /// The file-name stem in the cache ("shakespeare-char-small").
    public var name: String
    public var blockSize: Int
    public var nLayer: Int
    public var nHead: Int
    public var nEmbd: Int
    public var dropout: Float
    /// Training steps (fixed, not a time budget: the same weights on every machine).
    public var steps: Int
    public var batchSize: Int
    /// AdamW peak learning rate, reached after `warmupSteps`, then cosine decay to `minLearningRate` at `steps`.
    public var learningRate: Float
    public var minLearningRate: Float
    public var warmupSteps: Int
    public var betas: (Float, Float)
    /// Weight decay on matrices only (nanoGPT's split); biases and LayerNorm are not decayed.
    public var weightDecay: Float
    public var gradClip: Float
    /// Seeds the weights (`manualSeed`) and the batch order (`BatchSampler`).
    public var seed: UInt64
    /// Fraction of the corpus used for training; the rest (its end) gives the validation loss.
    public var trainFraction: Double

    public init(name: String, blockSize: Int, nLayer: Int, nHead: Int, nEmbd: Int, dropout: Float = 0,
                steps: Int, batchSize: Int, learningRate: Float = 1e-3, minLearningRate: Float = 1e-4,
                warmupSteps: Int = 100, betas: (Float, Float) = (0.9, 0.99), weightDecay: Float = 0.1,
                gradClip: Float = 1, seed: UInt64 = 1337, trainFraction: Double = 0.9) {
        self.name = name; self.blockSize = blockSize; self.nLayer = nLayer; self.nHead = nHead; self.nEmbd = nEmbd
        self.dropout = dropout; self.steps = steps; self.batchSize = batchSize; self.learningRate = learningRate
        self.minLearningRate = minLearningRate; self.warmupSteps = warmupSteps; self.betas = betas
        self.weightDecay = weightDecay; self.gradClip = gradClip; self.seed = seed; self.trainFraction = trainFraction
    }

    public static func == (a: CharModelRecipe, b: CharModelRecipe) -> Bool { a.canonical == b.canonical }

    /// The model's configuration for a vocabulary of `vocabSize` characters (exact GELU, untied, biases: nanoGPT).
    public func config(vocabSize: Int) -> GPTConfig {
        GPTConfig(vocabSize: vocabSize, blockSize: blockSize, nLayer: nLayer, nHead: nHead, nEmbd: nEmbd, dropout: dropout)
    }

    /// Every field that changes the weights, one `name=value` per line (floats as exact bit patterns).
    public var canonical: String {
        func f(_ x: Float) -> String { "\(x)/0x" + String(x.bitPattern, radix: 16) }
        return [
            "name=\(name)", "blockSize=\(blockSize)", "nLayer=\(nLayer)", "nHead=\(nHead)", "nEmbd=\(nEmbd)",
            "dropout=\(f(dropout))", "steps=\(steps)", "batchSize=\(batchSize)", "lr=\(f(learningRate))",
            "minLR=\(f(minLearningRate))", "warmup=\(warmupSteps)", "betas=\(f(betas.0)),\(f(betas.1))",
            "weightDecay=\(f(weightDecay))", "gradClip=\(f(gradClip))", "seed=\(seed)",
            "trainFraction=\(trainFraction)",
        ].joined(separator: "\n")
    }

    /// The cache key: SHA-256 of the recipe, the corpus checksum, the vocabulary and `CourseModel.libraryVersion`.
    public func key(corpusSHA256: String, vocabulary: [Character]) -> String {
        let text = canonical + "\ncorpus=\(corpusSHA256)\nvocab=\(String(vocabulary).unicodeScalars.map { String($0.value) }.joined(separator: ","))"
            + "\nlibrary=\(CourseModel.libraryVersion)"
        return sha256Hex(Array(text.utf8))
    }

    /// The course's small Shakespeare model, sized for at most 3 minutes of training on two idle cores: 4 layers,
    /// 4 heads, 128 channels, context 128, no dropout (too short a run to overfit), 1,000 steps of 32 windows
    /// (4.1M characters, about 4 epochs' worth of the training text), AdamW 2e-3 → 2e-4: validation loss 1.73
    /// nats/char (826,368 parameters, 256 CPU-seconds on 2 threads ≈ 2.8 minutes on two idle cores). For the same
    /// time 6 layers × 128 (700 steps) reach 1.88 and the slide's 4 × 256 model about 2.07. Measured with
    /// `zoo-bench` (Benchmarks/ZooBench).
    public static let shakespeareSmall = CharModelRecipe(
        name: "shakespeare-char-small", blockSize: 128, nLayer: 4, nHead: 4, nEmbd: 128, dropout: 0,
        steps: 1000, batchSize: 32, learningRate: 2e-3, minLearningRate: 2e-4, warmupSteps: 60)
}
