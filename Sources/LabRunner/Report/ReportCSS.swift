// The report stylesheet, embedded at build time from site/theme/report.css (the one copy: the course site links
// the same file), so every report is one self-contained file.

public enum ReportCSS {
    public static let css = String(decoding: PackageResources.report_css, as: UTF8.self)
}
