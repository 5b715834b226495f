// labrun gradescope-package: a Gradescope autograder (setup.sh + run_autograder + the course) for one lab.

import ArgumentParser
import Foundation
import LabGrader

struct GradescopePackage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradescope-package",
        abstract: "Write a Gradescope autograder for a lab: setup.sh, run_autograder and the course (with solutions and hidden tests).",
        discussion: """
            DIR gets setup.sh (installs the system libraries and Swift, builds labrun in release mode), run_autograder \
            (runs `labrun grade /autograder/submission --lab LAB --results /autograder/results/results.json`) and \
            source/: this course without .git, .build and .labrun. Upload DIR as a zip whose root holds setup.sh \
            (with `zip` installed, DIR.zip is written too). The package holds the solutions and hidden tests: keep it \
            private. Students upload their Labs/LAB/Exercises/*.swift files (or the whole folder).

            run_autograder reads $AUTOGRADER (default /autograder) and $LABRUN (default the labrun setup.sh built), \
            so it can be tried locally.
            """)

    @Option(help: "The lab to grade (a folder of Tests/Graded).")
    var lab: String

    @Option(help: "The new directory to write.")
    var out: String

    @Option(help: "The course root. Default: the nearest ancestor of the current directory with Tests/Graded.")
    var course: String?

    @Option(help: "The Swift toolchain setup.sh installs (a swift.org Linux tarball for Gradescope's Ubuntu 22.04 image).")
    var swiftURL = "https://download.swift.org/swift-6.1.2-release/ubuntu2204/swift-6.1.2-RELEASE/swift-6.1.2-RELEASE-ubuntu22.04.tar.gz"

    func run() throws {
        do {
            let course = try course.map { Course(root: URL(fileURLWithPath: $0)) } ?? Course.locate()
            let labID = try course.resolveLab(lab)
            let dir = URL(fileURLWithPath: out).standardizedFileURL
            let fm = FileManager.default
            if fm.fileExists(atPath: dir.path), !((try? fm.contentsOfDirectory(atPath: dir.path)) ?? []).isEmpty {
                throw GradeError.config("\(dir.path) is not empty; gradescope-package needs a new or empty directory")
            }
            guard !dir.path.hasPrefix(course.root.path + "/") else {
                throw GradeError.config("\(dir.path) is inside the course; write the package elsewhere")
            }
            try copyCourse(course.root, to: dir.appendingPathComponent("source"))
            try write(setupScript, to: dir.appendingPathComponent("setup.sh"))
            try write(runScript(lab: labID), to: dir.appendingPathComponent("run_autograder"))
            print("Gradescope autograder for lab \(labID): \(dir.path) (setup.sh, run_autograder, source/)")
            if let zip = try? resolveZip() {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: zip)
                p.arguments = ["-qr", dir.path + ".zip", "."]
                p.currentDirectoryURL = dir
                try p.run()
                p.waitUntilExit()
                if p.terminationStatus == 0 { print("Upload \(dir.path).zip (it holds the solutions and hidden tests: keep it private).") }
            } else {
                print("Zip its contents (setup.sh at the root of the zip) and upload it; it holds the solutions and hidden tests: keep it private.")
            }
        } catch let e as GradeError {
            FileHandle.standardError.write(Data("error: \(e.description)\n".utf8))
            throw ExitCode(2)
        }
    }

    var setupScript: String {
        """
        #!/usr/bin/env bash
        # Gradescope runs this once when the autograder is built: system libraries, Swift, then labrun in release mode.
        set -euo pipefail
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends libcmark-dev libopenblas-dev pkg-config curl ca-certificates \\
            binutils git gnupg2 libc6-dev libcurl4-openssl-dev libedit2 libgcc-11-dev libpython3-dev libsqlite3-0 \\
            libstdc++-11-dev libxml2-dev libz3-dev tzdata unzip zlib1g-dev >/dev/null
        if ! command -v swift >/dev/null 2>&1; then
            curl -fsSL "\(swiftURL)" -o /tmp/swift.tar.gz
            mkdir -p /opt/swift && tar -xzf /tmp/swift.tar.gz -C /opt/swift --strip-components=1
            ln -sf /opt/swift/usr/bin/* /usr/local/bin/
        fi
        cd /autograder/source
        swift build -c release --product labrun
        swift build -c release --product LabKit
        chmod 700 Solutions Tests/Graded/*/hidden 2>/dev/null || true

        """
    }

    func runScript(lab: String) -> String {
        """
        #!/usr/bin/env bash
        # Gradescope runs this for every submission: grade it and write results/results.json (Gradescope's format).
        set -uo pipefail
        AUTOGRADER="${AUTOGRADER:-/autograder}"
        LABRUN="${LABRUN:-$AUTOGRADER/source/.build/release/labrun}"
        mkdir -p "$AUTOGRADER/results"
        "$LABRUN" grade "$AUTOGRADER/submission" --lab \(shellQuote(lab)) --course "$AUTOGRADER/source" \\
            --results "$AUTOGRADER/results/results.json" --format gradescope
        status=$?
        if [ ! -s "$AUTOGRADER/results/results.json" ]; then
            # The grader itself failed: tell Gradescope (and the student) instead of leaving no results.
            printf '{"score": 0, "output": "The autograder failed (labrun exit status %s); please tell your instructor."}\\n' "$status" \\
                > "$AUTOGRADER/results/results.json"
        fi
        exit 0

        """
    }

    func write(_ text: String, to url: URL) throws {
        try atomicWrite(Data(text.utf8), to: url)
        chmod(url.path, 0o755)
    }

    func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// The course without its build, run state and history.
    func copyCourse(_ src: URL, to dst: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: dst, withIntermediateDirectories: true)
        for n in try fm.contentsOfDirectory(atPath: src.path) where ![".git", ".build", ".labrun", ".swiftpm"].contains(n) && !n.hasPrefix(".build") {
            try fm.copyItem(at: src.appendingPathComponent(n), to: dst.appendingPathComponent(n))
        }
    }

    func resolveZip() throws -> String {
        for d in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let p = "\(d)/zip"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        throw GradeError.config("zip not found")
    }
}
