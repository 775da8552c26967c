import FeatureIO
import Foundation
import GeometryEngine
import TestSupport
import Testing

@Suite("GeoPackage write → read", .timeLimit(.minutes(10)))
struct GeoPackageRoundTripTests {
    @Test("every geometry and field type reads back as written")
    func roundTrip() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("district.gpkg")
        let layers = Fixtures.typedLayers() + [Fixtures.mixedLayer()]
        try GeoPackageWriter.write(layers, to: path)

        let reader = try GeoPackageReader(path: path)
        #expect(reader.layerNames == layers.map(\.name))
        for layer in layers {
            let read = try reader.readLayer(layer.name)
            let expected = Fixtures.asRead(layer)
            #expect(read.geometryType == expected.geometryType)
            #expect(read.srs == expected.srs)
            #expect(read.fields == expected.fields)
            #expect(read.features.count == expected.features.count)
            for (got, want) in zip(read.features, expected.features) {
                #expect(got == want, "layer \(layer.name), fid \(want.fid ?? -1)")
            }
        }
    }

    @Test("layer info gives the schema, CRS and extent without reading rows")
    func layerInfo() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("info.gpkg")
        try GeoPackageWriter.write(Fixtures.typedLayers() + [Fixtures.assignments()], to: path)
        let reader = try GeoPackageReader(path: path)

        let polygons = try reader.layerInfo("polygons")
        #expect(polygons.dataType == "features")
        #expect(polygons.geometryType == "POLYGON")
        #expect(polygons.geometryColumn == "geom")
        #expect(polygons.fidColumn == "fid")
        #expect(polygons.srsID == 4547)
        #expect(polygons.srs == Fixtures.cgcs2000Zone38)
        #expect(polygons.srs?.epsgCode == 4547)
        #expect(polygons.fields == Fixtures.fields)
        #expect(polygons.extent == Envelope(minX: 0, minY: 0, maxX: 30, maxY: 25))

        let assignments = try reader.layerInfo("building_assignments")
        #expect(assignments.dataType == "attributes")
        #expect(assignments.geometryType == nil)
        #expect(assignments.srs == nil)
        #expect(assignments.extent == nil)
    }

    @Test("an attribute table (no geometry type) round-trips")
    func attributeTable() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("assignments.gpkg")
        let layer = Fixtures.assignments()
        try GeoPackageWriter.write([layer], to: path)
        let read = try GeoPackageReader(path: path).readLayer(layer.name)
        #expect(read == Fixtures.asRead(layer))
        #expect(read.isAttributeTable)
    }

    @Test("a layer without a CRS is written with the undefined srs_id -1 and reads back without one")
    func undefinedCRS() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("nocrs.gpkg")
        let layer = Layer(name: "sketch", geometryType: "POINT", features: [Feature(geometry: .point(XY(1, 2)))])
        try GeoPackageWriter.write([layer], to: path)
        let reader = try GeoPackageReader(path: path)
        #expect(try reader.layerInfo("sketch").srsID == -1)
        #expect(try reader.readLayer("sketch") == Fixtures.asRead(layer))
    }

    @Test("an empty layer and an empty file round-trip")
    func emptyLayers() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("empty.gpkg")
        let layer = Layer(name: "grids", geometryType: "POLYGON", srs: .wgs84, fields: [FieldDefinition("code", .text)])
        try GeoPackageWriter.write([layer], to: path)
        #expect(try GeoPackageReader(path: path).readLayer("grids") == layer)
        try GeoPackageWriter.write([], to: path)
        #expect(try GeoPackageReader(path: path).layerNames.isEmpty)
    }

    @Test("the same layers give a byte-identical file")
    func deterministic() throws {
        let directory = try TemporaryDirectory()
        let layers = Fixtures.typedLayers() + [Fixtures.mixedLayer(), Fixtures.assignments()]
        try GeoPackageWriter.write(layers, to: directory.path("a.gpkg"))
        try GeoPackageWriter.write(layers, to: directory.path("b.gpkg"))
        let first = try Data(contentsOf: directory.url("a.gpkg"))
        #expect(first == (try Data(contentsOf: directory.url("b.gpkg"))))
        // Writing over an existing file gives the same bytes again.
        try GeoPackageWriter.write(layers, to: directory.path("a.gpkg"))
        #expect(first == (try Data(contentsOf: directory.url("a.gpkg"))))
        // And only a caller's own time changes them.
        try GeoPackageWriter.write(layers, to: directory.path("c.gpkg"), lastChange: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(first != (try Data(contentsOf: directory.url("c.gpkg"))))
        #expect(try directory.contents() == ["a.gpkg", "b.gpkg", "c.gpkg"])
    }

    @Test("the header says GeoPackage 1.3 and the R-tree holds every non-empty geometry")
    func headerAndIndex() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("header.gpkg")
        try GeoPackageWriter.write(Fixtures.typedLayers() + [Fixtures.mixedLayer()], to: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        // application_id at offset 68 and user_version at offset 60, both big-endian.
        #expect(Array(bytes[68..<72]) == Array("GPKG".utf8))
        #expect(bytes[60..<64].reduce(0) { $0 << 8 | Int($1) } == 10300)

        let database = try SQLiteDatabase(path: path, mode: .readOnly)
        func scalar(_ sql: String) throws -> Int64 { try database.query(sql) { $0.int64(0) }.first ?? -1 }
        // polygons: two polygons and one empty polygon, which is not indexed.
        #expect(try scalar("SELECT count(*) FROM rtree_polygons_geom") == 2)
        #expect(try scalar("SELECT count(*) FROM rtree_lines_geom") == 1)
        #expect(try scalar("SELECT count(*) FROM rtree_mixed_geom") == 10)
        #expect(try scalar("SELECT id FROM rtree_polygons_geom WHERE minx <= 25 AND maxx >= 25") == 2)
        #expect(try database.query("SELECT rtreecheck('rtree_mixed_geom')") { $0.text(0) } == ["ok"])
        #expect(try scalar("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'polygons'") == 6)
        #expect(try scalar("SELECT count(*) FROM gpkg_extensions WHERE extension_name = 'gpkg_rtree_index'") == 8)
        #expect(try scalar("SELECT count(*) FROM gpkg_spatial_ref_sys WHERE srs_id IN (-1, 0, 4326, 4547)") == 4)
    }

    @Test("geometry blobs have a little-endian header with the srs_id and an XY envelope (none for points and empties)")
    func blobLayout() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("blobs.gpkg")
        let polygon = Geometry.polygon(Polygon(exterior: Fixtures.ring(1, 2, 3, 5)))
        try GeoPackageWriter.write([Layer(name: "shapes", geometryType: "GEOMETRY", srs: Fixtures.cgcs2000Zone38, features: [
            Feature(geometry: polygon), Feature(geometry: .point(XY(7, 8))), Feature(geometry: .multiPolygon([])),
        ])], to: path)
        let blobs = try SQLiteDatabase(path: path, mode: .readOnly)
            .query("SELECT geom FROM shapes ORDER BY fid") { row in row.withBlob(0) { Array($0) } }
        func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
        let srsID = littleEndian(Int32(4547))
        let envelope = [1.0, 3.0, 2.0, 5.0].flatMap { littleEndian($0.bitPattern) } // minx, maxx, miny, maxy
        #expect(blobs == [
            [0x47, 0x50, 0, 0b0000_0011] + srsID + envelope + WKB.encode(polygon),
            [0x47, 0x50, 0, 0b0000_0001] + srsID + WKB.encode(.point(XY(7, 8))),
            [0x47, 0x50, 0, 0b0001_0001] + srsID + WKB.encode(.multiPolygon([])),
        ])
    }

    @Test("big-endian blobs, and headers with XYZ, XYM and XYZM envelopes, read like GDAL's")
    func foreignBlobs() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("foreign.gpkg")
        let square = Fixtures.ring(0, 0, 1, 1)
        try GeoPackageWriter.write([Layer(name: "shapes", geometryType: "GEOMETRY", srs: .wgs84,
                                          features: Array(repeating: Feature(geometry: .point(XY(0, 0))), count: 5))], to: path)
        let blobs: [[UInt8]] = [
            GeoPackageBlob.make(wkb: GeoPackageBlob.bigEndianPolygon(square), envelopeDoubles: 4, bigEndianHeader: true),
            GeoPackageBlob.make(wkb: WKB.encode(.polygon(Polygon(exterior: square))), envelopeDoubles: 6),
            GeoPackageBlob.make(wkb: WKB.encode(.polygon(Polygon(exterior: square))), envelopeDoubles: 8),
            GeoPackageBlob.make(wkb: GeoPackageBlob.pointZ(3, 4, 5), envelopeDoubles: 0),
            GeoPackageBlob.make(wkb: WKB.encode(.lineString([])), envelopeDoubles: 0, empty: true),
        ]
        for (index, blob) in blobs.enumerated() {
            try GeoPackageBlob.replace(in: path, table: "shapes", fid: Int64(index + 1), with: blob)
        }
        let read = try GeoPackageReader(path: path).readLayer("shapes").features.map(\.geometry)
        #expect(read == [.polygon(Polygon(exterior: square)), .polygon(Polygon(exterior: square)), .polygon(Polygon(exterior: square)),
                         .point(XY(3, 4)), .lineString([])])
    }

    @Test("100 000 features write and read back", .timeLimit(.minutes(10)))
    func manyFeatures() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("many.gpkg")
        let features = (0..<100_000).map { index in
            let x = Double(index % 1000) * 10, y = Double(index / 1000) * 10
            return Feature(geometry: .polygon(Polygon(exterior: Fixtures.ring(x, y, x + 8, y + 8))),
                           properties: ["id": .text("b\(index)"), "households": .integer(Int64(index % 300))])
        }
        let layer = Layer(name: "buildings", geometryType: "POLYGON", srs: Fixtures.cgcs2000Zone38,
                          fields: [FieldDefinition("id", .text), FieldDefinition("households", .integer)], features: features)
        try GeoPackageWriter.write([layer], to: path)
        let read = try GeoPackageReader(path: path).readLayer("buildings")
        #expect(read.features.count == 100_000)
        #expect(read.features.last == Fixtures.asRead(layer).features.last)
        let database = try SQLiteDatabase(path: path, mode: .readOnly)
        #expect(try database.query("SELECT count(*) FROM rtree_buildings_geom") { $0.int64(0) } == [100_000])
        #expect(try database.query("SELECT rtreecheck('rtree_buildings_geom')") { $0.text(0) } == ["ok"])
    }

    @Test("the packed R-tree answers window queries exactly like a scan, and SQLite checks it sound")
    func spatialIndexQueries() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("index.gpkg")
        // Integer coordinates are exact in the R-tree's 32-bit floats, so the answers must match exactly.
        var random = SplitMix64(seed: 42)
        let boxes = (0..<5_000).map { _ in
            let x = Double(random.next() % 10_000), y = Double(random.next() % 10_000)
            return Envelope(minX: x, minY: y, maxX: x + Double(random.next() % 200), maxY: y + Double(random.next() % 200))
        }
        let layer = Layer(name: "buildings", geometryType: "POLYGON", srs: Fixtures.cgcs2000Zone38, features: boxes.map { box in
            Feature(geometry: .polygon(Polygon(exterior: Fixtures.ring(box.minX, box.minY, box.maxX, box.maxY))))
        })
        try GeoPackageWriter.write([layer], to: path)

        let database = try SQLiteDatabase(path: path, mode: .readOnly)
        #expect(try database.query("SELECT rtreecheck('rtree_buildings_geom')") { $0.text(0) } == ["ok"])
        let query = try database.prepare(
            "SELECT id FROM rtree_buildings_geom WHERE maxx >= ? AND minx <= ? AND maxy >= ? AND miny <= ? ORDER BY id")
        for _ in 0..<50 {
            let x = Double(random.next() % 10_000), y = Double(random.next() % 10_000)
            let window = Envelope(minX: x, minY: y, maxX: x + 500, maxY: y + 300)
            try query.bind(window.minX, at: 1)
            try query.bind(window.maxX, at: 2)
            try query.bind(window.minY, at: 3)
            try query.bind(window.maxY, at: 4)
            var found: [Int64] = []
            while try query.step() { found.append(query.int64(0)) }
            query.reset()
            let expected = boxes.indices.filter { boxes[$0].intersects(window) }.map { Int64($0 + 1) }
            #expect(found == expected)
        }
    }
}

