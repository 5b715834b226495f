// Lab 1 exercises: statistics over plain arrays.

/// The arithmetic mean of `xs` (0 for an empty array).
public func mean(_ xs: [Double]) -> Double {
    // BEGIN EXERCISE 1: mean
    todo("mean")
    // END EXERCISE 1
}

/// The population variance of `xs` (0 for an empty array).
public func variance(_ xs: [Double]) -> Double {
    // BEGIN EXERCISE 1: variance
    todo("variance")
    // END EXERCISE 1
}
