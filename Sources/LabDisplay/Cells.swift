// The calls labrun's generated program makes around cells. Not for use in lab code.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension LabChannel {
    /// Start of a lab program: stdout unbuffered, so a crash never loses printed output.
    public static func startProgram() {
        setvbuf(stdout, nil, _IONBF, 0)
    }

    /// Start of cell `index`.
    public static func beginCell(_ index: Int) {
        shared?.beginCell(index)
    }

    /// All cells ran.
    public static func endProgram() {
        fflush(stdout)
        fflush(stderr)
        if let shared {
            let delim = Array(LabChannel.delimiter(marker: shared.marker, cell: endOfProgram).utf8)
            writeAll(1, delim)
            writeAll(2, delim)
            shared.write(kind: "end", parts: [])
        }
    }

    /// The cell number in the delimiter written after the last cell.
    public static let endOfProgram = 999_999_999

    /// Runs a `should-fail` cell in a forked copy of the program: a crash or a thrown error ends only the copy,
    /// and the program goes on with the next cell. Records `xfail <index>` (it failed, as expected) with the
    /// reason, or `xpass <index>` (it did not fail).
    public static func expectFailure(_ index: Int, _ body: () throws -> Void) {
        fflush(stdout)
        fflush(stderr)
        let pid = fork()
        if pid == 0 {
            do {
                try body()
            } catch {
                fputs("Error: \(error)\n", stderr)
                fflush(stdout)
                _exit(1)
            }
            fflush(stdout)
            _exit(0)
        }
        guard pid > 0 else {
            shared?.write(kind: "xpass", parts: [String(index), "fork failed"])
            return
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if status == 0 {
            shared?.write(kind: "xpass", parts: [String(index), ""])
        } else {
            let reason = status & 0x7f == 0 ? "exit code \((status >> 8) & 0xff)" : "signal \(status & 0x7f)"
            shared?.write(kind: "xfail", parts: [String(index), reason])
        }
    }
}
