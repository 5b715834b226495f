import Foundation

/// The one error type of LabText: a one-line message that names the file, line or argument at fault and what to do.
///
/// ```swift
/// do { _ = try GPT2Tokenizer.load(encoder: url, merges: other) }
/// catch { print(error) }   // "vocab.bpe line 7: expected two symbols separated by one space, got "Ġt""
/// ```
public struct TextError: Error, CustomStringConvertible, LocalizedError, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    public var errorDescription: String? { message }
}

/// Reads a whole file, with an error that names it (instead of Foundation's generic "couldn't be opened").
func readFile(_ url: URL) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: url.path) else {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) {
            throw TextError(isDir.boolValue ? "\(url.path): is a directory, expected a file"
                                            : "\(url.path): cannot be read (check its permissions)")
        }
        throw TextError("\(url.path): no such file")
    }
    return [UInt8](data)
}

/// Reads a UTF-8 text file; a file that is not valid UTF-8 is an error naming the byte offset.
func readUTF8(_ url: URL) throws -> String {
    let bytes = try readFile(url)
    return try decodeUTF8(bytes, name: url.path)
}

func decodeUTF8(_ bytes: [UInt8], name: String) throws -> String {
    if let s = String(validating: bytes, as: UTF8.self) { return s }
    // Find the first bad byte for the message.
    var it = bytes.makeIterator()
    var decoder = UTF8()
    var offset = 0
    var lastGood = 0
    loop: while true {
        switch decoder.decode(&it) {
        case .scalarValue(let s): offset += UTF8.width(s); lastGood = offset
        case .emptyInput: break loop
        case .error: break loop
        }
    }
    throw TextError("\(name): not valid UTF-8 (first bad byte at offset \(lastGood)); convert it to UTF-8 first")
}

func writeFile(_ url: URL, _ bytes: [UInt8]) throws {
    do { try Data(bytes).write(to: url, options: .atomic) }
    catch { throw TextError("\(url.path): cannot write (\(error.localizedDescription))") }
}
