import FeatureIO
import Foundation
import GeometryEngine
import Testing
import TestSupport

/// `gridweave import-grids` as a city office runs it: its hand-drawn grids of Shanghai (straight
/// cuts through buildings, an overlap, a gap, a spill, Chinese fields), then micro-grids inside.
@Suite(.timeLimit(.minutes(10))) struct ImportGridsCommandTests {
    @Test func importsKeepingTheOfficeFieldsThenBuildsMicroGridsInside() async throws {
        let directory = try TemporaryDirectory()
        let district = sampleDistrict("shanghai.gpkg").path
        let fixture = try await blocking { try HandGridsFixture(district: sampleDistrict("shanghai.gpkg")) }
        try fixture.write(to: directory.path("网格.gpkg"))
        let output = directory.path("grids.gpkg")
        let result = try await blocking { try runGridweave(["import-grids", directory.path("网格.gpkg"), "--district", district, "-o", output, "--lang", "zh"]) }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("已写出") && result.stdout.contains("spill") && result.stdout.contains("building_moved"), "\(result.stdout)")
        // Squares of 450 m over dense Shanghai: grids far out of the household bounds, kept as drawn and listed.
        #expect(result.stdout.contains("超出户数范围"), "\(result.stdout)")

        let reader = try GeoPackageReader(path: output)
        let grids = try reader.readLayer("grids")
        for name in ["code", "community_code", "households", "office_code"] + HandGridsFixture.fields.map(\.name) {
            #expect(grids.field(named: name) != nil, "no field \(name)")
        }
        #expect(grids.field(named: "电话")?.type == .integer && grids.field(named: "备注")?.type == .real)
        let drawn = Dictionary(uniqueKeysWithValues: fixture.layer.features.map { ($0["网格编码"].string ?? "", $0) })
        let repairs = try reader.readLayer("repairs").features
        // A part of a grid in a part of the community no other grid touches is a grid of its own, `<code>#2`.
        #expect(grids.features.count == drawn.count + repairs.filter { $0["kind"].string == "detached_part" }.count)
        for grid in grids.features {
            let officeCode = String((grid["office_code"].string ?? "").split(separator: "#").first ?? "")
            let office = try #require(drawn[officeCode], "office_code \(grid["office_code"])")
            for field in HandGridsFixture.fields { #expect(grid[field.name] == office[field.name]) }
            #expect(grid["code"].string?.hasPrefix(grid["community_code"].string ?? "-") == true && grid["code"].string?.count == 15)
        }
        let kinds = Set(repairs.compactMap { $0["kind"].string })
        #expect(kinds.isSuperset(of: ["gap", "overlap", "spill", "building_moved"]), "\(kinds)")
        #expect(repairs.allSatisfy { $0["grid_code"].string?.count == 15 && ($0["area_m2"].double ?? 0) > 0 && $0.geometry != nil })

        let micro = directory.path("micro.gpkg")
        let keep = try await blocking { try runGridweave(["partition", district, "--previous", output, "--keep-grids", "-o", micro]) }
        #expect(keep.status == 0, "\(keep.stderr)")
        #expect(keep.stdout.contains("outside") || keep.stdout.contains("out of bounds"), "\(keep.stdout)")
        let after = try GeoPackageReader(path: micro)
        let kept = try after.readLayer("grids").features
        #expect(kept.map { $0["code"] } == grids.features.map { $0["code"] })
        #expect(kept.map(\.geometry) == grids.features.map(\.geometry))
        // The office's code and fields stay beside the standard code through the re-partition.
        for name in ["office_code"] + HandGridsFixture.fields.map(\.name) {
            #expect(kept.map { $0[name] } == grids.features.map { $0[name] }, "field \(name) not carried over")
        }
        let untiled = try await blocking { try Self.untiled(micro) }
        #expect(untiled.isEmpty, "micro-grids do not tile grids \(untiled)")
    }

    /// Codes of the grids with households whose micro-grids do not tile them (to 10⁻⁶ of the area).
    static func untiled(_ path: String) throws -> [String] {
        let reader = try GeoPackageReader(path: path)
        let microGrids = try reader.readLayer("microgrids").features
        var untiled: [String] = []
        for grid in try reader.readLayer("grids").features where (grid["households"].int64 ?? 0) > 0 {
            let code = grid["code"].string ?? ""
            let parts = microGrids.filter { $0["grid_code"].string == code }.compactMap(\.geometry)
            guard let gridGeometry = grid.geometry, !parts.isEmpty else { untiled.append(code); continue }
            let union = try Geometry.geometryCollection(parts).unaryUnion()
            let area = try gridGeometry.area()
            let outside = try union.difference(gridGeometry).area(), uncovered = try gridGeometry.difference(union).area()
            if outside > 1e-6 * area || uncovered > 1e-6 * area { untiled.append(code) }
        }
        return untiled
    }

    @Test func everyProblemIsReportedInOneRunAndNothingWritten() async throws {
        let directory = try TemporaryDirectory()
        var fixture = try await blocking { try HandGridsFixture(district: sampleDistrict("shanghai.gpkg"), damage: .init(overlap: nil, gap: nil, spill: nil)) }
        fixture.layer.features[1]["网格编码"] = fixture.layer.features[0]["网格编码"]
        fixture.layer.features[2]["网格编码"] = .null
        let bowtie = [XY(121.49, 31.23), XY(121.50, 31.24), XY(121.50, 31.23), XY(121.49, 31.24), XY(121.49, 31.23)]
        fixture.layer.features[3].geometry = .polygon(Polygon(exterior: bowtie))
        try fixture.write(to: directory.path("bad.gpkg"))
        let output = directory.path("grids.gpkg")
        let result = try await blocking { try runGridweave(["import-grids", directory.path("bad.gpkg"), "--district", sampleDistrict("shanghai.gpkg").path, "-o", output,
                                                                 "--lock", "不存在的网格"]) }
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        for (kind, feature) in [("duplicate_code", "feature 2"), ("missing_code", "feature 3"), ("invalid_geometry", "feature 4")] {
            #expect(lines.contains { $0.hasPrefix("error: ") && $0.contains("layer 网格, \(feature)") && $0.contains(": \(kind): ") },
                    "no \(kind) for \(feature) in:\n\(result.stderr)")
        }
        #expect(lines.contains { $0.contains(": unknown_lock: ") && $0.contains("不存在的网格") }, "\(result.stderr)")
        #expect(lines.last?.contains("nothing written") == true)
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    /// The same hand-drawn grids handed over as an office's GIS exports them, a Shapefile whose
    /// DBF is GBK with Chinese file and field names, import as the GeoPackage does.
    @Test(.enabled(if: gdalInstalled)) func importsAGBKShapefileAsItImportsTheGeoPackage() async throws {
        let directory = try TemporaryDirectory()
        let district = sampleDistrict("shanghai.gpkg").path
        let fixture = try await blocking { try HandGridsFixture(district: sampleDistrict("shanghai.gpkg")) }
        try fixture.write(to: directory.path("网格.gpkg"))
        let shapefile = directory.path("网格.shp")
        let converted = try #require(ogr2ogr(["-f", "ESRI Shapefile", "-lco", "ENCODING=GBK", shapefile, directory.path("网格.gpkg")]))
        #expect(converted.status == 0, "\(converted.output)")
        let cpg = try String(contentsOfFile: directory.path("网格.cpg"), encoding: .utf8)
        #expect(cpg.uppercased().contains("GBK") || cpg.contains("936"), "\(cpg)")

        let fromPackage = directory.path("from-gpkg.gpkg"), fromShapefile = directory.path("from-shp.gpkg")
        let first = try await blocking { try runGridweave(["import-grids", directory.path("网格.gpkg"), "--district", district, "-o", fromPackage]) }
        let second = try await blocking { try runGridweave(["import-grids", shapefile, "--district", district, "-o", fromShapefile]) }
        #expect(first.status == 0 && second.status == 0, "\(first.stderr)\n\(second.stderr)")
        let package = try GeoPackageReader(path: fromPackage).readLayer("grids").features
        let shape = try GeoPackageReader(path: fromShapefile).readLayer("grids").features
        #expect(shape.count == package.count && !shape.isEmpty)
        for name in ["code", "office_code", "households", "网格名称", "网格员"] {
            #expect(shape.map { $0[name].codeText } == package.map { $0[name].codeText }, "field \(name) differs")
        }
        #expect(shape.contains { ($0["网格员"].string ?? "").unicodeScalars.contains { $0.value > 0x4E00 } })
    }
}
