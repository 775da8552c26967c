import CoverageReport
import FeatureIO
import Foundation
import GeometryEngine
import Projections
import Testing
import TestSupport

/// Grids drawn by hand: rectangles with a gap and an overlap, no micro-grids, no assignments,
/// in a projected CRS and in WGS 84 longitude/latitude.
@Suite(.timeLimit(.minutes(10))) struct HandDrawnGridsTests {
    static let origin = XY(500_000, 3_500_000)

    /// Five rectangles (metres from `origin`): a 5 m wide gap between the first two, enclosed by
    /// the third and fourth; the fourth overlaps the fifth by 10 × 50 m.
    static let rectangles: [(code: String, box: (Double, Double, Double, Double))] = [
        ("310101001001001", (0, 0, 100, 100)),
        ("310101001001002", (105, 0, 200, 100)),
        ("310101001001003", (0, 100, 200, 150)),
        ("310101001001004", (0, -50, 210, 0)),
        ("310101001001005", (200, -50, 300, 150)),
    ]

    static func layer(epsg: Int) throws -> Layer {
        let transform = try CoordinateTransformer(from: 4549, to: epsg)
        let features = try rectangles.enumerated().map { i, r -> Feature in
            let (x0, y0, x1, y1) = r.box
            let ring = [XY(x0, y0), XY(x1, y0), XY(x1, y1), XY(x0, y1), XY(x0, y0)]
                .map { XY($0.x + origin.x, $0.y + origin.y) }
            return Feature(fid: Int64(i + 1), geometry: try transform.transform(.polygon(Polygon(exterior: ring))),
                           properties: ["code": .text(r.code), "households": .integer(200)])
        }
        let crs = try CRSInfo.lookup(epsg: epsg)
        let srs = epsg == 4326 ? SpatialReference.wgs84 : SpatialReference.epsg(Int32(epsg), name: crs.name, definition: crs.wkt)
        return Layer(name: "grids", geometryType: "POLYGON", srs: srs,
                     fields: [FieldDefinition("code", .text), FieldDefinition("households", .integer)], features: features)
    }

    @Test(arguments: [4549, 4326])
    func aGapAndAnOverlapAreFoundAndNothingElse(epsg: Int) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("hand.gpkg")
        try GeoPackageWriter.write([try Self.layer(epsg: epsg)], to: path)
        let result = try CoverageCheck.run(gridsPath: path)
        #expect(kinds(result) == ["gap", "overlap"], "\(result.findings.map(\.detail))")
        #expect(result.epsg == 4549)
        let gap = try #require(result.findings.first { $0.kind == .gap })
        let overlap = try #require(result.findings.first { $0.kind == .overlap })
        // Areas in metres whatever the file's CRS (the WGS 84 round trip moves them a little).
        #expect(abs((gap.measure ?? 0) - 500) < 5, "gap \(gap.measure ?? 0) m²")
        #expect(abs((overlap.measure ?? 0) - 500) < 5, "overlap \(overlap.measure ?? 0) m²")
        // The centroid: in WGS 84 the straight edges of the file meet with numeric dust (nanometres
        // wide) that may stretch the gap's envelope, never its centroid.
        guard case .point(let gapCentre)? = try gap.geometry?.centroid() else { Issue.record("no centroid"); return }
        #expect(abs(gapCentre.x - (Self.origin.x + 102.5)) < 0.5 && abs(gapCentre.y - (Self.origin.y + 50)) < 0.5)
        #expect(overlap.subject == "310101001001004, 310101001001005")
        #expect(result.notes.contains { $0.contains("microgrids") })
    }

    @Test func aBadFileIsAnErrorNamingIt() throws {
        let directory = try TemporaryDirectory()
        #expect { try CoverageCheck.run(gridsPath: directory.path("missing.gpkg")) } throws: { error in
            (error as? CoverageError)?.file == directory.path("missing.gpkg")
        }
        let other = Layer(name: "roads", geometryType: "POLYGON", srs: .wgs84, fields: [FieldDefinition("id", .text)])
        try GeoPackageWriter.write([other], to: directory.path("nogrids.gpkg"))
        #expect { try CoverageCheck.run(gridsPath: directory.path("nogrids.gpkg")) } throws: { error in
            (error as? CoverageError)?.layer == "grids"
        }
        var noCode = try Self.layer(epsg: 4549)
        noCode.fields = [FieldDefinition("households", .integer)]
        for i in noCode.features.indices { noCode.features[i].properties["code"] = nil }
        try GeoPackageWriter.write([noCode], to: directory.path("nocode.gpkg"))
        #expect { try CoverageCheck.run(gridsPath: directory.path("nocode.gpkg")) } throws: { error in
            (error as? CoverageError)?.field == "code"
        }
    }
}

