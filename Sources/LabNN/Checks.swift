// Argument checks that keep their message in every build: LabNN is compiled with -O, where `precondition` stops
// with "signal SIGILL" and no text. The same mechanism as LabTensor's Errors.swift: one line naming the layer and
// what was wrong with the shapes and values, printed by fatalError (which keeps its message at -O).

/// Stops the program with `LabNN: <message>` when `condition` is false.
@inline(__always)
func check(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if _slowPath(!condition) { fail(message(), file: file, line: line) }
}

/// Stops the program with `LabNN: <message>`.
func fail(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError("LabNN: " + message, file: file, line: line)
}

/// True when this module was compiled with optimisation (as Package.swift builds it in every configuration):
/// the tests that trip these checks in a child process assert it, so they test the -O build students run.
let checksCompiledOptimized = !_isDebugAssertConfiguration()
