// swift-tools-version:6.0
import PackageDescription

// Kernels are hot in every configuration (tests train small models too), so the numeric targets are
// always optimised (-O, not -Ounchecked: preconditions on shapes must still fire); `haswell` gives AVX2+FMA SIMD on any x86-64 from 2013 on (see ../shared/notes/tensor-library.md §2.5).
let fast: [SwiftSetting] = [
    .unsafeFlags(["-O", "-enforce-exclusivity=unchecked", "-target-cpu", "haswell"])
]

let package = Package(
    name: "labrun",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "labrun", targets: ["labrun"]),
        // The library lab cells and exercises link against: built once, as a shared library.
        .library(name: "LabKit", type: .dynamic, targets: ["LabKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.0"),
        // The grader parses submissions' exercise regions to check them against an allowlist.
        .package(url: "https://github.com/swiftlang/swift-syntax", from: "602.0.0"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV", from: "0.10.0"),
    ],
    targets: [
        // System libraries (Debian: libopenblas-dev, libcmark-dev).
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "Ccmark", pkgConfig: "libcmark", providers: [.apt(["libcmark-dev"])]),

        // The library: tensors + autograd, nn + optim + checkpoints, text + metrics, rich display.
        .target(name: "LabTensor", dependencies: ["CBLAS"], swiftSettings: fast),
        .target(name: "LabNN", dependencies: ["LabTensor"], swiftSettings: fast),
        .target(name: "LabText", dependencies: ["LabTensor", "LabNN", "LabDisplay",
                                                .product(name: "Crypto", package: "swift-crypto")], swiftSettings: fast),
        .target(name: "LabDisplay"),
        // Trained course models (a cache under .labrun/models, trained once when missing).
        .target(name: "LabZoo", dependencies: ["LabTensor", "LabNN", "LabText", "LabDisplay"], swiftSettings: fast),
        .target(name: "LabKit", dependencies: ["LabTensor", "LabNN", "LabText", "LabDisplay", "LabZoo"]),

        // The tools: child processes, the lab runner, the grader, the CLI.
        .target(name: "CLabContain"),   // clone/mount/setuid between fork and exec (C: no Swift runtime in the child)
        .target(name: "LabProcess", dependencies: ["CLabContain"]),
        .target(name: "LabRunner", dependencies: ["Ccmark", "LabProcess", "LabDisplay",
                                                  .product(name: "Yams", package: "Yams")],
                // Resources/report.css links to site/theme/report.css: the report and the site share one stylesheet.
                resources: [.embedInCode("Resources/report.css")]),
        .target(name: "LabGrader", dependencies: ["LabProcess", "LabRunner", "LabText", "LabDisplay",
                                                  .product(name: "Yams", package: "Yams"),
                                                  .product(name: "GRDB", package: "GRDB.swift"),
                                                  .product(name: "SwiftParser", package: "swift-syntax"),
                                                  .product(name: "SwiftSyntax", package: "swift-syntax"),
                                                  .product(name: "SwiftCSV", package: "SwiftCSV")]),
        // The course site: executed labs, dashboards, grades (templates in site/theme/).
        .target(name: "LabSite", dependencies: ["LabRunner", "LabGrader", "LabDisplay",
                                                .product(name: "Mustache", package: "swift-mustache")]),
        .executableTarget(name: "labrun", dependencies: [
            "LabRunner", "LabGrader", "LabText", "LabSite",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Benchmarks (printed figures, never timed tests).
        .executableTarget(name: "tokenizer-bench", dependencies: ["LabText"], path: "Benchmarks/TokenizerBench",
                          swiftSettings: fast),
        .executableTarget(name: "zoo-bench", dependencies: ["LabZoo"], path: "Benchmarks/ZooBench",
                          swiftSettings: fast),
        .executableTarget(name: "kernel-bench", dependencies: ["LabTensor"], path: "Benchmarks/KernelBench",
                          swiftSettings: fast),
        .executableTarget(name: "finetune-bench", dependencies: ["LabNN", "LabTensor"], path: "Benchmarks/FinetuneBench",
                          swiftSettings: fast),

        .testTarget(name: "LabTensorTests", dependencies: ["LabTensor"]),
        .testTarget(name: "LabNNTests", dependencies: ["LabNN"], resources: [.copy("Fixtures")]),
        .testTarget(name: "LabTextTests", dependencies: ["LabText"], resources: [.copy("Fixtures")]),
        .testTarget(name: "LabZooTests", dependencies: ["LabZoo", "LabNN", "LabTensor", "LabText"]),
        .testTarget(name: "LabRunnerTests", dependencies: ["LabRunner"]),
    ],
    swiftLanguageModes: [.v5]
)

// BEGIN INSTRUCTOR
// Course-only targets: they need Solutions/ (lab 30's reference attention, the grader's fixture course) and are
// left out of the students' hand-out (`labrun release --out`), whose Package.swift is this file without this region.
package.targets += [
    .executableTarget(name: "train-bench", dependencies: ["LabKit"], path: "Benchmarks/TrainBench",
                      swiftSettings: fast),
    .testTarget(name: "LabGraderTests", dependencies: ["LabGrader"], exclude: ["Fixtures"]),
    .testTarget(name: "EndToEndTests", dependencies: ["LabProcess"], exclude: ["Fixtures"]),
]
// END INSTRUCTOR
