// "exercise 1a (SelfAttention.forward) is not written yet: open Labs/30/Exercises/SelfAttention.swift": what a
// student sees when a cell reaches a stub, instead of "crashed (SIGILL)".

import Foundation
import Yams

/// An exercise a cell called before the student wrote it: the stub's `todo("NAME")` trapped with
/// `Lab30/SelfAttention.swift:12: Fatal error: not implemented: SelfAttention.forward`.
///
/// ```swift
/// let u = UnwrittenExercise.find(in: stderr, lab: lab, project: project)
/// u?.message   // "exercise 1a (SelfAttention.forward) is not written yet: open Labs/30/Exercises/SelfAttention.swift"
/// ```
/// PyTorch equivalent: the `NotImplementedError("SelfAttention.forward")` a notebook stub raises.
public struct UnwrittenExercise: Equatable, Sendable {
    /// The region name given to `todo`, e.g. `SelfAttention.forward`.
    public var region: String
    /// The stub file to open, relative to the project root when inside it.
    public var file: String?
    /// The exercise id and title from `Tests/Graded/<lab>/grading.yml` `exercises:`, when declared.
    public var exerciseID: String?
    public var exerciseTitle: String?

    /// The stub the cell actually stopped in, when the lab asks for `region` first (e.g. the block calls
    /// `TransformerBlock.forward` before the student got to `SelfAttention.forward`).
    public var stoppedIn: String?

    public var message: String { message(calledAt: nil) }

    /// The message, with the lab line that called the stub when known.
    public func message(calledAt line: Int?) -> String {
        var what = "exercise "
        if let id = exerciseID {
            what += "\(id) (\(region))"
            if let t = exerciseTitle, t != region, !region.hasPrefix(t) { what += " \"\(t)\"" }
        } else {
            what += region
        }
        what += " is not written yet" + (file.map { ": open \($0)" } ?? "")
        if let s = stoppedIn {
            what += " (\(line.map { "line \($0)" } ?? "this cell") calls \(s), not written yet either)"
        } else if let line {
            what += " (called at line \(line))"
        }
        return what
    }

    /// For the last `not implemented: NAME` trap in `stderr`: the first exercise the lab asks for that is still a
    /// stub (the order of `exercises:` in Tests/Graded/<lab>/grading.yml, else the order the lab's text first names
    /// them), with its file and declared id.
    public static func find(in stderr: String, lab: Lab, project: Project) -> UnwrittenExercise? {
        let re = try! NSRegularExpression(pattern: #"(?:([A-Za-z_]\w*)/([^/:\s]+\.swift):\d+: )?Fatal error: not implemented: ([A-Za-z_][\w.]*)"#)
        let ns = stderr as NSString
        guard let m = re.matches(in: stderr, range: NSRange(location: 0, length: ns.length)).last else { return nil }
        func group(_ i: Int) -> String? { m.range(at: i).location == NSNotFound ? nil : ns.substring(with: m.range(at: i)) }
        let trapped = group(3)!
        let dir = project.exercisesDir(lab: lab.name, solutions: false)
        let pending = pendingStubs(in: dir)                       // region -> file name
        let declared = exercises(lab: lab.name, project: project)
        var order: [String]
        if !declared.isEmpty {
            order = declared.flatMap(\.regions)
        } else {
            // The first time the lab's text names each one in code: `SelfAttention.forward` or `getBatch(`.
            let text = (try? String(contentsOfFile: lab.path, encoding: .utf8)) ?? ""
            let mentioned = pending.keys.compactMap { name -> (String, String.Index)? in
                let escaped = NSRegularExpression.escapedPattern(for: name)
                return text.range(of: "`" + escaped + "[`(]", options: .regularExpression).map { (name, $0.lowerBound) }
            }
            order = mentioned.sorted { $0.1 < $1.1 }.map(\.0)
        }
        let region = order.first { pending[$0] != nil } ?? trapped
        var u = UnwrittenExercise(region: region)
        if let name = pending[region] {
            u.file = project.displayPath(dir + "/" + name)
        } else if let module = group(1), let name = group(2), module == lab.moduleName {
            u.file = project.displayPath(dir + "/" + name)
        }
        if let ex = declared.first(where: { $0.regions.contains(region) }) {
            u.exerciseID = ex.id
            u.exerciseTitle = ex.title
        }
        if region != trapped {
            let ex = declared.first { $0.regions.contains(trapped) }
            u.stoppedIn = trapped + (ex.map { ", exercise \($0.id)" } ?? "")
        }
        return u
    }

    /// `todo("NAME")` calls left in the student's exercise files: region name → file name.
    static func pendingStubs(in dir: String) -> [String: String] {
        let re = try! NSRegularExpression(pattern: #"\btodo\(\s*"([^"]+)"\s*\)"#)
        var out: [String: String] = [:]
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".swift") }.sorted()
        for f in files {
            guard let text = try? String(contentsOfFile: dir + "/" + f, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).hasPrefix("//") {
                let l = String(line), ns = l as NSString
                for m in re.matches(in: l, range: NSRange(location: 0, length: ns.length)) where out[ns.substring(with: m.range(at: 1))] == nil {
                    out[ns.substring(with: m.range(at: 1))] = f
                }
            }
        }
        return out
    }

    /// `exercises:` of the lab's grading.yml (id, title, regions), or none.
    static func exercises(lab: String, project: Project) -> [(id: String, title: String?, regions: [String])] {
        guard let text = try? String(contentsOfFile: project.gradedDir(lab: lab) + "/grading.yml", encoding: .utf8),
              let root = (try? Yams.load(yaml: text)) as? [String: Any],
              let list = root["exercises"] as? [[String: Any]] else { return [] }
        return list.compactMap { e in
            guard let id = e["id"].map({ "\($0)" }) else { return nil }
            let regions = (e["regions"] as? [Any])?.map { "\($0)" } ?? []
            return (id, e["title"].map { "\($0)" }, regions)
        }
    }
}
