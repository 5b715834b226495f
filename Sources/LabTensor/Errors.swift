// Input checks that survive `-Ounchecked` (which compiles `precondition` away): a shape or dtype mistake in a lab
// stops with one line naming the op and what was wrong, instead of reading garbage memory.

/// Stops the program with `LabTensor: <message>` when `condition` is false.
@inline(__always)
func check(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if _slowPath(!condition) { fail(message(), file: file, line: line) }
}

/// Stops the program with `LabTensor: <message>`.
func fail(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError("LabTensor: " + message, file: file, line: line)
}