/// The report files: written in full, deterministic, and the page self-contained.
@Suite(.timeLimit(.minutes(10))) struct ReportFilesTests {
    @Test func theReportIsCompleteSelfContainedAndDeterministic() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("hand.gpkg")
        try GeoPackageWriter.write([try HandDrawnGridsTests.layer(epsg: 4549)], to: path)
        let result = try CoverageCheck.run(gridsPath: path)
        try CoverageReport.write(result, to: directory.path("a"))
        try CoverageReport.write(try CoverageCheck.run(gridsPath: path), to: directory.path("b"))
        for name in CoverageReport.fileNames {
            let a = try Data(contentsOf: directory.url("a/\(name)"))
            let b = try Data(contentsOf: directory.url("b/\(name)"))
            #expect(a == b, "\(name) differs between two runs")
        }
        #expect(try directory.contents().contains("a"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path("a")).sorted() == CoverageReport.fileNames.sorted())
        let html = try String(contentsOfFile: directory.path("a/index.html"), encoding: .utf8)
        // No request leaves the page.
        for needle in ["http://", "https://", "src=", "@import", "url("] {
            let hits = html.components(separatedBy: needle).count - 1
            let allowed = needle == "http://" ? 1 : 0 // the SVG namespace
            #expect(hits == allowed, "\(needle) appears \(hits) times")
        }
        #expect(html.contains("id=\"f-gap-1\"") && html.contains("data-go=\"gap-1\""))
        #expect(html.contains("id=\"f-overlap-1\""))
        let features = try GeoJSON.decodeLayer(String(contentsOfFile: directory.path("a/findings.geojson"), encoding: .utf8), name: "f")
        #expect(features.features.map { $0["kind"].string ?? "" } == ["gap", "overlap"])
        let lonLat = try #require(features.features.first?.geometry?.envelope)
        #expect(lonLat.minX > 100 && lonLat.maxX < 140 && lonLat.minY > 20 && lonLat.maxY < 40)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.url("a/summary.json"))) as? [String: Any]
        #expect((summary?["findings"] as? [String: Int])?["gap"] == 1)
        #expect(summary?["total_findings"] as? Int == 2)
    }

    /// With `--lang zh` the page's findings and notes are Chinese: no line of the findings'
    /// tables or of the notes is English.
    @Test func theChinesePageSpeaksChinese() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("hand.gpkg")
        try GeoPackageWriter.write([try HandDrawnGridsTests.layer(epsg: 4549)], to: path)
        let result = try CoverageCheck.run(gridsPath: path, options: CoverageOptions(language: .zh))
        #expect(result.findings.allSatisfy { $0.chineseDetail != $0.detail && $0.chineseDetail.unicodeScalars.contains { $0.value >= 0x4E00 } })
        try CoverageReport.write(result, to: directory.path("r"))
        let html = try String(contentsOfFile: directory.path("r/index.html"), encoding: .utf8)
        let cells = html.components(separatedBy: "<li>").dropFirst().map { String($0.prefix { $0 != "<" }) }
            + html.components(separatedBy: "</td><td>").dropFirst().map { String($0.prefix { $0 != "<" }) }
        let english = cells.filter { cell in !cell.isEmpty && !cell.unicodeScalars.contains { $0.value >= 0x4E00 } && cell.contains(" the ") }
        #expect(english.isEmpty, "English on the Chinese page: \(english)")
        #expect(html.contains("未给出 --district") && html.contains("不在任何网格内"))
    }

    @Test func textIsEscapedInThePage() throws {
        let directory = try TemporaryDirectory()
        var layer = try HandDrawnGridsTests.layer(epsg: 4549)
        layer.features[0]["code"] = .text("<script>alert(1)</script>&")
        let path = directory.path("evil.gpkg")
        try GeoPackageWriter.write([layer], to: path)
        try CoverageReport.write(try CoverageCheck.run(gridsPath: path), to: directory.path("r"))
        let html = try String(contentsOfFile: directory.path("r/index.html"), encoding: .utf8)
        #expect(!html.contains("<script>alert"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;"))
    }
}
