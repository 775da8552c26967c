import FeatureIO
import Foundation
import GeometryEngine
import TestSupport
import Testing

/// Runs `body` and returns the `FeatureIOError` it throws (failing the test if it throws
/// nothing or something else).
func featureIOError(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> FeatureIOError? {
    do {
        try body()
        Issue.record("expected a FeatureIOError, nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as FeatureIOError {
        return error
    } catch {
        Issue.record("expected a FeatureIOError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

@Suite("GeoPackage reading errors", .timeLimit(.minutes(10)))
struct GeoPackageReadingErrorTests {
    @Test("a missing file is fileNotFound, naming the file")
    func missingFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("nowhere.gpkg")
        let error = featureIOError { _ = try GeoPackageReader(path: path) }
        #expect(error?.kind == .fileNotFound)
        #expect(error?.file == path)
        #expect(error?.description == "error: \(path): no such file")
        #expect(try directory.contents().isEmpty, "a read-only open must not create the file")
    }

    @Test("a text file, an empty file and a plain SQLite database are not GeoPackages")
    func notAGeoPackage() throws {
        let directory = try TemporaryDirectory()
        let text = directory.path("notes.gpkg")
        try Data("id,households\n1,20\n".utf8).write(to: URL(fileURLWithPath: text))
        let empty = directory.path("empty.gpkg")
        try Data().write(to: URL(fileURLWithPath: empty))
        let plain = directory.path("plain.sqlite")
        try SQLiteDatabase(path: plain, mode: .create).execute("CREATE TABLE buildings (id TEXT)")

        for path in [text, empty, plain, directory.path] {
            let error = featureIOError { _ = try GeoPackageReader(path: path) }
            #expect(error?.kind == .notAGeoPackage, "\(path)")
            #expect(error?.file == path)
        }
    }

    @Test("an unknown layer is layerNotFound, naming the file and layer")
    func unknownLayer() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("district.gpkg")
        try GeoPackageWriter.write(Fixtures.typedLayers(), to: path)
        let reader = try GeoPackageReader(path: path)
        for call in [{ _ = try reader.readLayer("buildings") }, { _ = try reader.layerInfo("buildings") },
                     { _ = try reader.readLayer("gpkg_contents") }] {
            let error = featureIOError(call)
            #expect(error?.kind == .layerNotFound)
            #expect(error?.file == path)
            #expect(error?.layer != nil)
        }
    }

    static let corruptBlobs: [(String, [UInt8], FeatureIOError.Kind)] = [
        ("not GeoPackage binary", Array("POLYGON((0 0,1 0,1 1,0 0))".utf8), .invalidGeometry),
        ("shorter than the header", [0x47, 0x50, 0], .invalidGeometry),
        ("unknown version", [0x47, 0x50, 7, 1, 0, 0, 0, 0] + WKB.encode(.point(XY(1, 2))), .invalidGeometry),
        ("envelope indicator 5", [0x47, 0x50, 0, 0b0000_1011, 0, 0, 0, 0] + WKB.encode(.point(XY(1, 2))), .invalidGeometry),
        ("truncated WKB", Array(GeoPackageBlob.make(wkb: WKB.encode(.polygon(Fixtures.donut(0, 0))), envelopeDoubles: 4).dropLast(9)),
         .invalidGeometry),
        ("envelope but no WKB", GeoPackageBlob.make(wkb: [], envelopeDoubles: 4), .invalidGeometry),
        ("WKB of an unknown type", GeoPackageBlob.make(wkb: [1, 99, 0, 0, 0], envelopeDoubles: 0), .invalidGeometry),
        ("extended geometry type", [0x47, 0x50, 0, 0b0010_0001, 0, 0, 0, 0] + Array("CURV".utf8), .unsupported),
    ]

    @Test("a corrupt geometry blob names the layer and the feature", arguments: corruptBlobs)
    func corruptBlob(_ name: String, _ blob: [UInt8], _ kind: FeatureIOError.Kind) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("district.gpkg")
        let layer = Layer(name: "buildings", geometryType: "POLYGON", srs: .wgs84,
                          features: (0..<20).map { Feature(geometry: .polygon(Fixtures.donut(Double($0), 0))) })
        try GeoPackageWriter.write([layer], to: path)
        try GeoPackageBlob.replace(in: path, table: "buildings", fid: 17, with: blob)

        let error = featureIOError { _ = try GeoPackageReader(path: path).readLayer("buildings") }
        #expect(error?.kind == kind)
        #expect(error?.file == path)
        #expect(error?.layer == "buildings")
        #expect(error?.featureID == "17")
        #expect(error?.description.hasPrefix("error: \(path), layer buildings, feature 17: ") == true)
    }

    @Test("a geometry stored as text is invalidGeometry")
    func geometryAsText() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("district.gpkg")
        try GeoPackageWriter.write([Layer(name: "shops", geometryType: "POINT", features: [Feature(geometry: .point(XY(0, 0)))])], to: path)
        try GeoPackageBlob.replace(in: path, table: "shops", fid: 1, with: .text("POINT (0 0)"))
        let error = featureIOError { _ = try GeoPackageReader(path: path).readLayer("shops") }
        #expect(error?.kind == .invalidGeometry)
        #expect(error?.featureID == "1")
    }

    @Test("an srs_id missing from gpkg_spatial_ref_sys still reads, and says which it was")
    func unknownSpatialReference() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("district.gpkg")
        try GeoPackageWriter.write([Layer(name: "shops", geometryType: "POINT", srs: Fixtures.cgcs2000Zone38,
                                          features: [Feature(geometry: .point(XY(0, 0)))])], to: path)
        try SQLiteDatabase(path: path, mode: .create).execute("DELETE FROM gpkg_spatial_ref_sys WHERE srs_id = 4547")
        let layer = try GeoPackageReader(path: path).readLayer("shops")
        #expect(layer.srs?.srsID == 4547)
        #expect(layer.srs?.definition == "undefined")
        #expect(layer.features.count == 1)
    }
}

