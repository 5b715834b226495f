// Lab 27, exercise 2: cosineWithWarmup against Hugging Face's get_cosine_schedule_with_warmup.
import XCTest
import LabKit
@testable import Lab27

final class ScheduleTests: XCTestCase {
    // Hugging Face transformers 5.24.0 (torch 2.13.0), scripts/reference/lab27_hf_cosine_schedule.py: the rate of
    // an SGD optimizer with lr 1.0 under get_cosine_schedule_with_warmup(opt, 3, 17), read before each step 0...18.
    static let hf3of17: [Double] = [0.0, 0.3333333333333333, 0.6666666666666666, 1.0, 0.9874639560909118, 0.9504844339512095,
        0.890915741234015, 0.8117449009293668, 0.716941869558779, 0.6112604669781572, 0.5, 0.38873953302184283,
        0.28305813044122097, 0.18825509907063326, 0.1090842587659851, 0.04951556604879048, 0.01253604390908819, 0.0,
        0.01253604390908819]

    func testStartsAtZero() {
        XCTAssertEqual(cosineWithWarmup(step: 0, warmupSteps: 10, totalSteps: 100), 0, accuracy: 1e-12,
                       "The warm-up starts from 0 (Hugging Face's first step has learning rate 0): step / warmupSteps at step 0.")
    }

    func testWarmupEndsAtThePeak() {
        let atEnd = cosineWithWarmup(step: 10, warmupSteps: 10, totalSteps: 100)
        let before = cosineWithWarmup(step: 9, warmupSteps: 10, totalSteps: 100)
        if abs(before - 1) < 1e-9 {
            XCTFail("The peak is reached one step early (step 9 of a 10-step warm-up gives 1.0): during the warm-up the factor is step / warmupSteps, so step 9 gives 0.9 and the peak 1.0 comes at step 10.")
        }
        XCTAssertEqual(before, 0.9, accuracy: 1e-12, "Step 9 of a 10-step warm-up: 9 / 10 = 0.9, got \(before).")
        XCTAssertEqual(atEnd, 1, accuracy: 1e-12,
                       "At step == warmupSteps the warm-up is over and the cosine starts at its top: the factor must be exactly 1, got \(atEnd).")
    }

    func testMatchesHuggingFace() {
        for (step, expected) in Self.hf3of17.enumerated().prefix(18) {
            let got = cosineWithWarmup(step: step, warmupSteps: 3, totalSteps: 17)
            XCTAssertEqual(got, expected, accuracy: 1e-12,
                           "warmupSteps 3, totalSteps 17, step \(step): Hugging Face's schedule gives \(expected), got \(got). After the warm-up: progress = (step − warmup) / (total − warmup), 0.5 · (1 + cos(π · 2 · numCycles · progress)).")
        }
    }
}
