import FeatureIO
import Foundation
import GeometryEngine
import TestSupport
import Testing

/// A folder of Shapefiles as offices take them: what GDAL reads back is what was written,
/// Chinese intact in UTF-8 or GBK; text an encoding cannot hold is refused by name; the folder
/// is replaced whole or not at all.
@Suite("Shapefile writer", .enabled(if: gdalInstalled, "needs GDAL"), .timeLimit(.minutes(10)))
struct ShapefileWriterTests {
    static func square(_ x: Double) -> Geometry {
        .polygon(Polygon(exterior: [XY(x, 31), XY(x, 31.001), XY(x + 0.001, 31.001), XY(x + 0.001, 31), XY(x, 31)]))
    }

    static let grids = Layer(
        name: "grids", geometryType: "POLYGON", srs: .wgs84,
        fields: [FieldDefinition("code", .text), FieldDefinition("community_code", .text), FieldDefinition("households", .integer),
                 FieldDefinition("road_m", .real), FieldDefinition("reason_zh", .text)],
        features: [
            Feature(fid: 1, geometry: square(121.4), properties: ["code": .text("310101002001001"), "community_code": .text("310101002001"),
                                                                  "households": .integer(187), "road_m": .real(12.5), "reason_zh": .null]),
            Feature(fid: 2, geometry: square(121.5), properties: ["code": .text("310101002001002"), "community_code": .text("310101002001"),
                                                                  "households": .integer(0), "road_m": .real(0), "reason_zh": .text("无住户的用地，已切开")]),
        ])

    static func short(_ name: String) -> String { name == "community_code" ? "comm_code" : name }

    @Test(arguments: [TextEncoding.utf8, .gbk])
    func whatIsWrittenReadsBack(encoding: TextEncoding) throws {
        let directory = try TemporaryDirectory()
        let folder = directory.path("out")
        try ShapefileWriter.write([Self.grids], toFolder: folder, encoding: encoding, fieldName: Self.short)
        #expect(String(decoding: try Data(contentsOf: directory.url("out/grids.cpg")), as: UTF8.self) == encoding.name)
        let reader = try GDALReader(path: folder)
        #expect(try reader.encoding(ofLayer: "grids") == encoding)
        let read = try reader.readLayer("grids")
        #expect(read.fields.map(\.name) == ["code", "comm_code", "households", "road_m", "reason_zh"])
        #expect(read.srs?.epsgCode == 4326)
        for (got, written) in zip(read.features, Self.grids.features) {
            #expect(got["code"] == written["code"])
            #expect(got["comm_code"] == written["community_code"])
            #expect(got["households"] == written["households"])
            #expect(got["road_m"] == written["road_m"])
            #expect(got["reason_zh"] == written["reason_zh"])
            #expect(got.geometry?.envelope == written.geometry?.envelope)
        }
    }

    @Test func textGBKCannotHoldIsRefusedByNameAndNothingIsWritten() throws {
        let directory = try TemporaryDirectory()
        var layer = Self.grids
        layer.features[1]["reason_zh"] = .text("Häagen-Dazs")
        #expect {
            try ShapefileWriter.write([layer], toFolder: directory.path("out"), encoding: .gbk, fieldName: Self.short)
        } throws: { error in
            guard let error = error as? FeatureIOError else { return false }
            return error.kind == .invalidValue && error.file == directory.path("out") && error.layer == "grids"
                && error.featureID == "fid 2" && error.field == "reason_zh"
        }
        #expect(try directory.contents().isEmpty)
        // A field name the table leaves too long is refused too.
        #expect {
            try ShapefileWriter.write([Self.grids], toFolder: directory.path("out"))
        } throws: { ($0 as? FeatureIOError).map { $0.kind == .invalidLayer && $0.field == "community_code" } ?? false }
        #expect(try directory.contents().isEmpty)
    }

    @Test func aPreviousOutputIsReplacedWholeAndAForeignFolderIsNot() throws {
        let directory = try TemporaryDirectory()
        let folder = directory.path("out")
        try ShapefileWriter.write([Self.grids], toFolder: folder, fieldName: Self.short)
        var fewer = Self.grids
        fewer.features.removeLast()
        try ShapefileWriter.write([fewer], toFolder: folder, fieldName: Self.short)
        #expect(try GDALReader(path: folder).readLayer("grids").features.count == 1)
        #expect(try directory.contents() == ["out"])

        try Data("notes".utf8).write(to: directory.url("out/notes.txt"))
        #expect {
            try ShapefileWriter.write([Self.grids], toFolder: folder, fieldName: Self.short)
        } throws: { ($0 as? FeatureIOError).map { $0.kind == .write && $0.file == folder } ?? false }
        #expect(try GDALReader(path: folder).readLayer("grids").features.count == 1)
        #expect(try directory.contents() == ["out"])
    }
}
