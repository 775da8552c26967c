import Testing
@testable import GeometryEngine

/// Geometries of every type, with holes, multiple parts and nesting.
let sampleGeometries: [Geometry] = [
    .point(XY(1.5, -2.25)),
    .lineString([XY(0, 0), XY(1, 1), XY(2, 0)]),
    .polygon(Polygon(exterior: [XY(0, 0), XY(10, 0), XY(10, 10), XY(0, 10), XY(0, 0)],
                     holes: [[XY(2, 2), XY(2, 4), XY(4, 4), XY(4, 2), XY(2, 2)]])),
    .multiPoint([XY(1, 2), XY(3, 4)]),
    .multiLineString([[XY(0, 0), XY(1, 0)], [XY(5, 5), XY(6, 6), XY(7, 5)]]),
    .multiPolygon([
        Polygon(exterior: [XY(0, 0), XY(1, 0), XY(1, 1), XY(0, 0)]),
        Polygon(exterior: [XY(5, 5), XY(9, 5), XY(9, 9), XY(5, 9), XY(5, 5)],
                holes: [[XY(6, 6), XY(6, 7), XY(7, 7), XY(6, 6)]]),
    ]),
    .geometryCollection([.point(XY(0, 0)), .lineString([XY(0, 0), XY(3, 3)])]),
    .geometryCollection([]),
]

@Suite(.timeLimit(.minutes(10))) struct WKBTests {
    @Test(arguments: sampleGeometries)
    func roundTrip(_ geometry: Geometry) throws {
        let bytes = WKB.encode(geometry)
        #expect(bytes.count == WKB.byteCount(of: geometry))
        #expect(try WKB.decode(bytes) == geometry)
    }

    @Test func readsBigEndianAndISOZ() throws {
        // POINT Z (1 2 3), big endian, ISO type 1001.
        var bytes: [UInt8] = [0, 0, 0, 0x03, 0xE9]
        for value in [1.0, 2.0, 3.0] { withUnsafeBytes(of: value.bitPattern.bigEndian) { bytes += $0 } }
        #expect(try WKB.decode(bytes) == .point(XY(1, 2)))
    }

    @Test func readsEWKBWithSRID() throws {
        // LINESTRING with the EWKB Z flag and an SRID, little endian.
        var bytes: [UInt8] = [1]
        withUnsafeBytes(of: UInt32(0xA000_0002).littleEndian) { bytes += $0 }
        withUnsafeBytes(of: UInt32(4326).littleEndian) { bytes += $0 }
        withUnsafeBytes(of: UInt32(2).littleEndian) { bytes += $0 }
        for value in [1.0, 2.0, 9.0, 3.0, 4.0, 9.0] { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
        #expect(try WKB.decode(bytes) == .lineString([XY(1, 2), XY(3, 4)]))
    }

    @Test func agreesWithGEOS() throws {
        // GEOS reads our WKB and writes WKT; we read GEOS's geometry back: both paths agree.
        for geometry in sampleGeometries {
            let context = GEOSContext()
            let object = try GEOSObject(geometry, context: context)
            #expect(try object.geometry() == geometry)
        }
    }

    @Test(arguments: [
        [UInt8](),
        [1, 1, 0, 0],                          // truncated type
        [2, 1, 0, 0, 0],                       // bad byte order
        [1, 99, 0, 0, 0],                      // unknown type
        [1, 2, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F], // count far beyond the data
        [1, 3, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 0, 0], // ring truncated
    ])
    func rejectsMalformedBytes(_ bytes: [UInt8]) {
        #expect {
            try WKB.decode(bytes)
        } throws: { error in
            (error as? GeometryError)?.kind == .invalidWKB
        }
    }
}
