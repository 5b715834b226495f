import Foundation
import Testing
import LabNN
import LabZoo

/// Two processes that miss the cache at the same time: the lock file makes one train and the other wait and load,
/// and the file they leave is whole. Each child is this test binary (a swift-testing exit test); the cache directory
/// reaches them through the environment.
@Suite struct CacheRaceTests {
    static let corpus = (0..<300).map { i in "line \(i % 17): to be, or not to be, that is the question \(i % 5)\n" }.joined()
    /// Long enough (about a second) that the second process arrives while the first is still training.
    static let recipe = CharModelRecipe(name: "race", blockSize: 16, nLayer: 2, nHead: 2, nEmbd: 32, steps: 300,
                                        batchSize: 8, learningRate: 3e-3, warmupSteps: 5, seed: 11)

    /// The child: load (or train) and leave a marker saying which.
    static func child() throws {
        let dir = URL(fileURLWithPath: ProcessInfo.processInfo.environment["LABZOO_RACE_DIR"]!)
        let m = try CourseModel.load(recipe, corpus: corpus, cacheDirectory: dir)
        let marker = dir.appendingPathComponent("\(m.trainedNow ? "trained" : "loaded")-\(getpid())")
        try Data().write(to: marker)
    }

    @Test func twoProcessesTrainOnceAndLeaveOneWholeFile() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("labzoo-race-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        setenv("LABZOO_RACE_DIR", dir.path, 1)
        async let a = #expect(processExitsWith: .success) { try CacheRaceTests.child() }
        async let b = #expect(processExitsWith: .success) { try CacheRaceTests.child() }
        _ = await (a, b)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(names.filter { $0.hasPrefix("trained-") }.count == 1, "\(names)")
        #expect(names.filter { $0.hasPrefix("loaded-") }.count == 1, "\(names)")
        #expect(names.filter { $0.hasSuffix(".safetensors") }.count == 1, "\(names)")
        #expect(!names.contains { $0.contains(".tmp") }, "\(names)")
        // The file verifies and loads here without training.
        let m = try CourseModel.load(CacheRaceTests.recipe, corpus: CacheRaceTests.corpus, cacheDirectory: dir)
        #expect(!m.trainedNow)
    }
}
