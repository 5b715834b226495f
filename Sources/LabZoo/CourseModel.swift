// CourseModel: trained models for the labs that need one, loaded from a cache and trained once when missing.
import Foundation
import LabNN
import LabTensor
import LabText

/// A trained course model: the GPT (in eval mode), its tokenizer, configuration and validation loss.
///
/// ```swift
/// let lm = try CourseModel.shakespeareChar(.small)          // trains once (≤ 3 min), then loads in a second
/// print(lm.validationLoss)                                   // nats per character on the last 10% of the corpus
/// let ids = try lm.tokenizer.encode("ROMEO:")
/// let out = generate(lm.model, Tensor(ints: ids, shape: [1, ids.count]), maxNewTokens: 200, temperature: 0.8)
/// print(try lm.tokenizer.decode(out[0].ints))
/// ```
/// Python (Hugging Face): `model = AutoModelForCausalLM.from_pretrained(name); tok = AutoTokenizer.from_pretrained(name)`.
public struct CourseModel {
    public let model: GPT
    public let tokenizer: CharTokenizer
    public let config: GPTConfig
    /// Mean cross-entropy (nats per character) over every `blockSize` window of the validation split.
    public let validationLoss: Double
    /// The checkpoint file it was loaded from.
    public let path: String
    /// What it is, in one line ("shakespeare-char-small: 4 layers × 128 channels, 1200 steps, seed 1337").
    public let summary: String
    /// True when this call trained it (the cache had no valid file), false when it was loaded.
    public let trainedNow: Bool

    /// The part of the cache key that stands for this library's training code: bump it when a change to the
    /// trainer or the kernels would give other weights, so old cache files are not used.
    public static let libraryVersion = "labzoo-1"

    /// The course's Shakespeare models.
    public enum ShakespeareSize: Sendable {
        /// Trained here on first use (at most 3 minutes on two cores; recipe `CharModelRecipe.shakespeareSmall`).
        case small
        /// Lab 30's full-run checkpoint (`.labrun/runs/30/mini-gpt-L4-H4-C256-steps1500-seed1337.safetensors`);
        /// an error saying how to make it when it does not exist.
        case lab30
        /// Lab 30's checkpoint when it exists, else `.small`.
        case best
    }

    /// A character-level GPT trained on Tiny Shakespeare, with its tokenizer.
    /// Throws when the corpus cannot be found, or for `.lab30` when that checkpoint is missing.
    public static func shakespeareChar(_ size: ShakespeareSize = .small, cacheDirectory: URL? = nil,
                                       dataDir: URL? = nil) throws -> CourseModel {
        let text = try loadCorpus("tinyshakespeare", dataDir: dataDir)
        switch size {
        case .small:
            return try load(.shakespeareSmall, corpus: text, cacheDirectory: cacheDirectory)
        case .lab30:
            return try lab30(corpus: text)
        case .best:
            if let m = try? lab30(corpus: text) { return m }
            return try load(.shakespeareSmall, corpus: text, cacheDirectory: cacheDirectory)
        }
    }

    /// The model `recipe` makes on `corpus`: loaded from the cache when a verified file exists, else trained and
    /// saved (atomically, under a lock, so concurrent callers train once). A corrupt file is reported on stderr and
    /// retrained. The caller's random generator and grad mode are not touched (training runs on its own thread).
    public static func load(_ recipe: CharModelRecipe, corpus: String, cacheDirectory: URL? = nil) throws -> CourseModel {
        let dir = cacheDirectory ?? ModelCache.directory()
        do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
            throw ModelCacheError("\(dir.path): cannot create the model cache directory (\(error.localizedDescription)); set LABRUN_CACHE to a writable directory")
        }
        let tokenizer = try CharTokenizer(corpus: corpus)
        let key = recipe.key(corpusSHA256: sha256Hex(Array(corpus.utf8)), vocabulary: tokenizer.itos)
        let stem = "\(recipe.name)-\(key.prefix(16))"
        let path = dir.appendingPathComponent(stem + ".safetensors").path
        let config = recipe.config(vocabSize: tokenizer.vocabSize)

