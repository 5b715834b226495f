// The client-side search index: one document per lab section, shipped as a script (works from file:// too,
// where fetch() of a JSON file is refused), read by site/theme/search.js. No network, no CDN.

import Foundation
import LabRunner

struct SearchDocument: Codable, Equatable {
    /// Title shown in the results: `Lab 30 · Training`.
    var t: String
    /// Relative link: `labs/30.html#sec-training`.
    var u: String
    /// The section's text (prose and code), lower-cased, white space folded, at most 8,000 characters.
    var x: String

    /// The documents of one lab: the text before the first heading, then one per `<h2>`/`<h3>` section.
    static func documents(for lab: Lab, page: String, toc: [(id: String, text: String, level: Int)]) -> [SearchDocument] {
        var docs: [SearchDocument] = []
        var title = "Lab \(lab.frontMatter.slide) · \(lab.frontMatter.title)"
        var link = page
        var text = lab.frontMatter.title
        var headings = toc.makeIterator()
        func flush() {
            let folded = text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
            if !folded.isEmpty { docs.append(SearchDocument(t: title, u: link, x: String(folded.prefix(8000)))) }
            text = ""
        }
        let headingRe = try! NSRegularExpression(pattern: #"<h[23]>(.*?)</h[23]>"#, options: [.dotMatchesLineSeparators])
        for block in lab.blocks {
            switch block {
            case .prose(let html):
                let ns = html as NSString
                var last = 0
                for m in headingRe.matches(in: html, range: NSRange(location: 0, length: ns.length)) {
                    text += " " + stripTagsForIndex(ns.substring(with: NSRange(location: last, length: m.range.location - last)))
                    flush()
                    if let h = headings.next() {
                        title = "Lab \(lab.frontMatter.slide) · \(h.text)"
                        link = page + "#" + h.id
                    }
                    text = stripTagsForIndex(ns.substring(with: m.range(at: 1)))
                    last = m.range.location + m.range.length
                }
                text += " " + stripTagsForIndex(ns.substring(from: last))
            case .cell(let i):
                text += " " + lab.cells[i].shownCode
            }
        }
        flush()
        return docs
    }

    /// `window.LABRUN_SEARCH = [...]`.
    static func script(_ docs: [SearchDocument]) -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? enc.encode(docs)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        // `</script` cannot appear inside a script element; JSON allows `<\/`.
        return "window.LABRUN_SEARCH = " + json.replacingOccurrences(of: "</", with: "<\\/") + ";\n"
    }
}
