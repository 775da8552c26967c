import DistrictModel
import Foundation
import GeometryEngine
@testable import MapRendering
import Testing
import TestSupport
#if canImport(FoundationXML)
import FoundationXML
#endif

/// `sampleMap()` over a small district with Chinese names: one community, a building in each
/// micro-grid, an arterial road, a shop; the first grid carries an office's fields.
func sampleMapOverDistrict(buildingsInFirstGrid: Int = 2) throws -> GridMap {
    func box(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Geometry {
        .polygon(Polygon(exterior: [XY(x0, y0), XY(x1, y0), XY(x1, y1), XY(x0, y1), XY(x0, y0)]))
    }
    var buildings: [Building] = []
    for i in 0..<buildingsInFirstGrid {
        let x = 2 + Double(i % 12) * 8, y = 2 + Double(i / 12) * 8
        buildings.append(Building(id: "B\(i + 1)", households: 20 + i, units: 2, geometry: box(x, y, x + 5, y + 5)))
    }
    buildings.append(Building(id: "B-east-1", households: 150, units: 3, geometry: box(120, 10, 180, 40)))
    buildings.append(Building(id: "B-east-2", households: 150, units: 3, geometry: box(120, 60, 180, 90)))
    let district = District(
        epsg: 4549,
        communities: [Community(code: "310101001001", name: "外滩第1社区", streetCode: "310101001", streetName: "南京东路街道", geometry: box(0, 0, 200, 100))],
        buildings: buildings,
        roads: [Road(id: "r1", roadClass: .arterial, name: "中山东一路", geometry: .lineString([XY(-20, 104), XY(220, 104)]))],
        shops: [Shop(id: "s1", name: "便利店", geometry: .point(XY(170, 52)))])
    var map = sampleMap()
    map.grids[0].officeFields = [GridMap.OfficeField(name: "网格员", value: "张三"), GridMap.OfficeField(name: "电话", value: "13800000000")]
    try map.drawOver(district, attribution: "© OpenStreetMap contributors")
    return map
}

@Suite(.timeLimit(.minutes(10))) struct MapDrawingTests {
    @Test func theMapIsAPDFWithItsFontsEmbeddedAndItsChineseNamesAsText() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("map.pdf")
        let map = try sampleMapOverDistrict()
        try await blocking { try map.writeMap(to: path, format: .pdf, width: 800, language: .zh) }
        let (info, fonts, text, ink) = try await blocking {
            (try Poppler.info(path), try Poppler.fonts(path), try Poppler.text(path), try Poppler.inkedShare(path))
        }
        #expect(info.pages == 1)
        #expect(!fonts.isEmpty && fonts.allSatisfy(\.embedded), "\(fonts)")
        #expect(fonts.contains { $0.name.contains("NotoSansCJK") }, "\(fonts)")
        for expected in ["外滩第1社区", "001", "002", "EPSG:4549", "OpenStreetMap", "网格户数", "便利店"] {
            #expect(text.contains(expected), "\(expected) not in \(text)")
        }
        #expect(ink > 0.2, "\(ink)")
        // No file is left beside it.
        #expect(try directory.contents() == ["map.pdf"])
    }

    @Test func theSVGParsesAndThePNGHasTheMapAndLegendWidth() async throws {
        let directory = try TemporaryDirectory()
        let map = try sampleMapOverDistrict()
        try await blocking {
            try map.writeMap(to: directory.path("map.svg"), format: .svg, width: 440)
            try map.writeMap(to: directory.path("map.png"), format: .png, width: 440)
        }
        let svg = try Data(contentsOf: directory.url("map.svg"))
        final class Root: NSObject, XMLParserDelegate {
            var name: String?
            func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String] = [:]) {
                if name == nil { name = element }
            }
        }
        let parser = XMLParser(data: svg)
        let root = Root()
        parser.delegate = root
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        #expect(root.name == "svg")
        let png = [UInt8](try Data(contentsOf: directory.url("map.png")))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        let width = Int(png[16]) << 24 | Int(png[17]) << 16 | Int(png[18]) << 8 | Int(png[19])
        #expect(width == 440 + 320)
    }

    @Test func theSameMapGivesTheSameBytes() async throws {
        let directory = try TemporaryDirectory()
        let map = try sampleMapOverDistrict()
        // Not SVG: cairo numbers an SVG's glyphs and surfaces with counters of the process, so two
        // SVGs of one process differ in their ids (two runs of `gridweave render` give the same bytes).
        for format in [MapFormat.pdf, .png] {
            let first = directory.path("a.\(format.rawValue)"), second = directory.path("b.\(format.rawValue)")
            try await blocking {
                try map.writeMap(to: first, format: format, width: 400)
                try map.writeMap(to: second, format: format, width: 400)
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: first)) == Data(contentsOf: URL(fileURLWithPath: second)), "\(format)")
        }
    }

    @Test func aMapFormatComesFromTheExtension() {
        #expect(MapFormat(path: "a/b.PDF") == .pdf)
        #expect(MapFormat(path: "map.svg") == .svg)
        #expect(MapFormat(path: "x.png") == .png)
        #expect(MapFormat(path: "x.jpg") == nil)
        #expect(MapFormat(path: "dir.pdf/sheets") == nil)
    }

    @Test func labelsThatWouldOverlapAreDropped() {
        var labels = LabelPlacer(cell: 10)
        let first = labels.place(Envelope(minX: 0, minY: 0, maxX: 30, maxY: 8))
        let overlapping = labels.place(Envelope(minX: 25, minY: 5, maxX: 60, maxY: 12))
        let beside = labels.place(Envelope(minX: 31, minY: 0, maxX: 60, maxY: 8))
        labels.reserve(Envelope(minX: 100, minY: 100, maxX: 120, maxY: 120))
        let onReserved = labels.place(Envelope(minX: 110, minY: 110, maxX: 111, maxY: 111))
        #expect(first && !overlapping && beside && !onReserved)
    }

    @Test func buildingsGoToTheGridAndMicroGridTheyStandIn() throws {
        let map = try sampleMapOverDistrict()
        let placement = BuildingPlacement(map)
        #expect(placement.buildingsOfGrid.map(\.count) == [2, 2])
        #expect(placement.grid == [0, 0, 1, 1])
        #expect(placement.microGrid == [0, 0, 2, 3])
        #expect(placement.buildingsInMicroGrid == [2, 0, 1, 1])
        // With the file's building_assignments, a building cut into entrance units is on each of its grids.
        var assigned = map
        assigned.buildingAssignments = [
            GridMap.BuildingAssignment(buildingID: "B1", gridCode: map.grids[0].code, microGridCode: map.microGrids[0].code, households: 20),
            GridMap.BuildingAssignment(buildingID: "B-east-1", gridCode: map.grids[1].code, microGridCode: map.microGrids[2].code, households: 100),
            GridMap.BuildingAssignment(buildingID: "B-east-1", gridCode: map.grids[0].code, microGridCode: map.microGrids[1].code, households: 50),
        ]
        let split = BuildingPlacement(assigned)
        #expect(split.rowsOfGrid[0] == [BuildingPlacement.Row(building: 0, microGrid: 0, households: 20),
                                        BuildingPlacement.Row(building: 2, microGrid: 1, households: 50)])
        #expect(split.rowsOfGrid[1] == [BuildingPlacement.Row(building: 2, microGrid: 2, households: 100)])
        #expect(split.grid[2] == 1 && split.microGrid[2] == 2)
        #expect(split.buildingsInMicroGrid == [1, 1, 1, 0])
        // A hole is outside its polygon.
        let ring = [XY(0, 0), XY(10, 0), XY(10, 10), XY(0, 10), XY(0, 0)]
        let hole = [XY(3, 3), XY(7, 3), XY(7, 7), XY(3, 7), XY(3, 3)]
        let index = PolygonIndex([.polygon(Polygon(exterior: ring, holes: [hole]))])
        #expect(index.first(XY(1, 1)) == 0)
        #expect(index.first(XY(5, 5)) == nil)
        #expect(index.first(XY(11, 5)) == nil)
    }
}