        func cached(reportCorrupt: Bool) -> CourseModel? {
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            do {
                let file = try ModelCache.verified(path, key: key)
                let model = try onOwnThread { () throws -> GPT in
                    let m = GPT(config)
                    try Checkpoint.load(path, into: m)
                    m.eval()
                    return m
                }
                return CourseModel(model: model, tokenizer: tokenizer, config: config,
                                   validationLoss: Double(file.metadata["valLoss"] ?? "") ?? .nan, path: path,
                                   summary: describe(recipe), trainedNow: false)
            } catch {
                if reportCorrupt { note("\(error); training it again") }
                return nil
            }
        }
        if let m = cached(reportCorrupt: false) { return m }
        return try ModelCache.withLock(dir.appendingPathComponent(stem + ".lock").path,
                                       waiting: { note("\(recipe.name): another process is training it; waiting") }) {
            if let m = cached(reportCorrupt: true) { return m }      // another process finished while we waited
            let ids = try tokenizer.encode(corpus)
            let trained = try onOwnThread { try CharModelTrainer(recipe: recipe, config: config, ids: ids).run() }
            var metadata = trained.metadata
            metadata["labzoo.key"] = key
            metadata["labzoo.recipe"] = recipe.canonical
            metadata["labzoo.library"] = libraryVersion
            metadata["labzoo.sha256"] = ModelCache.digest(trained.model.stateDict())
            metadata["vocab"] = String(tokenizer.itos)
            try Checkpoint.save(model: trained.model, step: recipe.steps, to: path, metadata: metadata)
            _ = try ModelCache.verified(path, key: key)           // read back: what the next run will load
            note("\(recipe.name): saved \(path)")
            return CourseModel(model: trained.model, tokenizer: tokenizer, config: config,
                               validationLoss: trained.validationLoss, path: path, summary: describe(recipe),
                               trainedNow: true)
        }
    }

    /// Lab 30's full-run checkpoint (the slide's 4 × 256 model, 1,500 steps), if lab 30 has been run in full.
    static func lab30(corpus: String, root: URL? = nil) throws -> CourseModel {
        let run = "L4-H4-C256-steps1500-seed1337"
        let root = root ?? ModelCache.projectRoot() ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let path = root.appendingPathComponent(".labrun/runs/30/mini-gpt-\(run).safetensors").path
        let tokenizer = try CharTokenizer(corpus: corpus)
        guard FileManager.default.fileExists(atPath: path) else {
            throw ModelCacheError("\(path): no lab 30 checkpoint; `labrun run 30 --solutions` (the full run, about 9 minutes) makes it")
        }
        let file: SafetensorsReader
        do { file = try SafetensorsReader(path) } catch { throw ModelCacheError("\(error)") }
        guard file.metadata["run"] == run, file.metadata["vocab"] == String(tokenizer.itos) else {
            throw ModelCacheError("\(path): not lab 30's \(run) run on this corpus (metadata run \(file.metadata["run"] ?? "none"))")
        }
        let config = GPTConfig.miniShakespeare(vocabSize: tokenizer.vocabSize)
        let model = try onOwnThread { () throws -> GPT in
            let m = GPT(config)
            try Checkpoint.load(path, into: m)
            m.eval()
            return m
        }
        return CourseModel(model: model, tokenizer: tokenizer, config: config,
                           validationLoss: Double(file.metadata["valLoss"] ?? "") ?? .nan, path: path,
                           summary: "lab 30's full run: 4 layers × 256 channels, 4 heads, context 128, 1500 steps, seed 1337",
                           trainedNow: false)
    }

    static func describe(_ r: CharModelRecipe) -> String {
        "\(r.name): \(r.nLayer) layers × \(r.nEmbd) channels, \(r.nHead) heads, context \(r.blockSize), \(r.steps) steps of \(r.batchSize), seed \(r.seed)"
    }
}

/// One line on stderr (the lab shows it under the cell; stdout stays the lab's own output).
func note(_ s: String) {
    FileHandle.standardError.write(Data(("course model: " + s + "\n").utf8))
}

/// Runs `body` on a new thread and waits: LabTensor's generator and grad mode are per thread, so building or
/// training a model there leaves the caller's `manualSeed` sequence exactly as it was, cache hit or miss.
func onOwnThread<R>(_ body: @escaping () throws -> R) throws -> R {
    nonisolated(unsafe) var result: Result<R, Error>? = nil
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        result = Result { try body() }
        done.signal()
    }
    thread.stackSize = 64 << 20
    thread.start()
    done.wait()
    return try result!.get()
}
