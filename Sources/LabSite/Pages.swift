// The pages of the course site: home, one page per lab (with its training dashboard), the labs' sources with
// line anchors, the search index, and the grades pages when a gradebook is given.

import Foundation
import LabDisplay
import LabRunner

struct SitePages {
    let project: Project
    let theme: Theme
    let labs: [SiteLab]
    let options: SiteOptions

    static func pageName(_ lab: Lab) -> String { "labs/\(slug(lab.name)).html" }
    static func sourceName(_ lab: Lab) -> String { "src/\(slug(lab.name)).html" }

    /// Writes every page into a fresh folder, then puts it in place of `options.output`. Returns the page count.
    func write() throws -> Int {
        let out = absolutePath(options.output)
        let tmp = out + ".tmp-\(getpid())"
        try? FileManager.default.removeItem(atPath: tmp)
        var files: [String: Data] = [:]
        let nav = labs.map { ["href": Self.pageName($0.lab), "label": "\($0.lab.frontMatter.slide)", "title": $0.lab.frontMatter.title] as [String: Any] }
        var gradesNav = nav
        let grades = try options.gradebook.map { try GradesPages(path: $0, project: project, pseudonyms: options.pseudonyms) }
        if grades != nil { gradesNav.append(["href": "grades.html", "label": "Grades", "title": "Grades"]) }

        files["index.html"] = Data(home(nav: gradesNav).utf8)
        var index: [SearchDocument] = []
        for (i, l) in labs.enumerated() {
            let (html, docs) = labPage(i, nav: gradesNav)
            files[Self.pageName(l.lab)] = Data(html.utf8)
            files[Self.sourceName(l.lab)] = Data(sourcePage(l.lab, nav: gradesNav).utf8)
            index += docs
        }
        if let grades {
            files["grades.html"] = Data(theme.page("grades", title: "Grades", root: "", context: try grades.context(), nav: gradesNav).utf8)
            files["grades-summary.html"] = Data(theme.page("summary", title: "Grades summary", root: "", context: try grades.context(), nav: gradesNav).utf8)
        }
        files["assets/search-index.js"] = Data(SearchDocument.script(index).utf8)
        for a in Theme.assets { files["assets/\(a)"] = try theme.asset(a) }

        for (name, data) in files {
            let path = tmp + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: path, contents: data) else { throw LabError(path, "cannot write") }
        }
        if FileManager.default.fileExists(atPath: out) { try FileManager.default.removeItem(atPath: out) }
        try FileManager.default.createDirectory(atPath: (out as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard rename(tmp, out) == 0 else { throw LabError(out, "cannot move the new site into place: \(String(cString: strerror(errno)))") }
        return files.keys.filter { $0.hasSuffix(".html") }.count
    }

    // MARK: Home

    func home(nav: [[String: Any]]) -> String {
        let rows: [[String: Any]] = labs.map { l in
            let r = l.result
            return [
                "slide": l.lab.frontMatter.slide, "title": l.lab.frontMatter.title, "href": Self.pageName(l.lab),
                "passed": r.passed, "status": r.passed ? "passed" : "failed",
                "when": Self.date(r.facts.date), "seconds": Self.duration(r.facts.compileSeconds + r.facts.runSeconds),
                "figures": r.figures.prefix(3).map { ["name": $0.name, "value": $0.shown, "unit": $0.unit] },
                "error": r.error ?? r.cells.first(where: { $0.status == .failed })?.message ?? "",
            ]
        }
        let failed = labs.filter { !$0.result.passed }.count
        return theme.page("index", title: "Generative AI for Business: the labs", root: "",
                          context: ["labs": rows, "count": labs.count, "failed": failed, "anyFailed": failed > 0], nav: nav)
    }

    // MARK: Lab pages

    func labPage(_ i: Int, nav: [[String: Any]]) -> (String, [SearchDocument]) {
        let l = labs[i]
        let source = "../" + Self.sourceName(l.lab)
        var report = HTMLReport(lab: l.lab, result: l.result)
        report.sourceLink = { "\(source)#L\($0)" }
        let (body, toc) = Self.anchorHeadings(report.body())
        var context: [String: Any] = [
            "slide": l.lab.frontMatter.slide, "title": l.lab.frontMatter.title, "body": body,
            "toc": toc.map { ["id": $0.id, "text": $0.text, "level": $0.level, "sub": $0.level > 2] },
            "source": source, "reused": l.reused, "passed": l.result.passed,
        ]
        if i > 0 { context["prev"] = ["href": "../" + Self.pageName(labs[i - 1].lab), "title": labs[i - 1].lab.frontMatter.title] }
        if i + 1 < labs.count { context["next"] = ["href": "../" + Self.pageName(labs[i + 1].lab), "title": labs[i + 1].lab.frontMatter.title] }
        if let dash = dashboard(l.result) { context["dashboard"] = dash }
        let html = theme.page("lab", title: "Lab \(l.lab.frontMatter.slide) · \(l.lab.frontMatter.title)", root: "../",
                              context: context, nav: nav)
        return (html, SearchDocument.documents(for: l.lab, page: Self.pageName(l.lab), toc: toc))
    }

    /// Loss and learning-rate curves, final figures and samples of a run that recorded them.
    func dashboard(_ r: LabRunResult) -> [String: Any]? {
        let series = r.cells.flatMap(\.series)
        let texts = r.cells.flatMap(\.texts)
        guard !series.isEmpty || !texts.isEmpty || !r.figures.isEmpty else { return nil }
        let isRate = { (s: Series) in s.name.lowercased().contains("lr") || s.name.lowercased().contains("learning") }
        var plots: [String] = []
        let losses = series.filter { !isRate($0) }, rates = series.filter(isRate)
        if !losses.isEmpty {
            plots.append(LinePlot(title: "Training curves", xLabel: "step", yLabel: "",
                                  series: losses.map { .init(name: $0.name, x: $0.x, y: $0.y) }).html)
        }
        if !rates.isEmpty {
            plots.append(LinePlot(title: "Learning rate", xLabel: "step", yLabel: "lr",
                                  series: rates.map { .init(name: $0.name, x: $0.x, y: $0.y) }).html)
        }
        return ["plots": plots,
                "figures": r.figures.map { ["name": $0.name, "value": $0.shown, "unit": $0.unit] },
                "hasFigures": !r.figures.isEmpty,
                "texts": texts.map { ["name": $0.name, "text": $0.text] }]
    }

    /// Adds an `id` to every `<h2>`/`<h3>` of the prose and returns the table of contents.
    static func anchorHeadings(_ html: String) -> (String, [(id: String, text: String, level: Int)]) {
        let re = try! NSRegularExpression(pattern: #"<h([23])>(.*?)</h\1>"#, options: [.dotMatchesLineSeparators])
        let ns = html as NSString
        var out = ""
        var toc: [(id: String, text: String, level: Int)] = []
        var used: [String: Int] = [:]
        var last = 0
        for m in re.matches(in: html, range: NSRange(location: 0, length: ns.length)) {
            let level = Int(ns.substring(with: m.range(at: 1)))!
            let inner = ns.substring(with: m.range(at: 2))
            let text = stripTagsForIndex(inner)
            var id = "sec-" + slug(text)
            if let n = used[id] { used[id] = n + 1; id += "-\(n + 1)" } else { used[id] = 1 }
            out += ns.substring(with: NSRange(location: last, length: m.range.location - last))
            out += "<h\(level) id=\"\(id)\">\(inner) <a class=\"anchor\" href=\"#\(id)\" aria-label=\"link to this section\">#</a></h\(level)>"
            last = m.range.location + m.range.length
            toc.append((id, text, level))
        }
        out += ns.substring(from: last)
        return (out, toc)
    }

    // MARK: Sources

    func sourcePage(_ lab: Lab, nav: [[String: Any]]) -> String {
        let text = (try? String(contentsOfFile: lab.path, encoding: .utf8)) ?? ""
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        let rows = lines.enumerated().map { ["n": $0.offset + 1, "text": $0.element] as [String: Any] }
        return theme.page("source", title: "Source of lab \(lab.frontMatter.slide)", root: "../",
                          context: ["path": project.displayPath(lab.path), "lines": rows, "page": "../" + Self.pageName(lab),
                                    "title": lab.frontMatter.title],
                          nav: nav)
    }

    // MARK: Formatting

    static func date(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return f.string(from: d)
    }

    static func duration(_ s: Double) -> String {
        s < 60 ? String(format: "%.1f s", s) : String(format: "%d min %02d s", Int(s) / 60, Int(s) % 60)
    }
}

/// `Lab 30: Building a mini GPT` → `lab-30-building-a-mini-gpt`.
func slug(_ s: String) -> String {
    var out = ""
    for ch in s.lowercased() {
        if ch.isLetter || ch.isNumber { out.append(ch) } else if !out.hasSuffix("-") { out.append("-") }
    }
    while out.hasSuffix("-") { out.removeLast() }
    return out.isEmpty ? "x" : out
}

/// Text of an HTML fragment: tags dropped, the common entities decoded.
func stripTagsForIndex(_ html: String) -> String {
    var out = ""
    var inTag = false
    for ch in html {
        if ch == "<" { inTag = true } else if ch == ">" { inTag = false; out.append(" ") } else if !inTag { out.append(ch) }
    }
    for (e, c) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
        out = out.replacingOccurrences(of: e, with: c)
    }
    return out.split(whereSeparator: \.isWhitespace).joined(separator: " ")
}
