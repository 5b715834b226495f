// The private channel from a lab program to `labrun`.
//
// Wire format (one record, appended with a single write(2) so a crash never leaves half a record):
//
//     LR1 <kind> <monotonic-seconds> <len1> <len2> ...\n<part1 bytes><part2 bytes>...\n
//
// kinds: `cell` (part: cell index; written when a cell starts), `display` (parts: html, text),
// `progress` (part: `step total loss tokensPerSecond eta`, `-` for absent values).
// `LabChannel.parse` reads records back; the runner tails the file while the program runs.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file named by env `LABRUN_EVENTS`, opened for appending; `nil` when not running under labrun.
public final class LabChannel: @unchecked Sendable {
    /// The channel of this process, if `LABRUN_EVENTS` is set and the file can be opened.
    public static let shared: LabChannel? = {
        guard let path = getenv("LABRUN_EVENTS").map({ String(cString: $0) }), !path.isEmpty else { return nil }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        let marker = getenv("LABRUN_MARKER").map { String(cString: $0) } ?? ""
        return LabChannel(fd: fd, marker: marker)
    }()

    let fd: Int32
    /// The nonce that cell delimiters in stdout/stderr carry (env `LABRUN_MARKER`).
    let marker: String

    init(fd: Int32, marker: String) {
        self.fd = fd
        self.marker = marker
    }

    /// Appends one framed record.
    public func write(kind: String, parts: [String]) {
        let lens = parts.map { String($0.utf8.count) }.joined(separator: " ")
        var bytes = Array("LR1 \(kind) \(monotonicSeconds()) \(lens)\n".utf8)
        for p in parts { bytes += Array(p.utf8) }
        bytes.append(10)
        writeAll(fd, bytes)
    }

    /// Marks the start of cell `index`: a record on the channel and a delimiter in stdout and stderr, so output
    /// can be split per cell even if the program dies later. Called by labrun's generated code.
    public func beginCell(_ index: Int) {
        fflush(stdout)
        fflush(stderr)
        let delim = Array(LabChannel.delimiter(marker: marker, cell: index).utf8)
        writeAll(1, delim)
        writeAll(2, delim)
        write(kind: "cell", parts: [String(index)])
    }

    /// The delimiter written to stdout/stderr when cell `cell` starts: `\u{1}LABRUN:<marker>:<cell>\u{1}`.
    public static func delimiter(marker: String, cell: Int) -> String {
        "\u{1}LABRUN:\(marker):\(cell)\u{1}"
    }

    /// One parsed record.
    public struct Record: Equatable, Sendable {
        public var kind: String
        public var time: Double
        public var parts: [String]

        public init(kind: String, time: Double, parts: [String]) {
            self.kind = kind
            self.time = time
            self.parts = parts
        }
    }

    /// Parses complete records from `bytes`; returns them and the number of bytes consumed (a partial record at
    /// the end is left for the next call).
    public static func parse(_ bytes: ArraySlice<UInt8>) -> (records: [Record], consumed: Int) {
        var records: [Record] = []
        var i = bytes.startIndex
        while i < bytes.endIndex {
            guard let nl = bytes[i...].firstIndex(of: 10) else { break }
            let header = String(decoding: bytes[i..<nl], as: UTF8.self).split(separator: " ")
            guard header.count >= 3, header[0] == "LR1", let time = Double(header[2]) else {
                i = nl + 1  // skip a garbled line
                continue
            }
            let lens = header.dropFirst(3).compactMap { Int($0) }
            let total = lens.reduce(0, +)
            let start = nl + 1
            guard start + total + 1 <= bytes.endIndex else { break }
            var parts: [String] = []
            var p = start
            for l in lens {
                parts.append(String(decoding: bytes[p..<(p + l)], as: UTF8.self))
                p += l
            }
            records.append(Record(kind: String(header[1]), time: time, parts: parts))
            i = start + total + 1
        }
        return (records, i - bytes.startIndex)
    }
}

/// Seconds on CLOCK_MONOTONIC (comparable across processes on one machine).
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    bytes.withUnsafeBytes { buf in
        var off = 0
        while off < buf.count {
            let n = write(fd, buf.baseAddress! + off, buf.count - off)
            if n < 0 { if errno == EINTR { continue }; return }
            off += n
        }
    }
}
