import XCTest
import LabTensor
@testable import LabText

final class DataTests: XCTestCase {
    func testLoadCorpusByNameIsCheckedTinyShakespeare() throws {
        let text = try loadCorpus("tinyshakespeare")
        XCTAssertEqual(text.utf8.count, 1_115_394)
        XCTAssertTrue(text.hasPrefix("First Citizen:\nBefore we proceed any further, hear me speak."))
    }

    func testSHA256KnownVectors() {
        XCTAssertEqual(sha256Hex([]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(sha256Hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(sha256Hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    func testBadFilesGiveClearErrors() throws {
        let dir = try temporaryDirectory(self)
        let empty = dir.appendingPathComponent("empty.txt")
        try Data().write(to: empty)
        XCTAssertEqual(errorMessage(try loadCorpus(empty.path)), "\(empty.path): the corpus is empty")
        let latin1 = dir.appendingPathComponent("latin1.txt")
        try Data([0x63, 0x61, 0x66, 0xE9, 0x0A]).write(to: latin1)   // "café" in Latin-1
        XCTAssertEqual(errorMessage(try loadCorpus(latin1.path)),
                       "\(latin1.path): not valid UTF-8 (first bad byte at offset 3); convert it to UTF-8 first")
        XCTAssertEqual(errorMessage(try loadCorpus("tinyshakespeare", dataDir: dir.appendingPathComponent("missing"))),
                       "\(dir.path)/missing: the data directory does not exist")
        XCTAssertTrue(errorMessage(try loadCorpus("no-such-corpus.txt")).hasPrefix("no-such-corpus.txt: no such file, and not a known data file"))
        // A known file whose copy in the data directory is corrupt: checksum error naming the file.
        try "not shakespeare".write(to: dir.appendingPathComponent("tinyshakespeare.txt"), atomically: true, encoding: .utf8)
        let m = errorMessage(try loadCorpus("tinyshakespeare", dataDir: dir))
        XCTAssertTrue(m.hasPrefix("\(dir.path)/tinyshakespeare.txt: checksum mismatch"), m)
    }

    /// No network here: a download must fail fast with a message that says what to do, not hang.
    func testDownloadFailureIsClearAndFast() throws {
        let dir = try temporaryDirectory(self)
        let file = DataDirectory.file(named: "tinyshakespeare")!
        let start = Date()
        let refused = errorMessage(try DataDirectory.fetch(file, to: dir.appendingPathComponent("t.txt"), from: "http://127.0.0.1:9/input.txt"))
        XCTAssertTrue(refused.hasPrefix("tinyshakespeare: cannot download http://127.0.0.1:9/input.txt ("), refused)
        XCTAssertTrue(refused.hasSuffix("Put the file in a data directory (LABRUN_DATA_DIR or --data-dir)"), refused)
        // A server that accepts the connection and never answers: the timeout ends it.
        let saved = DataDirectory.downloadTimeout
        DataDirectory.downloadTimeout = 1
        defer { DataDirectory.downloadTimeout = saved }
        let server = try SilentServer()
        let hung = errorMessage(try DataDirectory.fetch(file, to: dir.appendingPathComponent("t.txt"), from: "http://127.0.0.1:\(server.port)/input.txt"))
        XCTAssertTrue(hung.hasPrefix("tinyshakespeare: "), hung)
        XCTAssertTrue(hung.contains("LABRUN_DATA_DIR"), hung)
        XCTAssertLessThan(Date().timeIntervalSince(start), 8)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("t.txt").path))
    }

    func testTrainValSplitIsSlide30s() {
        let (train, val) = trainValSplit(Array(0..<1000))
        XCTAssertEqual(train, Array(0..<900))
        XCTAssertEqual(val, Array(900..<1000))
    }

    func testBatchSamplerShiftsTargetsByOneAndIsSeeded() throws {
        let data = Array(0..<500).map { ($0 * 7) % 97 }
        let s = try BatchSampler(data, batchSize: 4, blockSize: 8, seed: 42)
        let (x, y) = s.next()
        XCTAssertEqual(x.shape, [4, 8])
        XCTAssertEqual(y.shape, [4, 8])
        let xs = x.ints, ys = y.ints
        // Each row is a window of the data, and its target is the same window one token later.
        for b in 0..<4 {
            let row = Array(xs[(b * 8)..<(b * 8 + 8)])
            let start = try XCTUnwrap((0...(500 - 9)).first { Array(data[$0..<($0 + 8)]) == row })
            XCTAssertEqual(Array(ys[(b * 8)..<(b * 8 + 8)]), Array(data[(start + 1)..<(start + 9)]))
        }
        let again = try BatchSampler(data, batchSize: 4, blockSize: 8, seed: 42)
        XCTAssertEqual(again.next().x.ints, xs)
        let other = try BatchSampler(data, batchSize: 4, blockSize: 8, seed: 43)
        XCTAssertNotEqual(other.next().x.ints, xs)
        // Offsets cover the whole valid range 0 ... count - blockSize - 1.
        let small = try BatchSampler(Array(0..<12), batchSize: 64, blockSize: 8, seed: 1)
        var seen = Set<Int>()
        for _ in 0..<20 { seen.formUnion(small.nextOffsets()) }
        XCTAssertEqual(seen, Set(0..<4))
        XCTAssertTrue(errorMessage(try BatchSampler(Array(0..<8), batchSize: 1, blockSize: 8)).contains("needs more than blockSize (8)"))
    }

    func testEpochLoaderVisitsEveryWindowOnce() throws {
        let data = Array(0..<101)
        let loader = try EpochLoader(data, batchSize: 3, blockSize: 10, seed: 5)
        XCTAssertEqual(loader.windowCount, 10)
        XCTAssertEqual(loader.count, 4)
        var firsts: [Int] = [], sizes: [Int] = []
        for (x, y) in loader {
            sizes.append(x.shape[0])
            let xs = x.ints, ys = y.ints
            for b in 0..<x.shape[0] {
                firsts.append(xs[b * 10])
                XCTAssertEqual(Array(ys[(b * 10)..<(b * 10 + 10)]), Array(xs[(b * 10)..<(b * 10 + 10)]).map { $0 + 1 })
            }
        }
        XCTAssertEqual(sizes, [3, 3, 3, 1])
        XCTAssertEqual(firsts.sorted(), Array(stride(from: 0, to: 100, by: 10)))
        var second: [Int] = []
        for (x, _) in loader { second += stride(from: 0, to: x.count, by: 10).map { x.ints[$0] } }
        XCTAssertNotEqual(second, firsts)                // a new order each epoch
        XCTAssertEqual(second.sorted(), firsts.sorted())
        XCTAssertEqual(loader.epoch, 2)
    }
}

/// A TCP server on 127.0.0.1 that accepts connections and never replies (a hung download).
final class SilentServer {
    let fd: Int32
    let port: Int
    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sp in
                bind(fd, sp, len) == 0 && listen(fd, 4) == 0 && getsockname(fd, sp, &len) == 0
            }
        }
        port = ok ? Int(UInt16(bigEndian: addr.sin_port)) : 0
        if !ok { throw TextError("SilentServer: cannot listen") }
    }
    deinit { close(fd) }
}