/// Hand-made GeoPackage geometry blobs, for reading what other writers produce.
enum GeoPackageBlob {
    static func make(wkb: [UInt8], envelopeDoubles: Int, bigEndianHeader: Bool = false, empty: Bool = false,
                     srsID: Int32 = 4326) -> [UInt8] {
        let indicator: UInt8 = switch envelopeDoubles { case 4: 1; case 6: 2; case 8: 4; default: 0 }
        var flags: UInt8 = (indicator << 1) | (bigEndianHeader ? 0 : 1)
        if empty { flags |= 1 << 4 }
        var out: [UInt8] = [0x47, 0x50, 0, flags]
        func append<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: bigEndianHeader ? value.bigEndian : value.littleEndian) { out.append(contentsOf: $0) }
        }
        append(srsID)
        // An envelope of the unit square, padded with zeros for Z and M.
        for value in [0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0].prefix(envelopeDoubles) { append(value.bitPattern) }
        return out + wkb
    }

    /// A big-endian (byte order 0) WKB polygon with one ring.
    static func bigEndianPolygon(_ ring: [XY]) -> [UInt8] {
        var out: [UInt8] = [0]
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) } }
        append(UInt32(3))
        append(UInt32(1))
        append(UInt32(ring.count))
        for point in ring {
            append(point.x.bitPattern)
            append(point.y.bitPattern)
        }
        return out
    }

    /// An ISO WKB POINT Z (type 1001), little-endian.
    static func pointZ(_ x: Double, _ y: Double, _ z: Double) -> [UInt8] {
        var out: [UInt8] = [1]
        withUnsafeBytes(of: UInt32(1001).littleEndian) { out.append(contentsOf: $0) }
        for value in [x, y, z] { withUnsafeBytes(of: value.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        return out
    }

    /// Overwrites the geometry of one row. The R-tree triggers call functions only GDAL
    /// registers, so they are dropped first: the file is a test fixture, no longer indexed.
    static func replace(in path: String, table: String, fid: Int64, with blob: [UInt8]) throws {
        try replace(in: path, table: table, fid: fid, with: .blob(blob))
    }

    static func replace(in path: String, table: String, fid: Int64, with value: FieldValue) throws {
        let database = try SQLiteDatabase(path: path, mode: .create)
        let triggers = try database.query("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                                          bind: { try $0.bind(table, at: 1) }) { $0.text(0) ?? "" }
        for trigger in triggers { try database.execute("DROP TRIGGER \(quoteIdentifier(trigger))") }
        let update = try database.prepare("UPDATE \(quoteIdentifier(table)) SET geom = ? WHERE fid = ?")
        try update.bind(value, at: 1)
        try update.bind(fid, at: 2)
        try update.step()
    }
}

