import ArgumentParser
import Foundation
import LabRunner

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the labs in Labs/ with slide number, title and the result of the last run.")

    func run() throws {
        reportingErrors {
            let project = Project.current()
            let files = project.labFiles()
            guard !files.isEmpty else { fail("no labs in \(project.labsDir)", code: 1) }
            var rows: [[String]] = []
            for path in files {
                do {
                    let lab = try Lab.load(path: path)
                    var last = "not run"
                    if let r = LabRunResult.load(name: lab.name, in: project.resultsDir) {
                        let date = ISO8601DateFormatter.string(from: r.facts.date, timeZone: .current, formatOptions: [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime])
                        last = "\(r.passed ? "pass" : "FAIL") (\(r.summary); \(date)\(r.facts.exercises == "solutions" ? ", solutions" : ""))"
                    }
                    rows.append([String(lab.frontMatter.slide), lab.frontMatter.title, project.displayPath(path), last])
                } catch {
                    rows.append(["?", "\(error)", project.displayPath(path), ""])
                }
            }
            rows.sort { (Int($0[0]) ?? .max, $0[2]) < (Int($1[0]) ?? .max, $1[2]) }
            print(Table(headers: ["slide", "title", "file", "last run"], rows: rows).text)
        }
    }
}

import LabDisplay
