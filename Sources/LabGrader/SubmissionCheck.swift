import Foundation
import SwiftParser
import SwiftSyntax

/// The language-level boundary on what a submission may contain: every exercise region a student wrote is parsed
/// with swift-syntax and checked against an allowlist before it is compiled. Region code is plain Swift over the
/// course library: no `import`, no underscored or low-level attributes (`@_cdecl`, `@section`, `@used`, …), no
/// names of unsafe or C-level facilities (pointers, `dlopen`, processes, threads, files, signals, the environment),
/// no names starting with `_`, and no braces that close the enclosing function.
///
/// ```swift
/// let v = SubmissionCheck.check("let p = x.withUnsafeFloats { $0 }", file: "SelfAttention.swift", firstLine: 40)
/// v.first?.text   // "SelfAttention.swift:40:11: error: `withUnsafeFloats` is not allowed in a submission ..."
/// ```
/// (No PyTorch equivalent; PrairieLearn and Gradescope rely on the container alone.)
enum SubmissionCheck {
    /// Attributes a region may use (lower-case names; capitalised ones are property wrappers and result builders).
    static let allowedAttributes: Set<String> = ["discardableResult", "escaping", "autoclosure", "Sendable", "unknown", "inline"]

    /// Names (identifiers, member names and argument labels alike) a submission may not use.
    static let deniedNames: Set<String> = [
        // loading code, symbols, reflection on the harness
        "dlopen", "dlsym", "dlclose", "dlerror", "dladdr", "NSClassFromString", "NSSelectorFromString", "objc_getClass",
        "objc_lookUpClass", "Bundle", "Mirror", "unsafeBitCast",
        // processes, threads, signals
        "Process", "fork", "vfork", "execv", "execve", "execvp", "execl", "execlp", "system", "popen", "posix_spawn",
        "posix_spawnp", "kill", "killpg", "raise", "signal", "sigaction", "sigprocmask", "setsid", "setpgid", "ptrace",
        "prctl", "Thread", "pthread_create", "pthread_kill", "DispatchQueue", "DispatchGroup", "DispatchSource",
        "OperationQueue", "Operation", "Task", "TaskGroup", "withTaskGroup", "RunLoop", "Timer", "atexit",
        "exit", "abort", "setjmp", "longjmp",
        // privileges, namespaces
        "setuid", "seteuid", "setreuid", "setresuid", "setgid", "setegid", "setgroups", "getuid", "geteuid", "unshare",
        "setns", "chroot", "mount", "syscall",
        // files, descriptors, sockets, memory mapping
        "FileManager", "FileHandle", "fopen", "fdopen", "freopen", "fclose", "fread", "fwrite", "fputs", "fprintf",
        "fflush", "fgets", "open", "openat", "creat", "close", "read", "write", "pread", "pwrite", "dup", "dup2", "pipe",
        "unlink", "rename", "mkdir", "rmdir", "chmod", "chown", "opendir", "readdir", "stat", "lstat", "fstat",
        "socket", "connect", "bind", "listen", "accept", "send", "recv", "mmap", "munmap", "mprotect", "malloc",
        "calloc", "realloc", "free", "memcpy", "memmove", "memset", "strdup", "strlen", "URL", "URLSession",
        "NSString", "NSData", "Data", "contentsOfFile", "toFile", "stdin", "stdout", "stderr", "CommandLine",
        // the environment
        "getenv", "setenv", "putenv", "unsetenv", "environ", "ProcessInfo",
        // modules that carry the above
        "Glibc", "Darwin", "Foundation", "XCTest", "Dispatch", "CBLAS", "Musl",
    ]

    /// Name prefixes a submission may not use (the graded tests' framework, pointers, the C runtime).
    static let deniedPrefixes = ["Unsafe", "unsafe", "withUnsafe", "Autoreleasing", "OpaquePointer", "XCT", "pthread_",
                                 "posix_", "COpaque", "cString", "withCString", "withVaList", "getVaList", "ManagedBuffer"]

    /// Violations in one region's code, at the student's lines.
    static func check(_ code: String, file: String, firstLine: Int) -> [BuildDiagnostic] {
        let tree = Parser.parse(source: code)
        let converter = SourceLocationConverter(fileName: file, tree: tree)
        var out: [BuildDiagnostic] = []
        func report(_ node: some SyntaxProtocol, _ message: String) {
            let loc = node.startLocation(converter: converter)
            let line = firstLine + loc.line - 1
            let source = code.components(separatedBy: "\n")
            let excerpt = loc.line - 1 < source.count ? "\n" + source[loc.line - 1] : ""
            out.append(BuildDiagnostic(file: file, line: line, column: loc.column, message: message,
                                       text: "\(file):\(line):\(loc.column): error: \(message)\(excerpt)"))
        }
        let attributes = AttributeFinder.attributes(in: tree)
        // An attribute's name is reported as an attribute, not again as a name.
        let attributeNames = Set(attributes.flatMap { $0.attributeName.tokens(viewMode: .sourceAccurate).map(\.position) })
        var depth = 0
        for token in tree.tokens(viewMode: .sourceAccurate) where !attributeNames.contains(token.position) {
            switch token.tokenKind {
            case .leftBrace: depth += 1
            case .rightBrace:
                depth -= 1
                if depth < 0 {
                    report(token, "this `}` closes the function the exercise is in: the code between the markers must stay inside it (the rest of the file comes from the course)")
                    depth = 0
                }
            case .keyword(.import):
                report(token, "`import` is not allowed in a submission: the course's file already imports what the exercise needs")
            case .keyword(let k) where k == .unsafe:
                report(token, "`unsafe` is not allowed in a submission")
            case .identifier(let raw), .dollarIdentifier(let raw):
                let name = raw.trimmingCharacters(in: CharacterSet(charactersIn: "`"))
                if let why = denied(name) { report(token, "`\(name)` is not allowed in a submission (\(why))") }
            default:
                break
            }
        }
        for attr in attributes {
            let name = attr.attributeName.trimmedDescription
            if name.hasPrefix("_") || !(allowedAttributes.contains(name) || name.first?.isUppercase == true) {
                report(attr, "the attribute `@\(name)` is not allowed in a submission")
            }
        }
        // Syntax errors are left to the compiler, which reports them better; the allowlist reads the tokens it can.
        return out.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
    }

    /// Why `name` is denied, or nil.
    static func denied(_ name: String) -> String? {
        if name.hasPrefix("_") { return "names starting with `_` are the compiler's and the runtime's" }
        if deniedNames.contains(name) { return "it reaches outside the exercise: processes, files, memory or the environment" }
        if let p = deniedPrefixes.first(where: { name.hasPrefix($0) }) {
            return p.lowercased().contains("unsafe") || p.hasPrefix("with") ? "unsafe memory access" : "a low-level facility"
        }
        return nil
    }
}

/// Collects every attribute (`@name`) in a tree.
private final class AttributeFinder: SyntaxVisitor {
    var found: [AttributeSyntax] = []
    static func attributes(in tree: SourceFileSyntax) -> [AttributeSyntax] {
        let v = AttributeFinder(viewMode: .sourceAccurate)
        v.walk(tree)
        return v.found
    }
    override func visit(_ node: AttributeSyntax) -> SyntaxVisitorContinueKind {
        found.append(node)
        return .visitChildren
    }
}
