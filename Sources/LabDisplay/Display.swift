// display(...): rich outputs from lab cells.
//
// Under `labrun` (env `LABRUN_EVENTS` names a file) each call appends one framed record to that file; the runner
// attaches it to the running cell and embeds it in the HTML report. Anywhere else (a plain program, a test) it
// prints a readable text version to stdout.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Something `display(_:)` can show: an HTML fragment for the report and a text version for the terminal.
public protocol Displayable {
    /// A self-contained HTML fragment (inline SVG, a `<table>`, ...) with no external references.
    var html: String { get }
    /// A plain-text version for terminals and logs.
    var text: String { get }
}

/// Shows a table, plot, SVG or HTML fragment under the current lab cell.
///
/// ```swift
/// display(Table(headers: ["step", "loss"], rows: [["0", "4.17"], ["100", "2.31"]]))
/// display(LinePlot(title: "loss", series: [.init(name: "train", y: losses)]))
/// ```
/// Jupyter equivalent: `IPython.display.display(obj)`.
public func display(_ item: Displayable) {
    if let channel = LabChannel.shared {
        channel.write(kind: "display", parts: [item.html, item.text])
    } else {
        print(item.text)
    }
}

/// Shows several items in order (`display(a, b)` = `display(a); display(b)`).
public func display(_ items: Displayable...) {
    for item in items { display(item) }
}

/// Raw HTML shown as is (it must be self-contained: no scripts or styles from a CDN).
public struct HTML: Displayable {
    public var html: String
    public init(_ html: String) { self.html = html }
    public var text: String { stripTags(html) }
}

/// A raw SVG image (`<svg ...>...</svg>`).
public struct SVG: Displayable {
    public var svg: String
    public init(_ svg: String) { self.svg = svg }
    public var html: String { "<figure class=\"lab-plot\">\(svg)</figure>" }
    public var text: String { "[SVG image, \(svg.utf8.count) bytes]" }
}

/// Removes tags and decodes the five XML entities: the text fallback for raw HTML.
func stripTags(_ html: String) -> String {
    var out = ""
    var inTag = false
    for ch in html {
        if ch == "<" { inTag = true } else if ch == ">" { inTag = false } else if !inTag { out.append(ch) }
    }
    return out.replacingAll("&lt;", "<").replacingAll("&gt;", ">").replacingAll("&quot;", "\"")
        .replacingAll("&#39;", "'").replacingAll("&amp;", "&")
}

/// Escapes `& < > " '` for HTML/SVG text and attribute values.
public func escapeHTML(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for ch in s.unicodeScalars {
        switch ch {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.unicodeScalars.append(ch)
        }
    }
    return out
}

extension String {
    func replacingAll(_ a: String, _ b: String) -> String {
        guard !a.isEmpty, contains(a) else { return self }
        var out = ""
        var rest = self[...]
        while let r = rest.range(of: a) {
            out += rest[..<r.lowerBound]
            out += b
            rest = rest[r.upperBound...]
        }
        out += rest
        return out
    }
}

extension Substring {
    func range(of needle: String) -> Range<Index>? {
        guard let first = needle.first else { return nil }
        var i = startIndex
        while i < endIndex {
            if self[i] == first, self[i...].hasPrefix(needle) {
                return i..<index(i, offsetBy: needle.count)
            }
            i = index(after: i)
        }
        return nil
    }
}
