// Lab 25, exercise 1: what training a model costs, from its size and its data.
import Foundation
import LabKit

/// The compute, time and price of one training run.
public struct CostEstimate {
    /// Floating-point operations of the whole run.
    public var flops: Double
    /// Days on one GPU running at `gpuFlops` the whole time.
    public var gpuDays: Double
    /// Dollars at the given price per GPU-hour.
    public var dollars: Double

    public init(flops: Double, gpuDays: Double, dollars: Double) {
        self.flops = flops
        self.gpuDays = gpuDays
        self.dollars = dollars
    }
}

/// The slide's rule of thumb: training costs 6 FLOPs per parameter per token (2 for the forward pass, 4 for the
/// backward pass); divide by what one GPU sustains to get GPU time, multiply by the hourly price to get money.
///
/// ```swift
/// let gpt3 = estimateCost(parameters: 175e9, tokens: 300e9)   // an A100: 312 TFLOP/s, $2 per GPU-hour
/// print("Estimated: \(groupedInteger(gpt3.gpuDays)) GPU-days")            // Estimated: 11,685 GPU-days
/// print("Cost (at $2/GPU-hour): $\(groupedInteger(gpt3.dollars))")        // Cost (at $2/GPU-hour): $560,897
/// ```
/// Python (the slide):
/// ```python
/// def estimate_training_cost(params, tokens, gpu_flops=312e12):
///     total_flops = params * tokens * 6
///     gpu_days = total_flops / gpu_flops / 86400
///     cost = gpu_days * 24 * 2
/// ```
public func estimateCost(parameters: Double, tokens: Double, gpuFlops: Double = 312e12,
                         dollarsPerGPUHour: Double = 2) -> CostEstimate {
    guard parameters > 0, tokens > 0, gpuFlops > 0, dollarsPerGPUHour >= 0 else {
        fatalError("estimateCost: parameters (\(parameters)), tokens (\(tokens)) and gpuFlops (\(gpuFlops)) must be positive, the price (\(dollarsPerGPUHour)) not negative")
    }
    // BEGIN EXERCISE 1: estimateCost
    todo("estimateCost")
    // END EXERCISE 1
}
