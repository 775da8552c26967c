import FeatureIO
import Foundation
import GeometryEngine
import Testing
import TestSupport

/// `gridweave locate` as a user runs it: CSV in, CSV out, exit codes, `error:` lines.
@Suite(.timeLimit(.minutes(10))) struct LocateCommandTests {
    /// 3 × 2 grids of 0.01° from (121.40, 31.20) in WGS 84, each cut into 2 × 2 micro-grids.
    /// Grid (i, j) has code 310101001001 + (j * 3 + i + 1) as three digits; its micro-grids add
    /// 01 (south-west), 02 (south-east), 03 (north-west), 04 (north-east).
    static func writeGrids(to path: String) throws {
        let xs = (0...6).map { 121.40 + Double($0) * 0.005 }, ys = (0...4).map { 31.20 + Double($0) * 0.005 }
        func square(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Geometry {
            .polygon(Polygon(exterior: [XY(x0, y0), XY(x1, y0), XY(x1, y1), XY(x0, y1), XY(x0, y0)]))
        }
        var grids: [Feature] = [], micro: [Feature] = []
        for j in 0..<2 {
            for i in 0..<3 {
                let code = gridCode(i, j)
                grids.append(Feature(geometry: square(xs[2 * i], ys[2 * j], xs[2 * i + 2], ys[2 * j + 2]),
                                     properties: ["code": .text(code), "community_code": .text("310101001001"), "kind": .text("residential")]))
                for (k, (di, dj)) in [(0, 0), (1, 0), (0, 1), (1, 1)].enumerated() {
                    micro.append(Feature(geometry: square(xs[2 * i + di], ys[2 * j + dj], xs[2 * i + di + 1], ys[2 * j + dj + 1]),
                                         properties: ["code": .text(code + "0\(k + 1)"), "grid_code": .text(code)]))
                }
            }
        }
        try GeoPackageWriter.write([
            Layer(name: "grids", geometryType: "POLYGON", srs: .wgs84,
                  fields: [FieldDefinition("code", .text), FieldDefinition("community_code", .text), FieldDefinition("kind", .text)],
                  features: grids),
            Layer(name: "microgrids", geometryType: "POLYGON", srs: .wgs84,
                  fields: [FieldDefinition("code", .text), FieldDefinition("grid_code", .text)], features: micro),
        ], to: path)
    }

    static func gridCode(_ i: Int, _ j: Int) -> String { "310101001001" + String(format: "%03d", j * 3 + i + 1) }

    /// Output rows as arrays of fields (no quoted line breaks in these tests' output).
    static func rows(_ csv: String) -> [[String]] {
        csv.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { line in
            var fields: [String] = [], field = "", quoted = false
            var characters = Array(line)[...]
            while let c = characters.popFirst() {
                if quoted {
                    if c == "\"" {
                        if characters.first == "\"" { field.append("\""); characters.removeFirst() } else { quoted = false }
                    } else { field.append(c) }
                } else if c == "\"" { quoted = true } else if c == "," { fields.append(field); field = "" } else { field.append(c) }
            }
            fields.append(field)
            return fields
        }
    }

    @Test func locatesPointsAndCarriesExtraColumnsThrough() throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try Self.writeGrids(to: grids)
        let input = #"""
            name,id,lat,lon,note
            "Zhang, San",e1,31.2012,121.4013,"said ""hi"""
            ,e2,31.2074,121.4125,
            far,e3,31.30,121.60,x
            near,e4,31.2052,121.43015,"two
            lines"

            """#
        let result = try runGridweave(["locate", "--grids", grids, "-"], input: Data(input.utf8))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "id,grid_code,microgrid_code,community_code,status,distance_m,name,note")
        #expect(lines[1] == "e1,310101001001001,31010100100100101,310101001001,inside,0,\"Zhang, San\",\"said \"\"hi\"\"\"")
        #expect(lines[2] == "e2,310101001001002,31010100100100203,310101001001,inside,0,,")
        #expect(lines[3] == "e3,,,,outside,,far,x")
        // 0.00015° east of the east edge at 31.205 N: 14.3 m (0.00015 × 95.3 km per degree).
        let near = Self.rows(String(lines[4]) + "\n")[0]
        #expect(near[0] == "e4" && near[1] == Self.gridCode(2, 0) && near[4] == "near")
        #expect(near[2] == Self.gridCode(2, 0) + "04")
        #expect(abs(Double(near[5])! - 14.28) < 0.05, "\(near[5])")
        #expect(lines[4].hasSuffix(",near,\"two") && lines[5] == "lines\"")
        #expect(lines.count == 7 && lines[6].isEmpty)
    }

    @Test func boundaryPointsGoToTheGridNorthEastOfThem() throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try Self.writeGrids(to: grids)
        // Written with Swift's shortest round-trip text, so the CLI reads the very same doubles.
        let x1 = 121.40 + 2 * 0.005, x2 = 121.40 + 4 * 0.005, y1 = 31.20 + 2 * 0.005, mid = 31.20 + 0.005
        let points: [(String, Double, Double, String)] = [
            ("vertical-edge", x1, mid, Self.gridCode(1, 0)),          // between grids 0 and 1: the east one
            ("horizontal-edge", 121.4025, y1, Self.gridCode(0, 1)),   // between grids 0 and 3: the north one
            ("corner", x1, y1, Self.gridCode(1, 1)),                  // four grids: the north-east one
            ("east-corner", x2, y1, Self.gridCode(2, 1)),
            ("outer-east-edge", 121.40 + 6 * 0.005, mid, Self.gridCode(2, 0)),  // the coverage's own boundary
        ]
        let input = "id,lon,lat\n" + points.map { "\($0.0),\($0.1),\($0.2)" }.joined(separator: "\n") + "\n"
        let result = try runGridweave(["locate", "--grids", grids], input: Data(input.utf8))
        #expect(result.status == 0)
        let rows = Self.rows(result.stdout).dropFirst()
        #expect(rows.count == points.count)
        for (row, point) in zip(rows, points) {
            #expect(row[0] == point.0 && row[1] == point.3 && row[4] == "inside", "\(row)")
            #expect(row[2].hasPrefix(point.3))
        }
    }

    @Test func invalidRowsAreMarkedWithTheirReasonAndTheBatchGoesOn() throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try Self.writeGrids(to: grids)
        let input = """
            id,lon,lat,tag
            a,121.401,31.201,ok
            b,east,31.201,t
            c,NaN,31.201,t
            d,121.401,95.5,t
            e,190,31.201,t
            f,121.401,31.201
            g,121.401,,t
            h,121.401,31.201,ok

            """
        let result = try runGridweave(["locate", "--grids", grids, "-"], input: Data(input.utf8))
        #expect(result.status == 0)
        let rows = Self.rows(result.stdout)
        #expect(rows.count == 9)
        let byID = Dictionary(uniqueKeysWithValues: rows.dropFirst().map { ($0[0], $0) })
        for id in ["b", "c", "d", "e", "f", "g"] {
            #expect(byID[id]?[4] == "invalid", "\(id): \(byID[id] ?? [])")
            #expect(byID[id]?[2] == "" && byID[id]?[3] == "" && byID[id]?[5] == "")
        }
        #expect(byID["b"]?[1] == "lon 'east' is not a number")
        #expect(byID["c"]?[1] == "lon 'NaN' is not a number")
        #expect(byID["d"]?[1] == "lat 95.5 is outside ±90")
        #expect(byID["e"]?[1] == "lon 190 is outside ±180")
        #expect(byID["f"]?[1] == "3 fields where the header has 4")
        #expect(byID["g"]?[1] == "lat is missing")
        #expect(byID["a"]?[4] == "inside" && byID["h"]?[4] == "inside" && byID["h"]?[6] == "ok")
    }

    @Test func aHeaderWithoutLatExitsOneNamingTheFileAndTheColumn() throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try Self.writeGrids(to: grids)
        let points = directory.path("points.csv")
        try Data("id,lon,latitude\n1,121.4,31.2\n".utf8).write(to: URL(fileURLWithPath: points))
        let result = try runGridweave(["locate", "--grids", grids, points, "-o", directory.path("out.csv")])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("error: \(points), column lat:") == true, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        // Nothing written, not even a temporary file.
        #expect(try directory.contents() == ["grids.gpkg", "points.csv"])
    }

    @Test func missingFilesExitOne() throws {
        let directory = try TemporaryDirectory()
        let noGrids = try runGridweave(["locate", "--grids", directory.path("none.gpkg"), "-"], input: Data("id,lon,lat\n".utf8))
        #expect(noGrids.status == 1)
        #expect(noGrids.stderr.hasPrefix("error: \(directory.path("none.gpkg"))"))
        let grids = directory.path("grids.gpkg")
        try Self.writeGrids(to: grids)
        let noInput = try runGridweave(["locate", "--grids", grids, directory.path("missing.csv")])
        #expect(noInput.status == 1)
        #expect(noInput.stderr.hasPrefix("error: \(directory.path("missing.csv")): no such file"))
        let badTolerance = try runGridweave(["locate", "--grids", grids, "--tolerance", "-5"])
        #expect(badTolerance.status == 1 && badTolerance.stderr.hasPrefix("error: "))
        let badDatum = try runGridweave(["locate", "--grids", grids, "--datum", "mars"])
        #expect(badDatum.status == 1 && badDatum.stderr.hasPrefix("error: "))
    }

    @Test func anOutputFileAppearsWholeAndTheSummaryGoesToStandardError() throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try Self.writeGrids(to: grids)
        let points = directory.path("points.csv")
        try Data("id,lon,lat\r\n1,121.401,31.201\r\n2,121.50,31.50\r\n".utf8).write(to: URL(fileURLWithPath: points))
        let output = directory.path("located.csv")
        let result = try runGridweave(["locate", "--grids", grids, points, "-o", output, "--summary"])
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("located 2 rows: 1 inside, 0 near, 1 outside, 0 invalid;"), "\(result.stderr)")
        let written = try String(contentsOfFile: output, encoding: .utf8)
        #expect(written.hasPrefix("id,grid_code,microgrid_code,community_code,status,distance_m\n1,310101001001001,"))
        #expect(try directory.contents() == ["grids.gpkg", "located.csv", "points.csv"])
    }

    @Test func aLongFileStreamsThroughRowForRow() throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try Self.writeGrids(to: grids)
        var input = "id,lon,lat,seq\n"
        input.reserveCapacity(200_000 * 40)
        for k in 0..<200_000 {
            // A spiral over and around the grids: inside, near and outside.
            let angle = Double(k) * 0.0137, radius = 0.0001 + Double(k % 1000) * 0.00003
            input += "p\(k),\(121.415 + radius * cos(angle)),\(31.205 + radius * sin(angle)),\(k)\n"
        }
        let points = directory.path("points.csv")
        try Data(input.utf8).write(to: URL(fileURLWithPath: points))
        let output = directory.path("out.csv")
        let result = try runGridweave(["locate", "--grids", grids, points, "-o", output, "--summary"])
        #expect(result.status == 0, "\(result.stderr)")
        let written = try String(contentsOfFile: output, encoding: .utf8)
        let lines = written.split(separator: "\n")
        #expect(lines.count == 200_001)
        // In input order, every row of it.
        #expect(lines[1].hasPrefix("p0,") && lines[200_000].hasPrefix("p199999,"))
        #expect(lines[123_457].hasSuffix(",123456"))
        #expect(result.stderr.contains("200,000 rows"))
        for status in [",inside,", ",near,", ",outside,"] { #expect(written.contains(status)) }
    }

    @Test func helpTeaches() throws {
        let help = try runGridweave(["locate", "--help"])
        #expect(help.status == 0)
        for part in ["Examples", "--datum", "--tolerance", "gcj02", "north-east", "invalid", "grid_code"] {
            #expect(help.stdout.contains(part), "\(part) missing from --help")
        }
        let root = try runGridweave(["--help"])
        #expect(root.stdout.contains("locate"))
    }
}
