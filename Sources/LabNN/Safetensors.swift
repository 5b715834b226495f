// Safetensors: the Hugging Face tensor file format, read and written without Python.
//
// Layout (https://github.com/huggingface/safetensors, notes §4):
//   8 bytes   N, the header length, UInt64 little-endian
//   N bytes   JSON: {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...,
//                    "__metadata__": {"key": "string value"}}   padded with spaces to a multiple of 8
//   rest      the byte buffer; data_offsets are relative to its start, little-endian, row-major, no gaps.
import Foundation
import LabTensor

/// A malformed or unreadable safetensors file; the message names the file and what is wrong.
public struct SafetensorsError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
    public init(_ path: String, _ reason: String) { self.path = path; self.reason = reason }
}

/// Element types of a safetensors entry. Reading converts floats to float32 and integers to int32 tensors.
public enum SafetensorsDType: String, Sendable {
    case F32, F16, BF16, F64, I32, I64
    var byteSize: Int {
        switch self {
        case .F16, .BF16: return 2
        case .F32, .I32: return 4
        case .F64, .I64: return 8
        }
    }
}

/// One tensor's header entry.
public struct SafetensorsEntry: Sendable {
    public let dtype: SafetensorsDType
    public let shape: [Int]
    /// Byte range in the data buffer (relative to the end of the header).
    public let begin: Int, end: Int
}

/// A safetensors file opened for reading (memory-mapped); tensors are converted one at a time on request,
/// so loading a large checkpoint never holds two copies of it.
///
/// ```swift
/// let file = try SafetensorsReader("model.safetensors")
/// let wte = try file.tensor("transformer.wte.weight")   // (V, C)
/// ```
/// PyTorch: `safetensors.safe_open(path, "pt").get_tensor(name)`.
public final class SafetensorsReader {
    public let path: String
    public let metadata: [String: String]
    public let entries: [String: SafetensorsEntry]
    private let data: Data
    private let dataStart: Int

    /// Tensor names in file (data offset) order.
    public var names: [String] { entries.sorted { $0.value.begin < $1.value.begin }.map(\.key) }

    public init(_ path: String) throws {
        self.path = path
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw SafetensorsError(path, "cannot read the file (\(error.localizedDescription))")
        }
        self.data = data
        guard data.count >= 8 else {
            throw SafetensorsError(path, "file is \(data.count) bytes, too short for the 8-byte header length")
        }
        let n = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 0, as: UInt64.self)) }
        guard n <= UInt64(data.count - 8), n <= 100_000_000 else {
            throw SafetensorsError(path, "header length \(n) exceeds the file size \(data.count) (truncated or not a safetensors file)")
        }
        dataStart = 8 + Int(n)
        let headerBytes = data.subdata(in: 8..<dataStart)
        guard let json = try? JSONSerialization.jsonObject(with: headerBytes), let header = json as? [String: Any] else {
            throw SafetensorsError(path, "header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        var entries: [String: SafetensorsEntry] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else { throw SafetensorsError(path, "__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v as? String else { throw SafetensorsError(path, "__metadata__[\(k)] is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let e = value as? [String: Any], let ds = e["dtype"] as? String,
                  let shape = (e["shape"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  let offs = (e["data_offsets"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  shape.count == (e["shape"] as? [Any])?.count, offs.count == 2
            else { throw SafetensorsError(path, "tensor '\(name)': entry needs dtype, shape and data_offsets [begin, end]") }
            guard let dtype = SafetensorsDType(rawValue: ds) else {
                throw SafetensorsError(path, "tensor '\(name)': unsupported dtype \(ds) (supported: F32 F16 BF16 F64 I32 I64)")
            }
            guard shape.allSatisfy({ $0 >= 0 }) else { throw SafetensorsError(path, "tensor '\(name)': negative dimension in shape \(shape)") }
            let (begin, end) = (offs[0], offs[1])
            let bufferSize = data.count - dataStart
            guard begin >= 0, begin <= end, end <= bufferSize else {
                throw SafetensorsError(path, "tensor '\(name)': data_offsets [\(begin), \(end)] outside the \(bufferSize)-byte data buffer (truncated file?)")
            }
            let expected = shape.reduce(1, *) * dtype.byteSize
            guard end - begin == expected else {
                throw SafetensorsError(path, "tensor '\(name)': \(end - begin) bytes for \(dtype) \(shape), expected \(expected)")
            }
            entries[name] = SafetensorsEntry(dtype: dtype, shape: shape, begin: begin, end: end)
        }
        // The spec requires the entries to tile the buffer: no gaps, no overlaps.
        var cursor = 0
        for e in entries.values.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
            guard e.begin == cursor else {
                throw SafetensorsError(path, e.begin < cursor ? "overlapping tensor data at byte \(e.begin)" : "gap in tensor data at byte \(cursor)")
            }
            cursor = e.end
        }
        guard cursor == data.count - dataStart else {
            throw SafetensorsError(path, "data buffer has \(data.count - dataStart) bytes but the tensors cover \(cursor)")
        }
        self.metadata = metadata
        self.entries = entries
    }

    /// Calls `body` with the entry and its raw little-endian bytes.
    func withBytes<R>(_ name: String, _ body: (SafetensorsEntry, UnsafeRawBufferPointer) throws -> R) throws -> R {
        guard let e = entries[name] else { throw SafetensorsError(path, "no tensor named '\(name)'") }
        return try data.withUnsafeBytes { raw in
            try body(e, UnsafeRawBufferPointer(rebasing: raw[(dataStart + e.begin)..<(dataStart + e.end)]))
        }
    }

    /// Writes tensor `name` converted to float32 into `dst` (count elements, row-major).
    func readFloats(_ name: String, into dst: UnsafeMutablePointer<Float>, count: Int) throws {
        try withBytes(name) { e, bytes in
            guard bytes.count == count * e.dtype.byteSize else {
                throw SafetensorsError(path, "tensor '\(name)' has \(bytes.count / e.dtype.byteSize) elements, expected \(count)")
            }
            convertToFloat(e.dtype, bytes, dst, count)
        }
    }

    /// The tensor `name` as a LabTensor (float32, or int32 for integer dtypes).
    public func tensor(_ name: String) throws -> Tensor {
        try withBytes(name) { e, bytes in
            let n = e.shape.reduce(1, *)
            switch e.dtype {
            case .I32:
                return Tensor(ints: (0..<n).map { Int(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) }, shape: e.shape)
            case .I64:
                return Tensor(ints: (0..<n).map { Int(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self))) }, shape: e.shape)
            default:
                let t = Tensor.zeros(e.shape)
                t.withUnsafeMutableFloats { p, count in convertToFloat(e.dtype, bytes, p, count) }
                return t
            }
        }
    }

    /// Every tensor in the file.
    public func tensors() throws -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for name in entries.keys { out[name] = try tensor(name) }
        return out
    }
}

private func convertToFloat(_ dtype: SafetensorsDType, _ bytes: UnsafeRawBufferPointer, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
    switch dtype {
    case .F32:
        if n > 0 { memcpy(dst, bytes.baseAddress!, 4 * n) }    // x86-64 and arm64 are little-endian
    case .F16:
        for i in 0..<n { dst[i] = Float(Float16(bitPattern: UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))) }
    case .BF16:
        for i in 0..<n { dst[i] = Float(bitPattern: UInt32(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16) }
    case .F64:
        for i in 0..<n { dst[i] = Float(bytes.loadUnaligned(fromByteOffset: 8 * i, as: Double.self)) }
    case .I32:
        for i in 0..<n { dst[i] = Float(bytes.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)) }
    case .I64:
        for i in 0..<n { dst[i] = Float(bytes.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)) }
    }
}

