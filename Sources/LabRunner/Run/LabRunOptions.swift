// How to run a lab.

/// Options for `runLab`.
public struct LabRunOptions: Sendable {
    /// Link the reference exercises (`Solutions/<lab>`) instead of the student's (`Labs/<lab>/Exercises`).
    public var solutions = false
    /// Reuse cached builds (`--no-cache` turns this off).
    public var useCache = true
    /// Whole-lab wall-clock limit in seconds.
    public var labTimeout: Double = 7200
    /// Per-cell timeout when neither the cell (`timeout=`) nor the front matter (`timeout:`) sets one.
    public var defaultCellTimeout: Double = 600
    /// Run only these cells (nil = all); others are `skipped`.
    public var only: Set<Int>?
    /// Bytes of stdout and of stderr kept per cell.
    public var outputCapPerCell = 1 << 20

    public init() {}
}

/// Live events while a lab runs (the terminal reporter implements this).
public protocol LabRunObserver: AnyObject {
    func compiling(_ lab: Lab, cached: Bool)
    func cellStarted(_ cell: Cell)
    func output(_ cell: Cell, stream: OutputKind, text: String)
    func display(_ cell: Cell, output: DisplayOutput)
    func progress(_ cell: Cell, line: String)
    func cellFinished(_ cell: Cell, result: CellResult)
}

public enum OutputKind: Sendable { case stdout, stderr }
