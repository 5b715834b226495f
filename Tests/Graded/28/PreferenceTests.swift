// Lab 28, exercise 3: the Bradley-Terry loss.
import XCTest
import LabKit
@testable import Lab28

final class PreferenceTests: XCTestCase {
    func testEqualRewardsGiveLog2() {
        let loss = preferenceLoss(chosen: Tensor([0.3, -1]), rejected: Tensor([0.3, -1]))
        XCTAssertEqual(loss.item(), Float(log(2.0)), accuracy: 1e-5,
                       "When chosen and rejected get the same reward, -log σ(0) = log 2 = 0.6931; got \(loss.item()).")
    }

    func testRewardSign() {
        let good = preferenceLoss(chosen: Tensor([2]), rejected: Tensor([0])).item()
        let bad = preferenceLoss(chosen: Tensor([0]), rejected: Tensor([2])).item()
        XCTAssertLessThan(good, bad,
                          "The loss must be small when the chosen answer has the higher reward: -log σ(r_chosen − r_rejected), not r_rejected − r_chosen. Got \(good) for a correct ranking and \(bad) for a wrong one.")
        XCTAssertEqual(good, Float(log(1 + exp(-2.0))), accuracy: 1e-5, "-log σ(2) = log(1 + e^-2) = 0.1269; got \(good).")
    }

    func testMeanOverPairsAndGradient() {
        let c = Tensor([1, 0], requiresGrad: true), r = Tensor([0, 1], requiresGrad: true)
        let loss = preferenceLoss(chosen: c, rejected: r)
        XCTAssertEqual(loss.item(), Float((log(1 + exp(-1.0)) + log(1 + exp(1.0))) / 2), accuracy: 1e-5,
                       "The loss is the MEAN over pairs of -log σ(r_chosen − r_rejected).")
        loss.backward()
        XCTAssertNotNil(c.grad, "Build the loss from tensor operations so the rewards get a gradient.")
        if let g = c.grad { XCTAssertLessThan(g.scalars[0], 0, "Raising r_chosen must lower the loss.") }
    }
}
