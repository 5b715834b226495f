// GPT-2 encode throughput on all of tinyshakespeare: LabText vs tiktoken (run in the same process tree, same files).
//
//   swift run -c release --scratch-path .build-text tokenizer-bench [RUNS]
//
// Prints MB/s per run and medians. "cold" builds a new tokenizer for every run (empty piece cache, as tiktoken,
// which keeps no cache); "warm" encodes again with the cache filled. tiktoken runs via $PYTHON
// (default /opt/refenv/bin/python) and Benchmarks/tiktoken_bench.py, one thread, `encode_ordinary`.
import Foundation
import LabText

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}
func fmt(_ x: Double) -> String { String(format: "%.1f", x) }

let runs = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 7 : 7
do {
    let corpusURL = try DataDirectory.locate("tinyshakespeare")
    let dataDir = corpusURL.deletingLastPathComponent()
    let text = try loadCorpus(corpusURL.path)
    let mb = Double(text.utf8.count) / 1e6

    var cold: [Double] = [], warm: [Double] = [], loads: [Double] = []
    var count = 0
    for _ in 0..<runs {
        var t0 = Date()
        let enc = try BPETokenizer.gpt2(dataDir: dataDir)
        loads.append(Date().timeIntervalSince(t0))
        t0 = Date()
        count = enc.encodeOrdinary(text).count
        cold.append(mb / Date().timeIntervalSince(t0))
        t0 = Date()
        _ = enc.encodeOrdinary(text)
        warm.append(mb / Date().timeIntervalSince(t0))
    }
    print("tinyshakespeare: \(text.utf8.count) bytes, \(count) GPT-2 tokens, \(runs) runs, 1 thread")
    print("LabText  cold MB/s: \(cold.map(fmt).joined(separator: " "))  median \(fmt(median(cold)))")
    print("LabText  warm MB/s: \(warm.map(fmt).joined(separator: " "))  median \(fmt(median(warm)))")
    print("LabText  load (encoder.json + vocab.bpe, checksums): median \(String(format: "%.0f", median(loads) * 1000)) ms")

    let python = ProcessInfo.processInfo.environment["PYTHON"] ?? "/opt/refenv/bin/python"
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("tiktoken_bench.py")
    let p = Process()
    p.executableURL = URL(fileURLWithPath: python)
    p.arguments = [script.path, dataDir.path, corpusURL.path, String(runs)]
    let out = Pipe()
    p.standardOutput = out
    do {
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0, let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let runsMBps = obj["mbps"] as? [Double], let med = obj["median_mbps"] as? Double else {
            print("tiktoken: \(python) \(script.path) failed (exit \(p.terminationStatus))")
            exit(0)
        }
        print("tiktoken \(obj["tiktoken"] ?? "?") MB/s: \(runsMBps.map(fmt).joined(separator: " "))  median \(fmt(med))  (\(obj["ids"] ?? "?") tokens)")
        print("ratio LabText cold / tiktoken: \(String(format: "%.2f", median(cold) / med))x")
    } catch {
        print("tiktoken: cannot run \(python) (\(error)); set PYTHON to a Python with tiktoken")
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
