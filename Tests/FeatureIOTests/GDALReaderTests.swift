import FeatureIO
import Foundation
import GeometryEngine
import TestSupport
import Testing

/// GDALReader reads what offices hand over, written by GDAL's own ogr2ogr, into the same model
/// as the GeoPackage reader; text is decoded strictly, in the encoding the file declares.
@Suite("GDAL reader", .enabled(if: gdalInstalled, "needs GDAL's ogr2ogr"), .timeLimit(.minutes(10)))
struct GDALReaderTests {
    static let shanghai = OfficeDistrict.source

    /// The communities of the sample as a Shapefile in `encoding`, with its `.cpg`.
    static func communitiesShapefile(in directory: TemporaryDirectory, encoding: String) async throws -> String {
        let path = directory.path("communities.shp")
        try await converted(["-f", "ESRI Shapefile", path, shanghai, "communities", "-lco", "ENCODING=\(encoding)"])
        return path
    }

    /// ogr2ogr with `arguments`, off the cooperative threads.
    static func converted(_ arguments: [String]) async throws {
        try await blocking { try OfficeDistrict.convert(arguments) }
    }

    @Test func aGBKShapefileReadsAsTheGeoPackageDoes() async throws {
        let directory = try TemporaryDirectory()
        let path = try await Self.communitiesShapefile(in: directory, encoding: "GBK")
        let reader = try GDALReader(path: path)
        #expect(reader.driverName == "ESRI Shapefile")
        #expect(reader.layerNames == ["communities"])
        #expect(try reader.encoding(ofLayer: "communities") == .gbk)
        let layer = try reader.readLayer("communities")
        let expected = try GeoPackageReader(path: Self.shanghai).readLayer("communities")
        #expect(layer.srs?.epsgCode == 4326)
        #expect(layer.features.count == expected.features.count)
        // Shapefile field names are cut to 10 characters: street_code is street_cod.
        for (read, original) in zip(layer.features, expected.features) {
            #expect(read["code"] == original["code"])
            #expect(read["name"] == original["name"])
            #expect(read["street_nam"] == original["street_name"])
            #expect(read.geometry?.envelope == original.geometry?.envelope)
        }
        #expect(expected.features.contains { $0["name"].string?.contains("社区") == true })
    }

    @Test func withoutACPGTheBytesMustBeUTF8AndAreNamedWhereTheyAreNot() async throws {
        let directory = try TemporaryDirectory()
        let path = try await Self.communitiesShapefile(in: directory, encoding: "GBK")
        try FileManager.default.removeItem(atPath: directory.path("communities.cpg"))
        let reader = try GDALReader(path: path)
        #expect(try reader.encoding(ofLayer: "communities") == .utf8)
        #expect {
            try reader.readLayer("communities")
        } throws: { error in
            guard let error = error as? FeatureIOError else { return false }
            return error.kind == .undecodableText && error.file == path && error.layer == "communities"
                && error.featureID == "fid 0" && error.field == "name"
        }
        // Told the encoding, the same file reads.
        let told = try GDALReader(path: path, encoding: .gbk).readLayer("communities")
        #expect(told.features.first?["name"].string?.hasSuffix("社区") == true)
    }

    @Test func anEncodingGivenOverridesTheCPG() async throws {
        let directory = try TemporaryDirectory()
        let path = try await Self.communitiesShapefile(in: directory, encoding: "GBK")
        #expect {
            try GDALReader(path: path, encoding: .utf8).readLayer("communities")
        } throws: { ($0 as? FeatureIOError)?.kind == .undecodableText }
    }

    @Test func gb18030HoldsWhatGBKCannot() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("shops.shp")
        try await Self.converted(["-f", "ESRI Shapefile", path, Self.shanghai, "shops", "-lco", "ENCODING=GB18030"])
        let reader = try GDALReader(path: path)
        #expect(try reader.encoding(ofLayer: "shops") == .gb18030)
        let names = Set(try reader.readLayer("shops").features.compactMap { $0["name"].string })
        #expect(names.contains("Häagen-Dazs"))
    }

    @Test func aMapInfoTableReadsWithChineseIntact() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("社区.tab")
        try await Self.converted(["-f", "MapInfo File", path, Self.shanghai, "communities", "-lco", "ENCODING=CP936"])
        let reader = try GDALReader(path: path)
        #expect(reader.driverName == "MapInfo File")
        let layer = try reader.readLayer(try #require(reader.layerNames.first))
        let expected = try GeoPackageReader(path: Self.shanghai).readLayer("communities")
        #expect(layer.features.map { $0["name"] } == expected.features.map { $0["name"] })
        #expect(layer.features.allSatisfy { $0.geometry?.dimension == 2 })
    }

    @Test func aDXFDrawingReadsItsEntities() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("plan.dxf")
        try await Self.converted(["-f", "DXF", path, Self.shanghai, "-sql", "SELECT geom FROM roads"])
        let reader = try GDALReader(path: path)
        #expect(reader.layerNames == ["entities"])
        let layer = try reader.readLayer("entities")
        // DXF has no multi-part lines: each part of a road is an entity of its own.
        let parts = try GeoPackageReader(path: Self.shanghai).readLayer("roads").features.reduce(0) { count, road in
            if case .multiLineString(let lines) = road.geometry { return count + lines.count }
            return count + 1
        }
        #expect(layer.features.count == parts)
        #expect(layer.features.allSatisfy { $0.geometry?.dimension == 1 })
        #expect(layer.field(named: "Layer") != nil)
    }

    @Test func aFileNoDriverReadsIsNotReadable() async throws {
        let directory = try TemporaryDirectory()
        try Data("neither a GeoPackage nor anything else".utf8).write(to: directory.url("notes.txt"))
        #expect {
            try GDALReader(path: directory.path("notes.txt"))
        } throws: { ($0 as? FeatureIOError).map { $0.kind == .notReadable && $0.file == directory.path("notes.txt") } ?? false }
        #expect {
            try GDALReader(path: directory.path("missing.shp"))
        } throws: { ($0 as? FeatureIOError)?.kind == .fileNotFound }
    }

    @Test func aLayerThatIsNotThereIsNamedWithThoseThatAre() async throws {
        let directory = try TemporaryDirectory()
        let path = try await Self.communitiesShapefile(in: directory, encoding: "UTF-8")
        #expect {
            try GDALReader(path: path).readLayer("buildings")
        } throws: { ($0 as? FeatureIOError).map { $0.kind == .layerNotFound && $0.message.contains("communities") } ?? false }
    }

    @Test func encodingNames() {
        #expect(TextEncoding("cp936") == .gbk)
        #expect(TextEncoding("GB2312") == .gbk)
        #expect(TextEncoding(" 936\n") == .gbk)
        #expect(TextEncoding("utf8") == .utf8)
        #expect(TextEncoding("65001") == .utf8)
        #expect(TextEncoding("54936") == .gb18030)
        #expect(TextEncoding("1252")?.name == "CP1252")
        #expect(TextEncoding("KLINGON") == nil)
        #expect(TextEncoding("") == nil)
    }
}
