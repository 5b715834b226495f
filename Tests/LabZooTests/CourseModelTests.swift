import Foundation
import XCTest
import LabNN
import LabTensor
import LabText
@testable import LabZoo

/// The model cache, on a micro recipe (seconds to train) and a small generated corpus.
final class CourseModelTests: XCTestCase {
    var dir: URL!
    let corpus = (0..<300).map { i in "line \(i % 17): to be, or not to be, that is the question \(i % 5)\n" }.joined()
    let micro = CharModelRecipe(name: "micro", blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 16, steps: 40, batchSize: 4,
                                learningRate: 3e-3, warmupSteps: 5, seed: 7)

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("labzoo-\(UUID().uuidString.prefix(8))")
    }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func bits(_ m: Module) -> [String: [UInt32]] { m.stateDict().mapValues { $0.scalars.map(\.bitPattern) } }
    func cacheFile() throws -> URL {
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".safetensors") }
        XCTAssertEqual(files.count, 1, "\(files)")
        return dir.appendingPathComponent(files[0])
    }

    func testKeyIsStableAndChangesWithConfigSeedDataAndLibrary() {
        let vocab = Array("abc")
        let k = micro.key(corpusSHA256: "00", vocabulary: vocab)
        XCTAssertEqual(k, micro.key(corpusSHA256: "00", vocabulary: vocab), "same recipe, same key")
        XCTAssertEqual(k.count, 64)
        var changed: [String: CharModelRecipe] = [:]
        var r = micro; r.seed = 8; changed["seed"] = r
        r = micro; r.nEmbd = 32; changed["nEmbd"] = r
        r = micro; r.nLayer = 2; changed["nLayer"] = r
        r = micro; r.steps = 41; changed["steps"] = r
        r = micro; r.learningRate = 3.0001e-3; changed["learningRate"] = r
        r = micro; r.dropout = 0.1; changed["dropout"] = r
        for (field, recipe) in changed {
            XCTAssertNotEqual(recipe.key(corpusSHA256: "00", vocabulary: vocab), k, "\(field) must change the key")
        }
        XCTAssertNotEqual(micro.key(corpusSHA256: "01", vocabulary: vocab), k, "the corpus checksum is in the key")
        XCTAssertNotEqual(micro.key(corpusSHA256: "00", vocabulary: Array("abd")), k, "the vocabulary is in the key")
        XCTAssertTrue(micro.canonical.contains("library") == false && CourseModel.libraryVersion.hasPrefix("labzoo-"))
    }

    func testCacheHitLoadsIdenticalWeightsAndDoesNotTrain() throws {
        let first = try CourseModel.load(micro, corpus: corpus, cacheDirectory: dir)
        XCTAssertTrue(first.trainedNow)
        XCTAssertFalse(first.model.training, "returned in eval mode")
        let stamp = try FileManager.default.attributesOfItem(atPath: first.path)[.modificationDate] as! Date
        let second = try CourseModel.load(micro, corpus: corpus, cacheDirectory: dir)
        XCTAssertFalse(second.trainedNow)
        XCTAssertFalse(second.model.training)
        XCTAssertEqual(second.path, first.path)
        XCTAssertEqual(bits(second.model), bits(first.model))
        XCTAssertEqual(second.validationLoss, first.validationLoss)
        XCTAssertEqual(second.tokenizer.itos, first.tokenizer.itos)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: first.path)[.modificationDate] as! Date, stamp,
                       "a cache hit does not rewrite the file")
        // The model learned: well below the uniform guess ln(V).
        XCTAssertLessThan(first.validationLoss, 0.8 * log(Double(first.tokenizer.vocabSize)))
        // Another seed is another file.
        var other = micro; other.seed = 8
        let third = try CourseModel.load(other, corpus: corpus, cacheDirectory: dir)
        XCTAssertTrue(third.trainedNow)
        XCTAssertNotEqual(third.path, first.path)
        XCTAssertNotEqual(bits(third.model), bits(first.model))
    }

    func testValidationLossMatchesAnIndependentComputation() throws {
        let m = try CourseModel.load(micro, corpus: corpus, cacheDirectory: dir)
        let ids = try m.tokenizer.encode(corpus)
        let val = Array(ids[Int(0.9 * Double(ids.count))...])
        let T = micro.blockSize
        var total = 0.0, n = 0
        var start = 0
        while start + T + 1 <= val.count {                           // every non-overlapping window, one at a time
            let x = Tensor(ints: Array(val[start..<(start + T)]), shape: [1, T])
            let y = Array(val[(start + 1)...(start + T)])
            let logits = noGrad { m.model(x) }.scalars                // (1, T, V)
            let V = m.config.vocabSize
            for t in 0..<T {                                          // -log softmax(logits[t])[y[t]] in Double
                let row = logits[(t * V)..<((t + 1) * V)].map(Double.init)
                let mx = row.max()!
                total += log(row.map { exp($0 - mx) }.reduce(0, +)) + mx - row[y[t]]
                n += 1
            }
            start += T
        }
        XCTAssertEqual(m.validationLoss, total / Double(n), accuracy: 1e-4)
    }

    func testCorruptFileIsDetectedAndRetrainedToTheSameWeights() throws {
        let first = try CourseModel.load(micro, corpus: corpus, cacheDirectory: dir)
        let url = try cacheFile()
        var bytes = [UInt8](try Data(contentsOf: url))
        bytes[bytes.count - 3] ^= 0x40                                // one bit in the last tensor's data
        try Data(bytes).write(to: url)
        let key = micro.key(corpusSHA256: sha256OfCorpus(), vocabulary: first.tokenizer.itos)
        XCTAssertThrowsError(try ModelCache.verified(url.path, key: key)) { error in
            XCTAssertTrue("\(error)".contains("checksum mismatch"), "\(error)")
        }
        let again = try CourseModel.load(micro, corpus: corpus, cacheDirectory: dir)
        XCTAssertTrue(again.trainedNow, "a corrupt file is retrained")
        XCTAssertEqual(bits(again.model), bits(first.model), "training is deterministic")
        XCTAssertNoThrow(try ModelCache.verified(url.path, key: key))

        try Data(bytes.prefix(200)).write(to: url)                    // truncated
        XCTAssertThrowsError(try ModelCache.verified(url.path, key: key))
        XCTAssertTrue(try CourseModel.load(micro, corpus: corpus, cacheDirectory: dir).trainedNow)
        var other = micro; other.seed = 99                            // a valid file for another key
        XCTAssertThrowsError(try ModelCache.verified(url.path, key: other.key(corpusSHA256: sha256OfCorpus(), vocabulary: first.tokenizer.itos))) {
            XCTAssertTrue("\($0)".contains("made for key"), "\($0)")
        }
    }

    func testConcurrentCallersTrainOnce() throws {
        nonisolated(unsafe) var results: [CourseModel?] = [nil, nil]
        let lock = NSLock()
        let group = DispatchGroup()
        for i in 0..<2 {
            group.enter()
            let t = Thread { [corpus, micro, dir] in
                let m = try? CourseModel.load(micro, corpus: corpus, cacheDirectory: dir!)
                lock.withLock { results[i] = m }
                group.leave()
            }
            t.stackSize = 16 << 20
            t.start()
        }
        group.wait()
        let a = try XCTUnwrap(results[0]), b = try XCTUnwrap(results[1])
        XCTAssertEqual([a.trainedNow, b.trainedNow].filter { $0 }.count, 1, "one trains, the other waits and loads")
        XCTAssertEqual(bits(a.model), bits(b.model))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp") }, [])
    }

    func testCallerRandomStreamIsUntouchedByTrainingOrLoading() throws {
        manualSeed(5)
        let expected = Tensor.randn([4]).scalars
        manualSeed(5)
        _ = try CourseModel.load(micro, corpus: corpus, cacheDirectory: dir)       // trains
        XCTAssertEqual(Tensor.randn([4]).scalars, expected)
        manualSeed(5)
        _ = try CourseModel.load(micro, corpus: corpus, cacheDirectory: dir)       // loads
        XCTAssertEqual(Tensor.randn([4]).scalars, expected)
    }

    func testCacheDirectoryFollowsTheEnvironment() {
        XCTAssertEqual(ModelCache.directory(environment: ["LABRUN_CACHE": "/tmp/zoo"]).path, "/tmp/zoo")
        XCTAssertEqual(ModelCache.directory(environment: ["LABRUN_ROOT": "/course"]).path, "/course/.labrun/models")
        XCTAssertEqual(ModelCache.directory(environment: ["LABRUN_ROOT": "/course", "LABRUN_CACHE": "/c"]).path, "/c")
        // From the working directory: this package's root (it holds Package.swift).
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let saved = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(root.appendingPathComponent("Sources/LabZoo").path)
        defer { FileManager.default.changeCurrentDirectoryPath(saved) }
        XCTAssertEqual(ModelCache.directory(environment: [:]).path, root.standardizedFileURL.appendingPathComponent(".labrun/models").path)
    }

    func testLab30CheckpointIsOfferedWhenItExists() throws {
        let root = dir!
        XCTAssertThrowsError(try CourseModel.lab30(corpus: corpus, root: root)) {
            XCTAssertTrue("\($0)".contains("no lab 30 checkpoint; `labrun run 30 --solutions`"), "\($0)")
        }
        // What lab 30's task 2 writes (Labs/30-mini-gpt.md): the slide's model, its run tag and vocabulary.
        let tokenizer = try CharTokenizer(corpus: corpus)
        manualSeed(3)
        let saved = GPT(.miniShakespeare(vocabSize: tokenizer.vocabSize))
        let runDir = root.appendingPathComponent(".labrun/runs/30")
        try FileManager.default.createDirectory(at: runDir, withIntermediateDirectories: true)
        let path = runDir.appendingPathComponent("mini-gpt-L4-H4-C256-steps1500-seed1337.safetensors").path
        try Checkpoint.save(model: saved, step: 1500, to: path,
                            metadata: ["run": "L4-H4-C256-steps1500-seed1337", "vocab": String(tokenizer.itos), "valLoss": "1.62"])
        let m = try CourseModel.lab30(corpus: corpus, root: root)
        XCTAssertEqual(bits(m.model), bits(saved))
        XCTAssertEqual(m.validationLoss, 1.62)
        XCTAssertEqual(m.config, .miniShakespeare(vocabSize: tokenizer.vocabSize))
        XCTAssertFalse(m.model.training)
        // A checkpoint of another corpus (another vocabulary) is refused.
        XCTAssertThrowsError(try CourseModel.lab30(corpus: corpus + "Z", root: root)) {
            XCTAssertTrue("\($0)".contains("not lab 30's L4-H4-C256-steps1500-seed1337 run on this corpus"), "\($0)")
        }
    }

    func sha256OfCorpus() -> String { sha256Hex(Array(corpus.utf8)) }
}
