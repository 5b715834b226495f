// Lab 28, exercise 4: PPO's clipped objective.
import XCTest
import LabKit
@testable import Lab28

final class PPOObjectiveTests: XCTestCase {
    func loss(_ advantage: Float, _ ratio: Float, eps: Float = 0.2) -> (value: Float, grad: Float) {
        let logp = one(Float(log(Double(ratio))), requiresGrad: true)
        let l = ppoClippedLoss(logprobs: logp, oldLogprobs: one(0), advantages: one(advantage), mask: one(1), cliprange: eps)
        l.backward()
        return (l.item(), logp.grad?.item() ?? .nan)
    }

    func testInsideTheRangeIsTheSurrogate() {
        let (v, g) = loss(2, 1.1)
        XCTAssertEqual(v, -2.2, accuracy: 1e-5, "Inside [1−ε, 1+ε] the loss is −A·ρ = −2·1.1 = −2.2; got \(v).")
        XCTAssertEqual(g, -2.2, accuracy: 1e-4, "Inside the range the gradient with respect to logp is −A·ρ = −2.2; got \(g).")
    }

    func testRatioIsClippedForAPositiveAdvantage() {
        let (v, g) = loss(1, 1.5)
        XCTAssertEqual(v, -1.2, accuracy: 1e-5,
                       "A = 1, ρ = 1.5: the objective stops at ρ = 1 + ε, so the loss is max(−1.5, −1.2) = −1.2; got \(v). Is the ratio clipped with clamp(ratio, min: 1 − ε, max: 1 + ε)?")
        XCTAssertEqual(g, 0, accuracy: 1e-6, "Past 1 + ε with a positive advantage the loss must not push ρ further: gradient 0, got \(g).")
    }

    func testRatioIsClippedForANegativeAdvantage() {
        let (v, g) = loss(-1, 0.5)
        XCTAssertEqual(v, 0.8, accuracy: 1e-5,
                       "A = −1, ρ = 0.5: the loss is max(0.5, 0.8) = 0.8 (clipped at 1 − ε); got \(v).")
        XCTAssertEqual(g, 0, accuracy: 1e-6, "Below 1 − ε with a negative advantage the gradient must be 0, got \(g).")
    }

    func testNoClipOnTheOtherSide() {
        // The pessimistic bound: a move that made things worse is never clipped away.
        let (v1, g1) = loss(-1, 1.5)
        XCTAssertEqual(v1, 1.5, accuracy: 1e-5,
                       "A = −1, ρ = 1.5: the loss is max(1.5, 1.2) = 1.5, the unclipped term (take the max of the two losses, i.e. the min of the objectives); got \(v1).")
        XCTAssertEqual(g1, 1.5, accuracy: 1e-4, "Here the gradient must stay −A·ρ = 1.5, got \(g1).")
        let (v2, _) = loss(1, 0.5)
        XCTAssertEqual(v2, -0.5, accuracy: 1e-5, "A = 1, ρ = 0.5: the loss is max(−0.5, −0.8) = −0.5, unclipped; got \(v2).")
    }
}
