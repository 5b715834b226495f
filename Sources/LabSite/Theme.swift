// The site's look: Mustache templates and stylesheets in site/theme/, editable without touching Swift.

import Foundation
import LabRunner
import Mustache

/// `site/theme/`: `layout.mustache` (the page around every page), `index.mustache`, `lab.mustache`,
/// `source.mustache`, `grades.mustache`, `summary.mustache`, and the assets `site.css`, `report.css`, `search.js`.
struct Theme {
    let dir: String
    let library: MustacheLibrary
    static let templates = ["layout", "index", "lab", "source", "grades", "summary"]
    static let assets = ["site.css", "report.css", "search.js"]

    static func load(from dir: String) throws -> Theme {
        var library = MustacheLibrary()
        for name in templates {
            let path = dir + "/\(name).mustache"
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw LabError(path, "the site theme has no \(name).mustache (site/theme/ holds the site's templates)")
            }
            do { try library.register(text, named: name) } catch {
                throw LabError(path, "this template does not parse: \(error)")
            }
        }
        for a in assets where !FileManager.default.fileExists(atPath: dir + "/" + a) {
            throw LabError(dir + "/" + a, "the site theme has no \(a)")
        }
        return Theme(dir: dir, library: library)
    }

    /// `template` rendered with `context`, inside `layout`.
    func page(_ template: String, title: String, root: String, context: [String: Any], nav: [[String: Any]]) -> String {
        let content = library.render(context, withTemplate: template) ?? ""
        return library.render(["title": title, "root": root, "content": content, "nav": nav], withTemplate: "layout") ?? ""
    }

    func asset(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))
    }
}
