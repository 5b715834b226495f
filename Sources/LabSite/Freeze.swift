// Freezing: a lab whose inputs did not change is not run again; its recorded result is reused (Quarto's
// "freeze", keyed by everything the run depends on, data files included).

import Foundation
import LabRunner

/// Everything a lab's run with the solutions depends on, hashed: the lab file, its reference exercises, the
/// compiler and library build, and the contents of the data files its front matter declares.
struct FreezeKey {
    static let version = "site-freeze/1"

    static func compute(lab: Lab, project: Project, toolchain: Toolchain) -> String {
        var h = ContentHash()
        h.update(version)
        h.update(toolchain.fingerprint)
        h.update(lab.contentHash)
        let solutions = project.exercisesDir(lab: lab.name, solutions: true)
        if lab.hasFolder {
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: solutions)) ?? []).sorted() where name.hasSuffix(".swift") {
                h.update(name)
                h.update(file: solutions + "/" + name)
            }
        }
        for f in lab.frontMatter.data {
            h.update("data:" + f)
            h.update(file: project.dataDir + "/" + f)
        }
        return h.hex
    }
}

/// A frozen run: `.labrun/site/frozen/<lab>.json`.
struct FrozenRun: Codable {
    var key: String
    var result: LabRunResult

    static func path(_ project: Project, _ lab: String) -> String { project.stateDir + "/site/frozen/\(lab).json" }

    static func load(_ project: Project, lab: String) -> FrozenRun? {
        guard let d = FileManager.default.contents(atPath: path(project, lab)) else { return nil }
        let dec = JSONDecoder()
        dec.dateDecodingStrategy = .iso8601
        return try? dec.decode(FrozenRun.self, from: d)
    }

    func save(_ project: Project, lab: String) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        enc.dateEncodingStrategy = .iso8601
        try writeAtomically(try enc.encode(self), to: FrozenRun.path(project, lab))
    }
}
