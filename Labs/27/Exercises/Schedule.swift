// Lab 27, exercise 2: the learning-rate schedule, a linear warm-up then a cosine decay.
import Foundation
import LabKit

/// The factor the base learning rate is multiplied by after `step` optimizer steps: it rises linearly from 0 to 1
/// over the first `warmupSteps` steps, then follows a cosine from 1 down to 0 at `totalSteps` (with the default
/// `numCycles` 0.5: half a cosine wave). Equal to Hugging Face's `get_cosine_schedule_with_warmup`:
///
/// - step < warmupSteps: step / max(1, warmupSteps)
/// - otherwise: progress = (step − warmupSteps) / max(1, totalSteps − warmupSteps),
///   max(0, 0.5 · (1 + cos(π · numCycles · 2 · progress)))
///
/// ```swift
/// let lr = 3e-4 * cosineWithWarmup(step: 250, warmupSteps: 100, totalSteps: 1000)
/// ```
/// Python: `transformers.get_cosine_schedule_with_warmup(optimizer, num_warmup_steps, num_training_steps)`
public func cosineWithWarmup(step: Int, warmupSteps: Int, totalSteps: Int, numCycles: Double = 0.5) -> Double {
    guard step >= 0, warmupSteps >= 0, totalSteps >= warmupSteps else {
        fatalError("cosineWithWarmup: need step >= 0 and 0 <= warmupSteps <= totalSteps, got step \(step), warmupSteps \(warmupSteps), totalSteps \(totalSteps)")
    }
    // BEGIN EXERCISE 2: cosineWithWarmup
    todo("cosineWithWarmup")
    // END EXERCISE 2
}