/// Reading and writing whole safetensors files.
///
/// ```swift
/// try Safetensors.save(model.stateDict(), metadata: ["step": "100"], to: "ckpt.safetensors")
/// let (tensors, metadata) = try Safetensors.load("ckpt.safetensors")
/// ```
/// Python: `safetensors.torch.save_file(state_dict, path, metadata)` / `load_file(path)`.
public enum Safetensors {
    /// Loads every tensor and the `__metadata__` map. Throws `SafetensorsError` naming the file on bad input.
    public static func load(_ path: String) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let r = try SafetensorsReader(path)
        return (try r.tensors(), r.metadata)
    }

    /// Writes `tensors` (float32 → F32, int32 → I32) in name order, atomically: a temporary file in the same directory
    /// is renamed over `path`, so a crash never leaves a half-written checkpoint.
    public static func save(_ tensors: [String: Tensor], metadata: [String: String] = [:], to path: String) throws {
        let names = tensors.keys.sorted()
        var header: [String: Any] = [:]
        var offset = 0
        for name in names {
            let t = tensors[name]!
            let bytes = t.count * 4
            header[name] = ["dtype": t.dtype == .int32 ? "I32" : "F32", "shape": t.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8))
        var out = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        for name in names {
            let t = tensors[name]!
            if t.dtype == .int32 {
                for v in t.ints { withUnsafeBytes(of: Int32(truncatingIfNeeded: v).littleEndian) { out.append(contentsOf: $0) } }
            } else {
                t.withUnsafeFloats { p, n in out.append(UnsafeBufferPointer(start: p, count: n)) }
            }
        }
        try writeAtomically(out, to: path)
    }
}

/// Writes `data` to `path` through a temporary sibling file and rename(2).
func writeAtomically(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
    do {
        try data.write(to: tmp)
        guard rename(tmp.path, url.path) == 0 else {
            let err = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: tmp)
            throw SafetensorsError(path, "cannot rename the temporary file into place (\(err))")
        }
    } catch let e as SafetensorsError {
        throw e
    } catch {
        try? FileManager.default.removeItem(at: tmp)
        throw SafetensorsError(path, "cannot write (\(error.localizedDescription))")
    }
}
