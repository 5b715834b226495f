// Lab 1 exercises: statistics over plain arrays.

/// The arithmetic mean of `xs` (0 for an empty array).
public func mean(_ xs: [Double]) -> Double {
    todo("mean")
}

/// The population variance of `xs` (0 for an empty array).
public func variance(_ xs: [Double]) -> Double {
    todo("variance")
}
