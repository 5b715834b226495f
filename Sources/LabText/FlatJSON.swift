/// A reader and writer for the flat `{"token": id, ...}` objects of `encoder.json` / `vocab.json`, with errors that
/// give the byte offset (a truncated download must say so, not "the data couldn't be read").
enum FlatJSON {
    static func parseStringToInt(_ bytes: [UInt8], name: String) throws -> [(String, Int)] {
        var out: [(String, Int)] = []
        try parseStringToInt(bytes, name: name) { key, value in
            guard let s = String(validating: key, as: UTF8.self) else { throw TextError("\(name): a key is not valid UTF-8") }
            out.append((s, value))
        }
        return out
    }

    /// Calls `entry` with each key's UTF-8 bytes (escapes resolved) and its integer value, in file order.
    static func parseStringToInt(_ bytes: [UInt8], name: String, entry: ([UInt8], Int) throws -> Void) throws {
        var i = 0
        let n = bytes.count
        func fail(_ what: String) -> TextError {
            i >= n ? TextError("\(name): truncated JSON (ends at byte \(n) while \(what)); the file is incomplete: download it again")
                   : TextError("\(name): invalid JSON at byte \(i): \(what)")
        }
        func skipSpace() { while i < n, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 } }
        func expect(_ c: UInt8, _ what: String) throws {
            skipSpace()
            guard i < n, bytes[i] == c else { throw fail("expected \(what)") }
            i += 1
        }
        func hex4() throws -> UInt32 {
            guard i + 4 <= n else { i = n; throw fail("reading a \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[i]
                let d: UInt32
                switch c {
                case 0x30...0x39: d = UInt32(c - 0x30)
                case 0x61...0x66: d = UInt32(c - 0x61 + 10)
                case 0x41...0x46: d = UInt32(c - 0x41 + 10)
                default: throw fail("bad hex digit in \\u escape")
                }
                v = v << 4 | d
                i += 1
            }
            return v
        }
        func string() throws -> [UInt8] {
            try expect(0x22, "a string")
            var buf: [UInt8] = []
            while true {
                guard i < n else { throw fail("reading a string") }
                let c = bytes[i]
                i += 1
                if c == 0x22 { break }
                if c != 0x5C { buf.append(c); continue }
                guard i < n else { throw fail("reading an escape") }
                let e = bytes[i]
                i += 1
                switch e {
                case 0x22, 0x5C, 0x2F: buf.append(e)
                case 0x62: buf.append(0x08)
                case 0x66: buf.append(0x0C)
                case 0x6E: buf.append(0x0A)
                case 0x72: buf.append(0x0D)
                case 0x74: buf.append(0x09)
                case 0x75:
                    var v = try hex4()
                    if (0xD800...0xDBFF).contains(v), i + 1 < n, bytes[i] == 0x5C, bytes[i + 1] == 0x75 {
                        i += 2
                        let lo = try hex4()
                        v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(v) else { throw fail("\\u escape is not a Unicode scalar") }
                    buf.append(contentsOf: Array(String(Character(u)).utf8))
                default: throw fail("unknown escape \\\(Character(Unicode.Scalar(e)))")
                }
            }
            return buf
        }
        func integer() throws -> Int {
            skipSpace()
            var neg = false
            if i < n, bytes[i] == 0x2D { neg = true; i += 1 }
            let start = i
            var v = 0
            while i < n, bytes[i] >= 0x30, bytes[i] <= 0x39 { v = v * 10 + Int(bytes[i] - 0x30); i += 1 }
            guard i > start else { throw fail("expected an integer id") }
            return neg ? -v : v
        }
        try expect(0x7B, "'{'")
        skipSpace()
        if i < n, bytes[i] == 0x7D { i += 1 } else {
            while true {
                let key = try string()
                try expect(0x3A, "':'")
                let value = try integer()
                try entry(key, value)
                skipSpace()
                guard i < n else { throw fail("expected ',' or '}'") }
                if bytes[i] == 0x2C { i += 1; continue }
                if bytes[i] == 0x7D { i += 1; break }
                throw fail("expected ',' or '}'")
            }
        }
        skipSpace()
        if i != n { throw fail("unexpected text after the closing '}'") }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F { out += String(format4: u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    static func write(_ entries: [(String, Int)]) -> String {
        "{" + entries.map { "\(quote($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }
}

extension String {
    init(format4 v: UInt32) {
        let h = String(v, radix: 16)
        self = "\\u" + String(repeating: "0", count: 4 - h.count) + h
    }
}