@Suite("GeoPackage writing errors", .timeLimit(.minutes(10)))
struct GeoPackageWritingErrorTests {
    static let invalidLayers: [(String, [Layer], String?)] = [
        ("reserved name", [Layer(name: "gpkg_grids", geometryType: "POLYGON")], nil),
        ("R-tree name", [Layer(name: "rtree_x_geom")], nil),
        ("empty name", [Layer(name: "")], nil),
        ("same name, other case", [Layer(name: "grids", geometryType: "POLYGON"), Layer(name: "Grids")], nil),
        ("field named fid", [Layer(name: "grids", fields: [FieldDefinition("FID", .integer)])], "FID"),
        ("field named geom", [Layer(name: "grids", geometryType: "POLYGON", fields: [FieldDefinition("geom", .text)])], "geom"),
        ("duplicate field", [Layer(name: "grids", fields: [FieldDefinition("code", .text), FieldDefinition("Code", .text)])], "Code"),
        ("unknown geometry type", [Layer(name: "grids", geometryType: "CIRCLE")], nil),
        ("one srs_id, two CRSs", [Layer(name: "a", geometryType: "POINT", srs: Fixtures.cgcs2000Zone38),
                                  Layer(name: "b", geometryType: "POINT",
                                        srs: .epsg(4547, name: "other", definition: "PROJCS[\"other\"]"))], nil),
        ("redefining srs_id -1", [Layer(name: "a", geometryType: "POINT", srs: .epsg(-1, name: "x", definition: "GEOGCS[\"x\"]"))], nil),
    ]

