import FeatureIO
import Foundation
import Testing
import TestSupport
#if canImport(FoundationXML)
import FoundationXML
#endif

/// `gridweave render` as a user runs it.
@Suite(.timeLimit(.minutes(10))) struct RenderCommandTests {
    @Test func rendersSVGAndPNG() async throws {
        let directory = try TemporaryDirectory()
        try handDrawnGrids(to: directory.path("grids.gpkg"), gapAfterFirst: false)
        let svg = try await blocking { try runGridweave(["render", directory.path("grids.gpkg"), "-o", directory.path("map.svg")]) }
        #expect(svg.status == 0, "\(svg.stderr)")
        let parser = XMLParser(data: try Data(contentsOf: directory.url("map.svg")))
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")

        let png = try await blocking {
            try runGridweave(["render", directory.path("grids.gpkg"), "-o", directory.path("map.png"), "--width", "600"])
        }
        #expect(png.status == 0, "\(png.stderr)")
        let bytes = [UInt8](try Data(contentsOf: directory.url("map.png")))
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        // IHDR width: the map plus the legend.
        let width = Int(bytes[16]) << 24 | Int(bytes[17]) << 16 | Int(bytes[18]) << 8 | Int(bytes[19])
        #expect(width == 920)
    }

    @Test func badOutputOrInputExitsOne() async throws {
        let directory = try TemporaryDirectory()
        try handDrawnGrids(to: directory.path("grids.gpkg"), gapAfterFirst: false)
        let grids = directory.path("grids.gpkg"), district = sampleDistrict("shanghai.gpkg").path
        let cases: [[String]] = [
            ["render", grids, "-o", directory.path("map.jpg")],
            ["render", directory.path("none.gpkg"), "-o", directory.path("map.svg")],
            ["render", grids, "--grid", "1", "-o", directory.path("sheet.pdf")],
            ["render", grids, "--district", district, "--grid", "1", "-o", directory.path("sheet.png")],
            ["render", grids, "--district", district, "--grid", "1", "--each-grid", "-o", directory.path("atlas.pdf")],
            ["render", grids, "--district", district, "--grid", "no-such-grid", "-o", directory.path("sheet.pdf")],
            ["render", grids, "--district", directory.path("none.gpkg"), "-o", directory.path("map.pdf")],
            ["render", grids, "--district", district, "--grid", "1", "--paper", "A5", "-o", directory.path("sheet.pdf")],
        ]
        for arguments in cases {
            let result = try await blocking { try runGridweave(arguments) }
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.hasPrefix("error: "), "\(arguments): \(result.stderr)")
        }
        #expect(try directory.contents() == ["grids.gpkg"])
    }

    /// The office's hand-drawn grids of Shanghai, imported (Chinese community names, the office's
    /// 网格员 and 电话 on every grid), drawn as a map, a sheet, an atlas and a folder of sheets,
    /// each looked at with poppler.
    @Test func mapsAndSheetsOfShanghaiAreReadableByPoppler() async throws {
        let directory = try TemporaryDirectory()
        let (grids, district) = try await importedShanghaiGrids(in: directory)
        let reader = try GeoPackageReader(path: grids)
        let codes = try reader.readLayer("grids").features.compactMap { $0["code"].string }
        let code = try #require(codes.first { $0.hasPrefix("310101002001") })

        let map = directory.path("map.pdf")
        let drawn = try await blocking {
            try runGridweave(["render", grids, "--district", district, "--lang", "zh", "--attribution", "© OpenStreetMap contributors", "-o", map])
        }
        #expect(drawn.status == 0, "\(drawn.stderr)")
        let (mapFonts, mapText) = try await blocking { (try Poppler.fonts(map), try Poppler.text(map)) }
        #expect(!mapFonts.isEmpty && mapFonts.allSatisfy(\.embedded) && mapFonts.contains { $0.name.contains("NotoSansCJK") }, "\(mapFonts)")
        for expected in ["南京东路第1社区", "陆家嘴第1社区", "OpenStreetMap", "EPSG:"] {
            #expect(mapText.contains(expected), "\(expected) not on the map")
        }

        let sheet = directory.path("sheet.pdf")
        let sheeted = try await blocking {
            try runGridweave(["render", grids, "--district", district, "--grid", code, "--lang", "zh", "--paper", "a3", "-o", sheet])
        }
        #expect(sheeted.status == 0, "\(sheeted.stderr)")
        let (info, fonts, text, ink) = try await blocking {
            (try Poppler.info(sheet), try Poppler.fonts(sheet), try Poppler.text(sheet), try Poppler.inkedShare(sheet))
        }
        #expect(info.pages >= 1 && abs(info.width - 841.89) < 0.5 && abs(info.height - 1190.55) < 0.5, "\(info)")
        #expect(fonts.allSatisfy(\.embedded) && fonts.contains { $0.name.contains("NotoSansCJK") }, "\(fonts)")
        for expected in [code, "南京东路第1社区", "南京东路街道", "网格员", "电话", "网格名称"] {
            #expect(text.contains(expected), "\(expected) not on the sheet")
        }
        #expect(ink > 0.05, "\(ink)")

        let atlas = directory.path("atlas.pdf")
        let bound = try await blocking { try runGridweave(["render", grids, "--district", district, "--each-grid", "-o", atlas]) }
        #expect(bound.status == 0, "\(bound.stderr)")
        let (atlasInfo, index) = try await blocking { (try Poppler.info(atlas), try Poppler.text(atlas, last: 1)) }
        #expect(atlasInfo.pages >= codes.count + 1)
        #expect(codes.prefix(10).allSatisfy { index.contains($0) })

        let folder = directory.path("sheets")
        let filed = try await blocking { try runGridweave(["render", grids, "--district", district, "--each-grid", "-o", folder + "/"]) }
        #expect(filed.status == 0, "\(filed.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == codes.map { "\($0).pdf" }.sorted())
    }
}
