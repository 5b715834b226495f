// Lab 1 exercises: statistics over plain arrays.

/// The arithmetic mean of `xs` (0 for an empty array).
public func mean(_ xs: [Double]) -> Double {
    // BEGIN SOLUTION
    guard !xs.isEmpty else { return 0 }
    return xs.reduce(0, +) / Double(xs.count)
    // END SOLUTION
}

/// The population variance of `xs` (0 for an empty array).
public func variance(_ xs: [Double]) -> Double {
    // BEGIN SOLUTION
    let m = mean(xs)
    guard !xs.isEmpty else { return 0 }
    return xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count)
    // END SOLUTION
}