    @Test("a layer that cannot be written is invalidLayer, and nothing is written", arguments: invalidLayers)
    func invalidLayer(_ name: String, _ layers: [Layer], _ field: String?) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("out.gpkg")
        let error = featureIOError { try GeoPackageWriter.write(layers, to: path) }
        #expect(error?.kind == .invalidLayer)
        #expect(error?.file == path)
        #expect(error?.layer != nil)
        #expect(error?.field == field)
        #expect(try directory.contents().isEmpty)
    }

    static let badFeatures: [(String, Feature, FeatureIOError.Kind, String?)] = [
        ("text in an INTEGER field", Feature(geometry: .polygon(Fixtures.donut(0, 0)), properties: ["households": .text("12")]),
         .invalidValue, "households"),
        ("real in an INTEGER field", Feature(geometry: .polygon(Fixtures.donut(0, 0)), properties: ["households": .real(1.5)]),
         .invalidValue, "households"),
        ("property that is not a field", Feature(geometry: .polygon(Fixtures.donut(0, 0)), properties: ["floors": .integer(6)]),
         .invalidValue, "floors"),
        ("line in a POLYGON layer", Feature(geometry: .lineString([XY(0, 0), XY(1, 1)])), .invalidGeometry, nil),
        ("multipolygon in a POLYGON layer", Feature(geometry: .multiPolygon([Fixtures.donut(0, 0)])), .invalidGeometry, nil),
        ("NaN coordinate", Feature(geometry: .polygon(Polygon(exterior: [XY(0, 0), XY(.nan, 1), XY(1, 1), XY(0, 0)]))),
         .invalidGeometry, nil),
        ("infinite point", Feature(geometry: .polygon(Polygon(exterior: [XY(0, 0), XY(1, .infinity), XY(1, 1), XY(0, 0)]))),
         .invalidGeometry, nil),
        ("duplicate fid", Feature(fid: 3, geometry: nil), .invalidValue, "fid"),
    ]

    /// A layer of 10 000 good buildings with one bad feature in the middle: the writer fails
    /// after the temporary file has been created and half filled.
    static func buildings(badFeature: Feature) -> Layer {
        var features = (0..<10_000).map { index in
            Feature(fid: Int64(index + 1), geometry: .polygon(Fixtures.donut(Double(index), 0)),
                    properties: ["id": .text("b\(index)"), "households": .integer(Int64(index % 50))])
        }
        features.insert(badFeature, at: 5_000)
        return Layer(name: "buildings", geometryType: "POLYGON", srs: Fixtures.cgcs2000Zone38,
                     fields: [FieldDefinition("id", .text), FieldDefinition("households", .integer)], features: features)
    }

    @Test("a feature that does not fit fails the write midway, names where it is, and leaves the old file intact",
          arguments: badFeatures)
    func badFeature(_ name: String, _ feature: Feature, _ kind: FeatureIOError.Kind, _ field: String?) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("district.gpkg")
        try GeoPackageWriter.write(Fixtures.typedLayers(), to: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        let error = featureIOError { try GeoPackageWriter.write([Fixtures.assignments(), Self.buildings(badFeature: feature)], to: path) }
        #expect(error?.kind == kind)
        #expect(error?.file == path)
        #expect(error?.layer == "buildings")
        #expect(error?.row == 5_000)
        #expect(error?.featureID == feature.fid.map(String.init))
        #expect(error?.field == field)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "the previous file changed")
        #expect(try directory.contents() == ["district.gpkg"], "a temporary file was left behind")
    }

    @Test("a failed first write leaves no file at all")
    func failedFirstWrite() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("district.gpkg")
        let error = featureIOError {
            try GeoPackageWriter.write([Self.buildings(badFeature: Feature(geometry: .point(XY(0, 0))))], to: path)
        }
        #expect(error?.kind == .invalidGeometry)
        #expect(try directory.contents().isEmpty)
    }

    @Test("an attribute table cannot hold a geometry")
    func geometryInAttributeTable() throws {
        let directory = try TemporaryDirectory()
        var layer = Fixtures.assignments()
        layer.features[2].geometry = .point(XY(0, 0))
        let error = featureIOError { try GeoPackageWriter.write([layer], to: directory.path("a.gpkg")) }
        #expect(error?.kind == .invalidGeometry)
        #expect(error?.row == 2)
        #expect(try directory.contents().isEmpty)
    }

    @Test("a directory that does not exist is a write error naming the file")
    func missingDirectory() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("no/such/dir/district.gpkg")
        let error = featureIOError { try GeoPackageWriter.write(Fixtures.typedLayers(), to: path) }
        #expect(error?.kind == .write)
        #expect(error?.file == path)
    }

    @Test("a directory in the way of the file is a write error, and no temporary file is left")
    func directoryInTheWay() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("district.gpkg")
        try FileManager.default.createDirectory(atPath: path + "/inside", withIntermediateDirectories: true)
        let error = featureIOError { try GeoPackageWriter.write(Fixtures.typedLayers(), to: path) }
        #expect(error?.kind == .write)
        #expect(error?.file == path)
        #expect(try directory.contents() == ["district.gpkg"])
    }
}