@Suite(.timeLimit(.minutes(10))) struct GridSheetTests {
    @Test func aSheetIsAnA4PageWithTheGridsCodeCommunityBuildingsAndOfficeFields() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("sheet.pdf")
        let map = try sampleMapOverDistrict()
        try await blocking { try map.writeSheets(of: [0], to: path, options: SheetOptions(paper: .a4, language: .zh), index: false) }
        let (info, fonts, text, ink) = try await blocking {
            (try Poppler.info(path), try Poppler.fonts(path), try Poppler.text(path), try Poppler.inkedShare(path))
        }
        #expect(info.pages == 1)
        #expect(abs(info.width - 595.28) < 0.5 && abs(info.height - 841.89) < 0.5, "\(info)")
        #expect(!fonts.isEmpty && fonts.allSatisfy(\.embedded) && fonts.contains { $0.name.contains("NotoSansCJK") }, "\(fonts)")
        for expected in ["310101001001001", "外滩第1社区", "南京东路街道", "张三", "13800000000", "B1", "B2", "31010100100100101", "网格工作图"] {
            #expect(text.contains(expected), "\(expected) not in \(text)")
        }
        // The other grid's buildings are on its own sheet, not this one.
        #expect(!text.contains("B-east-1"))
        #expect(ink > 0.05, "\(ink)")
    }

    @Test func anA3SheetInEnglish() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("sheet.pdf")
        let map = try sampleMapOverDistrict()
        try await blocking { try map.writeSheets(of: [1], to: path, options: SheetOptions(paper: .a3, language: .en), index: false) }
        let (info, text) = try await blocking { (try Poppler.info(path), try Poppler.text(path)) }
        #expect(abs(info.width - 841.89) < 0.5 && abs(info.height - 1190.55) < 0.5, "\(info)")
        #expect(text.contains("Grid sheet") && text.contains("310101001001002") && text.contains("B-east-2"))
    }

    @Test func aLongTableOfBuildingsRunsOnToAnotherPage() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("sheet.pdf")
        let map = try sampleMapOverDistrict(buildingsInFirstGrid: 130)
        try await blocking { try map.writeSheets(of: [0], to: path, options: SheetOptions(), index: false) }
        let (info, text) = try await blocking { (try Poppler.info(path), try Poppler.text(path, first: 2)) }
        #expect(info.pages == 2)
        #expect(text.contains("B130"))
    }

    @Test func anAtlasHasAnIndexPageThenOnePagePerGrid() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("atlas.pdf")
        let map = try sampleMapOverDistrict()
        try await blocking { try map.writeSheets(of: [0, 1], to: path, options: SheetOptions(language: .zh), index: true) }
        let (info, index, last) = try await blocking { (try Poppler.info(path), try Poppler.text(path, last: 1), try Poppler.text(path, first: 3)) }
        #expect(info.pages == 3)
        #expect(index.contains("网格目录") && index.contains("310101001001001") && index.contains("310101001001002"))
        #expect(last.contains("310101001001002") && last.contains("B-east-1"))
    }

    @Test func aFolderGetsASheetPerGrid() async throws {
        let directory = try TemporaryDirectory()
        let map = try sampleMapOverDistrict()
        let paths = try await blocking { try map.writeSheetFolder(to: directory.path("sheets"), options: SheetOptions()) }
        #expect(paths.map { ($0 as NSString).lastPathComponent } == ["310101001001001.pdf", "310101001001002.pdf"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path("sheets")).sorted() == ["310101001001001.pdf", "310101001001002.pdf"])
        #expect(throws: MapRenderingError.self) { try map.gridIndex(of: "999") }
    }
}
