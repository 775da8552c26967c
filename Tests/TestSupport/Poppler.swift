import Foundation

/// Poppler's command-line tools (Debian `poppler-utils`), to look at a PDF as a reader's
/// software does: its pages, its fonts, its text, its pixels.
public enum Poppler {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let result = try runProcess(URL(fileURLWithPath: "/usr/bin/\(tool)"), arguments, timeout: 120)
        guard result.status == 0 else { throw Failure(description: "\(tool) \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)") }
        return result.stdout
    }

    /// Whether the tools are installed (tools/install-deps installs them).
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/pdftotext") }

    /// `pdfinfo`: the number of pages and the first page's size in points.
    public static func info(_ path: String) throws -> (pages: Int, width: Double, height: Double) {
        let text = try run("pdfinfo", [path])
        var pages = 0, width = 0.0, height = 0.0
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            if line.hasPrefix("Pages:"), let n = words.last.flatMap({ Int($0) }) { pages = n }
            if line.hasPrefix("Page size:"), words.count >= 5 { width = Double(words[2]) ?? 0; height = Double(words[4]) ?? 0 }
        }
        return (pages, width, height)
    }

    /// `pdffonts`: each font's name and whether it is embedded.
    public static func fonts(_ path: String) throws -> [(name: String, embedded: Bool)] {
        try run("pdffonts", [path]).split(separator: "\n").dropFirst(2).map { line in
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            // name type... encoding emb sub uni object ID: emb is the fifth field from the end.
            return (String(words.first ?? ""), words.count >= 6 && words[words.count - 5] == "yes")
        }
    }

    /// `pdftotext`: the text of the pages `first`...`last` (all when nil).
    public static func text(_ path: String, first: Int? = nil, last: Int? = nil) throws -> String {
        var arguments: [String] = []
        if let first { arguments += ["-f", "\(first)"] }
        if let last { arguments += ["-l", "\(last)"] }
        return try run("pdftotext", arguments + [path, "-"])
    }

    /// `pdftoppm`: page `page` in grey at `dpi`; the share of its pixels that are not white.
    public static func inkedShare(_ path: String, page: Int = 1, dpi: Int = 30) throws -> Double {
        let directory = try TemporaryDirectory()
        _ = try run("pdftoppm", ["-r", "\(dpi)", "-gray", "-singlefile", "-f", "\(page)", "-l", "\(page)", path, directory.path("page")])
        return try PNMImage(Data(contentsOf: directory.url("page.pgm"))).inkedShare
    }
}
