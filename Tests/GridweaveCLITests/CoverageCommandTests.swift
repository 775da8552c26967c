import FeatureIO
import Foundation
import GeometryEngine
import Testing
import TestSupport

/// Grids drawn by hand in EPSG:4326 near Shanghai: `count` squares of about 100 m in a row,
/// edge to edge, 200 households each; `gapAfterFirst` leaves a 5 m gap closed above and below.
func handDrawnGrids(to path: String, gapAfterFirst: Bool) throws {
    let degree = 100.0 / 95_000 // about 100 m of longitude at 31°N
    let height = 100.0 / 111_000
    func box(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Geometry {
        .polygon(Polygon(exterior: [XY(x0, y0), XY(x1, y0), XY(x1, y1), XY(x0, y1), XY(x0, y0)]))
    }
    let lon = 121.47, lat = 31.23
    let shift = gapAfterFirst ? 5.0 / 95_000 : 0
    var boxes = [box(lon, lat, lon + degree, lat + height), box(lon + degree + shift, lat, lon + 2 * degree, lat + height)]
    if gapAfterFirst {
        boxes.append(box(lon, lat + height, lon + 2 * degree, lat + 1.5 * height))
        boxes.append(box(lon, lat - 0.5 * height, lon + 2 * degree, lat))
    }
    let features = boxes.enumerated().map { i, g in
        Feature(fid: Int64(i + 1), geometry: g, properties: [
            "code": .text("31010100100100\(i + 1)"), "community_code": .text("310101001001"),
            "kind": .text("residential"), "households": .integer(200),
        ])
    }
    let layer = Layer(name: "grids", geometryType: "POLYGON", srs: .wgs84,
                      fields: [FieldDefinition("code", .text), FieldDefinition("community_code", .text),
                               FieldDefinition("kind", .text), FieldDefinition("households", .integer)],
                      features: features)
    try GeoPackageWriter.write([layer], to: path)
}

/// `gridweave coverage` as a user runs it: the report files, the exit codes, `error:` lines.
@Suite(.timeLimit(.minutes(10))) struct CoverageCommandTests {
    @Test func cleanGridsExitZeroAndWriteTheReport() throws {
        let directory = try TemporaryDirectory()
        try handDrawnGrids(to: directory.path("grids.gpkg"), gapAfterFirst: false)
        let result = try runGridweave(["coverage", "--grids", directory.path("grids.gpkg"), "-o", directory.path("report")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("findings      none"), "\(result.stdout)")
        #expect(result.stdout.contains("report: \(directory.path("report"))/index.html"))
        #expect(!result.stderr.contains("error"))
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path("report")).sorted()
        #expect(files == ["findings.geojson", "index.html", "summary.json"])
    }

    @Test func findingsExitOneUnlessAllowed() throws {
        let directory = try TemporaryDirectory()
        try handDrawnGrids(to: directory.path("grids.gpkg"), gapAfterFirst: true)
        let report = directory.path("report")
        let result = try runGridweave(["coverage", "--grids", directory.path("grids.gpkg"), "-o", report])
        #expect(result.status == 1)
        let last = result.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last == "error: coverage check found 1 problem (1 gap); see \(report)/index.html", "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(report)/index.html"))

        let allowed = try runGridweave(["coverage", "--grids", directory.path("grids.gpkg"), "-o", report, "--allow-findings"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(allowed.stdout.contains("1: 1 gap"), "\(allowed.stdout)")

        if gdalInstalled {
            let info = try #require(ogrinfo(["-ro", "-al", "-so", "\(report)/findings.geojson"]))
            #expect(info.status == 0, "\(info.output)")
            #expect(info.output.contains("Feature Count: 1"), "\(info.output)")
        }
    }

    @Test func eventsOutsideAndBadRowsAreFindings() throws {
        let directory = try TemporaryDirectory()
        try handDrawnGrids(to: directory.path("grids.gpkg"), gapAfterFirst: false)
        let csv = "id,lon,lat\ne1,121.4705,31.2304\ne2,121.60,31.23\ne3,abc,31.2\n"
        try csv.write(toFile: directory.path("events.csv"), atomically: true, encoding: .utf8)
        let result = try runGridweave(["coverage", "--grids", directory.path("grids.gpkg"), "--events", directory.path("events.csv"),
                                       "-o", directory.path("report")])
        #expect(result.status == 1)
        #expect(result.stderr.contains("(1 event_outside, 1 invalid_event)"), "\(result.stderr)")
    }

    @Test func badInputIsAnErrorNamingIt() throws {
        let directory = try TemporaryDirectory()
        let missing = try runGridweave(["coverage", "--grids", directory.path("none.gpkg"), "-o", directory.path("report")])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("error: \(directory.path("none.gpkg"))"), "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path("report")))

        try handDrawnGrids(to: directory.path("grids.gpkg"), gapAfterFirst: false)
        try "name,x\na,1\n".write(toFile: directory.path("events.csv"), atomically: true, encoding: .utf8)
        let badHeader = try runGridweave(["coverage", "--grids", directory.path("grids.gpkg"), "--events", directory.path("events.csv"),
                                          "-o", directory.path("report")])
        #expect(badHeader.status == 1)
        #expect(badHeader.stderr.contains("events.csv, line 1"), "\(badHeader.stderr)")

        let badFlag = try runGridweave(["coverage", "--grids", directory.path("grids.gpkg"), "-o", directory.path("report"),
                                        "--grid-min", "300"])
        #expect(badFlag.status == 1)
        #expect(badFlag.stderr.hasPrefix("error: "))
    }

    @Test func checksAGeneratedPartitionWithItsDistrict() throws {
        let directory = try TemporaryDirectory()
        let district = directory.path("city.gpkg")
        #expect(try runGridweave(["generate", "-o", district, "--households", "3000", "--seed", "5"]).status == 0)
        #expect(try runGridweave(["partition", district, "-o", directory.path("grids.gpkg")]).status == 0)
        let result = try runGridweave(["coverage", "--grids", directory.path("grids.gpkg"), "--district", district,
                                       "-o", directory.path("report"), "--allow-findings"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("coverage      100.00%"), "\(result.stdout)")
        let html = try String(contentsOfFile: directory.path("report/index.html"), encoding: .utf8)
        #expect(html.contains("<svg id=\"map\""))
    }
}
