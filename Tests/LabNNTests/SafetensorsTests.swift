import Foundation
import XCTest
@testable import LabNN
import LabTensor

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

final class SafetensorsTests: XCTestCase {
    var dir: String!

    override func setUp() {
        dir = NSTemporaryDirectory() + "labnn-st-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func bits(_ t: Tensor) -> [UInt32] { t.scalars.map(\.bitPattern) }

    func testRoundTripIsBitExactAndHeaderIsAligned() throws {
        let odd: [Float] = [.nan, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1 / 3, -7.25]
        let tensors: [String: Tensor] = ["a": Tensor(odd, shape: [2, 4]), "b.weight": Tensor.randn([3, 5, 7]),
                                         "ids": Tensor(ints: [0, -5, 2_000_000_000], shape: [3]), "scalar": Tensor([42], shape: []),
                                         "empty": Tensor.zeros([0, 3])]
        let path = dir + "/x.safetensors"
        try Safetensors.save(tensors, metadata: ["step": "7", "note": "ünïcode"], to: path)
        let (loaded, meta) = try Safetensors.load(path)
        XCTAssertEqual(meta, ["step": "7", "note": "ünïcode"])
        XCTAssertEqual(Set(loaded.keys), Set(tensors.keys))
        for (k, t) in tensors {
            XCTAssertEqual(loaded[k]!.shape, t.shape, k)
            XCTAssertEqual(loaded[k]!.dtype, t.dtype, k)
            if t.dtype == .int32 { XCTAssertEqual(loaded[k]!.ints, t.ints) } else { XCTAssertEqual(bits(loaded[k]!), bits(t), k) }
        }
        let raw = try Data(contentsOf: URL(fileURLWithPath: path))
        let n = raw.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        XCTAssertEqual(n % 8, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".tmp"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["x.safetensors"])   // no temp file left
    }

    func testReadsTheFileWrittenByPythonSafetensors() throws {
        let file = try SafetensorsReader(fixtures + "/tiny-gpt2-expected.safetensors")
        XCTAssertEqual(file.entries["input_ids"]?.dtype, .I32)
        XCTAssertEqual(file.entries["logits"]?.shape, [2, 16, 50])
        let ids = try file.tensor("input_ids")
        XCTAssertEqual(ids.dtype, .int32)
        XCTAssertTrue(ids.ints.allSatisfy { (0..<50).contains($0) })
        XCTAssertEqual(try file.tensor("loss").shape, [])
    }

    func testPythonCanReadOurFile() throws {
        let python = "/opt/refenv/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else { throw XCTSkip("no reference Python venv at \(python)") }
        let path = dir + "/y.safetensors"
        try Safetensors.save(["w": Tensor([1.5, -2, 3.25, 0], shape: [2, 2]), "i": Tensor(ints: [7, 8])], metadata: ["k": "v"], to: path)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", """
            from safetensors import safe_open
            with safe_open('\(path)', 'np') as f:
                print(f.metadata(), f.get_tensor('w').tolist(), f.get_tensor('i').tolist(), f.get_tensor('i').dtype)
            """]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        p.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(text, "{'k': 'v'} [[1.5, -2.0], [3.25, 0.0]] [7, 8] int32\n")
    }

    /// Writes a file with `header` JSON (padded) and `data` bytes, returns the error message of opening it.
    func error(header: String, data: [UInt8] = [], lengthOverride: UInt64? = nil) -> String {
        var h = Array(header.utf8)
        while h.count % 8 != 0 { h.append(0x20) }
        var bytes: [UInt8] = []
        withUnsafeBytes(of: (lengthOverride ?? UInt64(h.count)).littleEndian) { bytes += $0 }
        bytes += h + data
        let path = dir + "/bad.safetensors"
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        do { _ = try SafetensorsReader(path); return "no error" } catch { return "\(error)" }
    }

    func testCorruptFilesGiveClearErrorsNamingTheFile() {
        let ok = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        XCTAssertEqual(error(header: ok, data: [UInt8](repeating: 0, count: 8)), "no error")
        let cases: [(String, String)] = [
            (error(header: ok, data: [0, 0, 0, 0]), "outside the 4-byte data buffer"),
            (error(header: ok, data: [UInt8](repeating: 0, count: 8), lengthOverride: 1 << 40), "exceeds the file size"),
            (error(header: "{not json", data: []), "not a JSON object"),
            (error(header: #"{"w":{"dtype":"Q8","shape":[2],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8)), "unsupported dtype Q8"),
            (error(header: #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8)), "expected 12"),
            (error(header: #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, data: [UInt8](repeating: 0, count: 12)), "gap in tensor data"),
            (error(header: #"{"w":{"dtype":"F32","shape":[2]}}"#, data: []), "needs dtype, shape and data_offsets"),
            (error(header: ok, data: [UInt8](repeating: 0, count: 16)), "cover 8"),
        ]
        for (message, expected) in cases {
            XCTAssertTrue(message.hasPrefix(dir + "/bad.safetensors: "), message)
            XCTAssertTrue(message.contains(expected), "\(message) should contain \(expected)")
        }
        let short = dir + "/short.safetensors"
        _ = FileManager.default.createFile(atPath: short, contents: Data([1, 2, 3]))
        XCTAssertThrowsError(try SafetensorsReader(short)) { XCTAssertTrue("\($0)".contains("too short")) }
        XCTAssertThrowsError(try SafetensorsReader(dir + "/missing.safetensors")) { XCTAssertTrue("\($0)".contains("missing.safetensors: cannot read")) }
    }

    func testCheckpointRoundTripRestoresModelAndAdamWBitExact() throws {
        let config = GPTConfig(vocabSize: 13, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8, dropout: 0)
        manualSeed(3)
        let model = GPT(config)
        let opt = AdamW(model.parameters(), lr: 1e-2)
        let x = Tensor.randint(13, [2, 8]), y = Tensor.randint(13, [2, 8])
        func trainStep(_ m: GPT, _ o: AdamW) {
            let (_, loss) = m(x, y)
            o.zeroGrad()
            loss!.backward()
            o.step()
        }
        for _ in 0..<3 { trainStep(model, opt) }
        let path = dir + "/ckpt.safetensors"
        try Checkpoint.save(model: model, optimizer: opt, step: 3, to: path, metadata: ["run": "test"])

        manualSeed(99)
        let restored = GPT(config)
        let opt2 = AdamW(restored.parameters(), lr: 0.5)
        XCTAssertEqual(try Checkpoint.load(path, into: restored, optimizer: opt2), 3)
        XCTAssertEqual(opt2.learningRate, 1e-2)
        for ((n, p), (_, q)) in zip(model.namedParameters(), restored.namedParameters()) {
            XCTAssertEqual(bits(p), bits(q), n)
            XCTAssertEqual(bits(opt.state(for: p)!.expAvg), bits(opt2.state(for: q)!.expAvg), n)
            XCTAssertEqual(bits(opt.state(for: p)!.expAvgSq), bits(opt2.state(for: q)!.expAvgSq), n)
            XCTAssertEqual(opt2.state(for: q)!.step, 3)
        }
        // Training continues identically from the checkpoint.
        trainStep(model, opt)
        trainStep(restored, opt2)
        XCTAssertEqual(bits(model.lm_head.weight), bits(restored.lm_head.weight))
    }
}
