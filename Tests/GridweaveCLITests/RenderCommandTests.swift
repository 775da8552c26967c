import Foundation
import Testing
import TestSupport

/// `gridweave render` as a user runs it.
@Suite(.timeLimit(.minutes(10))) struct RenderCommandTests {
    @Test func rendersSVGAndPNG() throws {
        let directory = try TemporaryDirectory()
        try handDrawnGrids(to: directory.path("grids.gpkg"), gapAfterFirst: false)
        let svg = try runGridweave(["render", directory.path("grids.gpkg"), "-o", directory.path("map.svg")])
        #expect(svg.status == 0, "\(svg.stderr)")
        let text = try String(contentsOfFile: directory.path("map.svg"), encoding: .utf8)
        #expect(text.hasPrefix("<?xml") && text.hasSuffix("</svg>\n"))
        #expect(text.contains(">001</text>"))

        let png = try runGridweave(["render", directory.path("grids.gpkg"), "-o", directory.path("map.png"), "--width", "600"])
        #expect(png.status == 0, "\(png.stderr)")
        let bytes = [UInt8](try Data(contentsOf: directory.url("map.png")))
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        // IHDR width: the map plus the legend.
        let width = Int(bytes[16]) << 24 | Int(bytes[17]) << 16 | Int(bytes[18]) << 8 | Int(bytes[19])
        #expect(width == 900)
    }

    @Test func badOutputOrInputExitsOne() throws {
        let directory = try TemporaryDirectory()
        try handDrawnGrids(to: directory.path("grids.gpkg"), gapAfterFirst: false)
        let jpeg = try runGridweave(["render", directory.path("grids.gpkg"), "-o", directory.path("map.jpg")])
        #expect(jpeg.status == 1)
        #expect(jpeg.stderr.hasPrefix("error: "))
        #expect(!FileManager.default.fileExists(atPath: directory.path("map.jpg")))
        let missing = try runGridweave(["render", directory.path("none.gpkg"), "-o", directory.path("map.svg")])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("error: "), "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path("map.svg")))
    }
}
