import Foundation

/// Checks a built exercises library (ELF shared object) after the source allowlist, as a second line: it may export
/// only symbols of its own Swift module (so no `write`, `setuid` or other C symbol of the submission can interpose
/// on libc for the harness), and may have no more load-time constructors (`.init_array`/`.preinit_array` entries)
/// than the same module built from the course's stubs.
///
/// ```swift
/// let elf = try ELFSummary(contentsOf: lib)           // lib: URL of libLab30.so
/// LibraryCheck.problems(elf, module: "Lab30", constructors: 1)   // [] for an honest build
/// ```
/// Command-line equivalent: `nm -D --defined-only libLab30.so` and `readelf -S libLab30.so | grep init_array`.
enum LibraryCheck {
    /// Exported symbols every Swift shared library has (linker-defined markers and the C runtime's init/fini).
    static let linkerSymbols: Set<String> = ["_init", "_fini", "__bss_start", "_edata", "_end"]

    /// What is wrong with `elf` for module `module`; `constructors` is the count a clean build has.
    static func problems(_ elf: ELFSummary, module: String, constructors: Int) -> [String] {
        var out: [String] = []
        let prefix = "$s\(module.utf8.count)\(module)"
        let foreign = elf.exportedSymbols.filter { !$0.hasPrefix(prefix) && !linkerSymbols.contains($0) }
        if !foreign.isEmpty {
            out.append("the built exercises library exports \(foreign.count) symbol\(foreign.count == 1 ? "" : "s") that \(foreign.count == 1 ? "is" : "are") not of module \(module) (\(foreign.prefix(5).joined(separator: ", "))): a submission may not define C-level symbols")
        }
        if elf.constructors > constructors {
            out.append("the built exercises library has \(elf.constructors - constructors) load-time constructor\(elf.constructors - constructors == 1 ? "" : "s") more than the course's own build: a submission may not run code when it is loaded")
        }
        return out
    }
}

/// The parts of an ELF64 little-endian shared object the library check needs: its defined dynamic symbols and the
/// number of load-time constructors.
struct ELFSummary: Equatable {
    var exportedSymbols: [String]
    /// Entries in `.init_array` and `.preinit_array` (8 bytes each), plus 1 for a `DT_INIT` function.
    var constructors: Int

    init(contentsOf url: URL) throws {
        let data = try Data(contentsOf: url)
        try self.init(data)
    }

    init(_ d: Data) throws {
        let b = [UInt8](d)
        func u(_ off: Int, _ n: Int) throws -> Int {
            guard off >= 0, off + n <= b.count else { throw GradeError.harness("not an ELF file: offset \(off) out of range") }
            var v = 0
            for i in (0..<n).reversed() { v = v << 8 | Int(b[off + i]) }
            return v
        }
        guard b.count > 64, b[0] == 0x7f, b[1] == 0x45, b[2] == 0x4c, b[3] == 0x46, b[4] == 2, b[5] == 1 else {
            throw GradeError.harness("not a 64-bit little-endian ELF file")
        }
        let shoff = try u(0x28, 8), shentsize = try u(0x3a, 2), shnum = try u(0x3c, 2), shstrndx = try u(0x3e, 2)
        struct Section { var name: Int, type: Int, offset: Int, size: Int, link: Int, entsize: Int }
        var sections: [Section] = []
        for i in 0..<shnum {
            let o = shoff + i * shentsize
            sections.append(Section(name: try u(o, 4), type: try u(o + 4, 4), offset: try u(o + 0x18, 8),
                                    size: try u(o + 0x20, 8), link: try u(o + 0x28, 4), entsize: try u(o + 0x38, 8)))
        }
        func cString(_ at: Int) -> String {
            var e = at
            while e < b.count, b[e] != 0 { e += 1 }
            return String(decoding: b[min(at, b.count)..<e], as: UTF8.self)
        }
        guard shstrndx < sections.count else { throw GradeError.harness("ELF file without section names") }
        let names = sections[shstrndx].offset
        var ctors = 0
        var symbols: [String] = []
        for s in sections {
            let name = cString(names + s.name)
            if name == ".init_array" || name == ".preinit_array" { ctors += s.size / 8 }
            if s.type == 11 /* SHT_DYNSYM */, s.entsize >= 24, s.link < sections.count {
                let strtab = sections[s.link].offset
                for k in 1..<max(1, s.size / s.entsize) {
                    let o = s.offset + k * s.entsize
                    let info = try u(o + 4, 1), shndx = try u(o + 6, 2)
                    let bind = info >> 4
                    guard shndx != 0, bind == 1 || bind == 2 || bind == 10 /* GLOBAL, WEAK, GNU_UNIQUE */ else { continue }
                    symbols.append(cString(strtab + (try u(o, 4))))
                }
            }
            if s.type == 6 /* SHT_DYNAMIC */ {
                var o = s.offset
                while o + 16 <= s.offset + s.size {
                    let tag = try u(o, 8)
                    if tag == 0 { break }
                    if tag == 12 /* DT_INIT */ { ctors += 1 }
                    o += 16
                }
            }
        }
        exportedSymbols = symbols.sorted()
        constructors = ctors
    }
}
