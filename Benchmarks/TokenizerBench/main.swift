// GPT-2 encode throughput on all of tinyshakespeare: LabText vs tiktoken (run in the same process tree, same files).
//
//   swift run -c release --scratch-path .build-text tokenizer-bench [RUNS]
//
// Prints MB/s per round and medians; each round runs LabText, then tiktoken in a child process, so load from other
// processes hits both alike. "cold" builds a new tokenizer every round (empty piece cache; tiktoken keeps no cache);
// "warm" encodes again with the cache filled. tiktoken runs via $PYTHON (default /opt/refenv/bin/python) and
// Benchmarks/tiktoken_bench.py: one thread, `encode_ordinary`, built from the same encoder.json / vocab.bpe.
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

    let python = ProcessInfo.processInfo.environment["PYTHON"] ?? "/opt/refenv/bin/python"
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("tiktoken_bench.py")
    /// One tiktoken run in a child process: (MB/s, tiktoken version, token count), or nil with the reason printed.
    func tiktoken() -> (Double, String, Int)? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [script.path, dataDir.path, corpusURL.path, "1"]
        let out = Pipe()
        p.standardOutput = out
        do { try p.run() } catch { print("tiktoken: cannot run \(python) (\(error)); set PYTHON to a Python with tiktoken"); return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0, let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let med = obj["median_mbps"] as? Double else {
            print("tiktoken: \(python) \(script.path) failed (exit \(p.terminationStatus))")
            return nil
        }
        return (med, obj["tiktoken"] as? String ?? "?", obj["ids"] as? Int ?? -1)
    }

    // Rounds alternate LabText and tiktoken so that load from other processes hits both alike.
    var cold: [Double] = [], warm: [Double] = [], loads: [Double] = [], tk: [Double] = []
    var count = 0, tkVersion = "?", tkCount = -1
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
        if let (m, v, c) = tiktoken() { tk.append(m); tkVersion = v; tkCount = c }
    }
    print("tinyshakespeare: \(text.utf8.count) bytes, \(count) GPT-2 tokens, \(runs) rounds, 1 thread")
    print("LabText  cold MB/s: \(cold.map(fmt).joined(separator: " "))  median \(fmt(median(cold)))")
    print("LabText  warm MB/s: \(warm.map(fmt).joined(separator: " "))  median \(fmt(median(warm)))")
    print("LabText  load (encoder.json + vocab.bpe, checksums): median \(String(format: "%.0f", median(loads) * 1000)) ms")
    if !tk.isEmpty {
        print("tiktoken \(tkVersion) MB/s: \(tk.map(fmt).joined(separator: " "))  median \(fmt(median(tk)))  (\(tkCount) tokens)")
        print("ratio LabText cold / tiktoken: median \(String(format: "%.2f", median(cold) / median(tk)))x")
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
