// Shared helpers for subcommands: finding a lab by slide number or path, one-line errors.

import ArgumentParser
import Foundation
import LabRunner

/// Prints `error: <message>` to stderr and exits with `code` (no backtrace).
func fail(_ message: String, code: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    Foundation.exit(code)
}

/// Runs `body`, turning bad-input errors into one-line messages and exit code 2.
func reportingErrors<T>(_ body: () throws -> T) -> T {
    do {
        return try body()
    } catch let e as LabError {
        fail(e.description)
    } catch let e as ExitCode {
        Foundation.exit(e.rawValue)
    } catch {
        fail("\(error)")
    }
}

/// A lab named by slide number (looked up in Labs/) or by path.
func resolveLab(_ spec: String, project: Project) throws -> Lab {
    if let slide = Int(spec), !FileManager.default.fileExists(atPath: spec) {
        var matches: [Lab] = []
        for path in project.labFiles() {
            if let lab = try? Lab.load(path: path), lab.frontMatter.slide == slide { matches.append(lab) }
        }
        guard let lab = matches.first else {
            throw LabError(project.labsDir, "no lab for slide \(slide) (see `labrun list`)")
        }
        guard matches.count == 1 else {
            throw LabError(project.labsDir, "slide \(slide) has \(matches.count) labs: \(matches.map(\.path).joined(separator: ", ")); give a path")
        }
        return lab
    }
    return try Lab.load(path: spec)
}

/// `name=value` pairs from `--set`.
func parseSettings(_ sets: [String]) throws -> [(name: String, value: String)] {
    try sets.map { s in
        guard let eq = s.firstIndex(of: "="), eq != s.startIndex else {
            throw LabError("--set", "expected NAME=VALUE, got '\(s)'")
        }
        return (String(s[..<eq]), String(s[s.index(after: eq)...]))
    }
}
