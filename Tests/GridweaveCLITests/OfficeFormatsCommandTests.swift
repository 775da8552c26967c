import FeatureIO
import Foundation
import Testing
import TestSupport

/// `inspect` and `partition` on what city offices hand over (issue #29): GBK Shapefiles with
/// Chinese layer and field names, named with `--layer` and `--map` or a mapping file;
/// FlatGeobuf and KML. The route through GDAL must give what the GeoPackage gives.
@Suite("Office formats", .enabled(if: gdalInstalled, "needs GDAL's ogr2ogr"), .timeLimit(.minutes(10)))
struct OfficeFormatsCommandTests {
    /// `inspect`'s report without its first line, which names the path read.
    static func report(_ arguments: [String]) async throws -> String {
        let result = try await gridweave(["inspect"] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().joined(separator: "\n")
    }

    @Test func gbkShapefilesWithChineseNamesPartitionToTheSameBytesAsTheGeoPackage() async throws {
        let directory = try TemporaryDirectory()
        let office = directory.path("office")
        try await blocking { try OfficeDistrict.writeShapefiles(to: office) }
        let fromGeoPackage = directory.path("gpkg-grids.gpkg")
        let fromShapefiles = directory.path("shp-grids.gpkg")
        let toShapefiles = directory.path("grids-shp")
        let results = try await blocking {
            [try runGridweave(["partition", OfficeDistrict.source, "-o", fromGeoPackage]),
             try runGridweave(["partition", office, "-o", fromShapefiles] + OfficeDistrict.mappingArguments),
             try runGridweave(["partition", office, "-o", toShapefiles, "--format", "ESRI Shapefile", "--output-encoding", "GBK"]
                              + OfficeDistrict.mappingArguments)]
        }
        for result in results { #expect(result.status == 0, "\(result.stderr)") }
        let expected = try layerDigests(ofGeoPackage: fromGeoPackage)
        #expect(expected.count == 6)
        #expect(try layerDigests(ofGeoPackage: fromShapefiles) == expected)
        // The summary counts the same grids and households (but for the time and the file written).
        let summaries = results.map { $0.stdout.split(separator: "\n").filter { !$0.contains(directory.path) && !$0.hasPrefix("  time ") } }
        #expect(summaries[0] == summaries[1])
        // Not two empty files: the grids hold the district's households.
        let grids = try GeoPackageReader(path: fromShapefiles).readLayer("grids")
        #expect(grids.features.count > 20)
        #expect(grids.features.reduce(0) { $0 + ($1["households"].int64 ?? 0) } > 4000)

        // Written as GBK Shapefiles, GDAL reads the same grids, short field names from the one
        // table, Chinese intact.
        let reader = try GDALReader(path: toShapefiles)
        #expect(try reader.encoding(ofLayer: "grids") == .gbk)
        let shpGrids = try reader.readLayer("grids")
        #expect(shpGrids.features.count == grids.features.count)
        for (got, expected) in zip(shpGrids.features, grids.features) {
            #expect(got["code"] == expected["code"])
            #expect(got["comm_code"] == expected["community_code"])
            #expect(got["households"] == expected["households"])
            #expect(got["reason_zh"] == expected["reason_zh"])
        }
        #expect(grids.features.contains { $0["reason_zh"].string?.isEmpty == false })
        #expect(Set(reader.layerNames) == ["grids", "microgrids", "building_assignments", "shop_assignments", "road_assignments",
                                           "unplaced_buildings"])
    }

    @Test func aMappingFileNamesTheLayersAndFieldsAsTheFlagsDo() async throws {
        let directory = try TemporaryDirectory()
        let office = directory.path("office")
        try await blocking { try OfficeDistrict.writeShapefiles(to: office) }
        try Data(OfficeDistrict.mappingFile.utf8).write(to: directory.url("office.json"))
        let expected = try await Self.report([OfficeDistrict.source])
        #expect(expected.contains("南京东路第1社区"))
        #expect(try await Self.report([office, "--mapping", directory.path("office.json")]) == expected)
        #expect(try await Self.report([office] + OfficeDistrict.mappingArguments) == expected)
        // A flag overrides the file's entry for the same field.
        let overridden = try await gridweave(["inspect", office, "--mapping", directory.path("office.json"), "--map", "buildings.households=户口"])
        #expect(overridden.status == 1)
        #expect(overridden.stderr.contains("field 户口"), "\(overridden.stderr)")
    }

    @Test func aWrongEncodingNamesTheFileRecordAndFieldAndNothingIsWritten() async throws {
        let directory = try TemporaryDirectory()
        let folder = directory.path("nocpg")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for layer in ["communities", "buildings"] {
            try await converted(["-f", "ESRI Shapefile", folder + "/\(layer).shp", OfficeDistrict.source, layer, "-lco", "ENCODING=GBK"])
            try FileManager.default.removeItem(atPath: folder + "/\(layer).cpg")
        }
        let output = directory.path("grids.gpkg")
        let result = try await gridweave(["partition", folder, "-o", output])
        #expect(result.status == 1)
        let line = result.stderr.split(separator: "\n").first.map(String.init) ?? ""
        #expect(line.hasPrefix("error: \(folder)/communities.shp"), "\(line)")
        for part in ["feature fid 0", "field name", "--encoding"] { #expect(line.contains(part), "\(part) missing from \(line)") }
        #expect(!FileManager.default.fileExists(atPath: output))

        // The encoding named, the same folder reads; a wrong one over a .cpg is refused too.
        #expect(try await gridweave(["inspect", folder, "--encoding", "GBK"]).status == 0)
        let office = directory.path("office")
        try await blocking { try OfficeDistrict.writeShapefiles(to: office) }
        let wrong = try await gridweave(["inspect", office, "--encoding", "UTF-8"] + OfficeDistrict.mappingArguments)
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("--encoding"), "\(wrong.stderr)")
        #expect(try await gridweave(["inspect", office, "--encoding", "KLINGON"]).status != 0)
    }

    @Test func aMappingToWhatIsNotThereListsWhatIs() async throws {
        let directory = try TemporaryDirectory()
        let office = directory.path("office")
        try await blocking { try OfficeDistrict.writeShapefiles(to: office) }
        let field = try await gridweave(["inspect", office] + OfficeDistrict.mappingArguments + ["--map", "buildings.households=户口"])
        #expect(field.status == 1)
        #expect(field.stderr.hasPrefix("error: \(office)/楼栋.shp, layer buildings, field 户口"), "\(field.stderr)")
        for name in ["楼栋编号", "户数", "层数", "单元数", "小区"] { #expect(field.stderr.contains(name), "\(name) missing from \(field.stderr)") }

        let layer = try await gridweave(["inspect", office] + OfficeDistrict.mappingArguments + ["--layer", "buildings=楼房"])
        #expect(layer.status == 1)
        for name in ["楼房", "楼栋", "社区", "道路"] { #expect(layer.stderr.contains(name), "\(name) missing from \(layer.stderr)") }

        let unmapped = try await gridweave(["inspect", office])
        #expect(unmapped.status == 1)
        #expect(unmapped.stderr.contains("--layer"), "\(unmapped.stderr)")
    }

    @Test func flatGeobufAndKMLReadAsTheGeoPackage() async throws {
        let directory = try TemporaryDirectory()
        let expected = try await Self.report([OfficeDistrict.source])
        let folder = directory.path("fgb")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for layer in ["communities", "buildings", "roads", "shops", "dedicated", "compounds"] {
            // Without the spatial index, FlatGeobuf keeps the features in their order.
            try await converted(["-f", "FlatGeobuf", folder + "/\(layer).fgb", OfficeDistrict.source, layer, "-lco", "SPATIAL_INDEX=NO"])
        }
        #expect(try await Self.report([folder]) == expected)
        // KML keeps a feature's name as its <name>, which GDAL reads back as the field Name.
        let kml = directory.path("district.kml")
        try await converted(["-f", "KML", kml, OfficeDistrict.source])
        #expect(try await Self.report([kml, "--map", "name=Name"]) == expected)
    }
}

/// `partition --format "ESRI Shapefile"`: a folder, refused before any work when it holds
/// other files; its flags are checked.
@Suite("Shapefile output", .enabled(if: gdalInstalled, "needs GDAL"), .timeLimit(.minutes(10)))
struct ShapefileOutputCommandTests {
    @Test func aFolderOfOtherFilesIsRefusedBeforeAnyWorkAndKept() async throws {
        let directory = try TemporaryDirectory()
        let folder = directory.path("out")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: directory.url("out/notes.txt"))
        let result = try await gridweave(["partition", sampleDistrict("bubenec.gpkg").path, "-o", folder, "--format", "ESRI Shapefile"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: \(folder)"), "\(result.stderr)")
        #expect(!result.stdout.contains("grids"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["notes.txt"])
    }

    @Test func writesAndReplacesAFolder() async throws {
        let directory = try TemporaryDirectory()
        let folder = directory.path("out")
        for _ in 0..<2 {
            let result = try await gridweave(["partition", sampleDistrict("bubenec.gpkg").path, "-o", folder, "--format", "ESRI Shapefile"])
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(try directory.contents() == ["out"])
        let gpkg = directory.path("grids.gpkg")
        #expect(try await gridweave(["partition", sampleDistrict("bubenec.gpkg").path, "-o", gpkg]).status == 0)
        let expected = try GeoPackageReader(path: gpkg).readLayer("grids").features.map { $0["code"] }
        #expect(try GDALReader(path: folder).readLayer("grids").features.map { $0["code"] } == expected)
        #expect(String(decoding: try Data(contentsOf: directory.url("out/grids.cpg")), as: UTF8.self) == "UTF-8")
        #expect(FileManager.default.fileExists(atPath: directory.path("out/grids.prj")))
    }

    @Test func flagsThatDoNotGoTogetherAreRefused() async throws {
        let district = sampleDistrict("bubenec.gpkg").path
        let directory = try TemporaryDirectory()
        for arguments in [["--output-encoding", "GBK"], ["--format", "ESRI Shapefile", "--previous", district], ["--format", "KML"]] {
            let result = try await gridweave(["partition", district, "-o", directory.path("out")] + arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.stderr.contains("error"), "\(arguments): \(result.stderr)")
        }
        #expect(try directory.contents().isEmpty)
    }
}

/// `gridweave` with `arguments`, run off the cooperative threads (it takes seconds).
func gridweave(_ arguments: [String]) async throws -> CommandResult {
    try await blocking { try runGridweave(arguments) }
}

/// ogr2ogr with `arguments`, off the cooperative threads.
func converted(_ arguments: [String]) async throws {
    try await blocking { try OfficeDistrict.convert(arguments) }
}
