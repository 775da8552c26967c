import TestSupport
import GeometryEngine
import Projections
import Testing

@Suite(.timeLimit(.minutes(10)))
struct CoordinateTransformerTests {
    let beijing = XY(116.404, 39.915)

    @Test func beijingInItsGaussKrugerZone() throws {
        let transformer = try CoordinateTransformer(from: 4326, to: 4548)
        let projected = try transformer.transform(beijing)
        // EPSG:4548 is northing first; normalised, x is the easting (false easting 500 km, CM 117E).
        #expect(abs(projected.x - 500_000) < 100_000)
        #expect(projected.x < 500_000)  // west of the central meridian
        #expect(abs(projected.y - 4.42e6) < 0.1e6)
        #expect(isClose(try transformer.inverse(projected), beijing, within: 1e-9))
    }

    @Test func webMercator() throws {
        let transformer = try CoordinateTransformer(from: 4326, to: 3857)
        #expect(isClose(try transformer.transform(XY(0, 0)), XY(0, 0), within: 1e-6))
        #expect(isClose(try transformer.transform(XY(180, 0)), XY(20_037_508.34, 0), within: 0.01))
        #expect(isClose(try transformer.transform(XY(-180, 0)), XY(-20_037_508.34, 0), within: 0.01))
    }

    @Test func webMercatorToGeographic() throws {
        let transformer = try CoordinateTransformer(from: 3857, to: 4326)
        #expect(isClose(try transformer.transform(XY(20_037_508.342789244, 0)), XY(180, 0), within: 1e-9))
        let shanghai = XY(121.47, 31.23)
        let mercator = try CoordinateTransformer(from: 4326, to: 3857).transform(shanghai)
        #expect(isClose(try transformer.transform(mercator), shanghai, within: 1e-9))
    }

    /// EPSG:4326 and EPSG:4490 are both latitude first by definition; normalised, x stays longitude.
    @Test func geographicAxesAreLongitudeFirst() throws {
        let cgcs2000 = try CoordinateTransformer(from: 4326, to: 4490).transform(beijing)
        #expect(isClose(cgcs2000, beijing, within: 1e-4))
        let back = try CoordinateTransformer(from: 4548, to: 4326)
            .transform(try CoordinateTransformer(from: 4326, to: 4548).transform(beijing))
        #expect(isClose(back, beijing, within: 1e-9))
    }

    @Test func arraysMatchPointByPoint() throws {
        let transformer = try CoordinateTransformer(from: 4326, to: 4548)
        var random = SplitMix64(seed: 4548)
        let input = random.points(1_000, longitude: 115.5...118.5, latitude: 30...42)
        var points = input
        try transformer.transform(&points)
        #expect(points == (try input.map(transformer.transform)))
        try transformer.inverse(&points)
        #expect(zip(points, input).allSatisfy { isClose($0, $1, within: 1e-9) })
    }

    @Test func emptyArraysStayEmpty() throws {
        var points: [XY] = []
        try CoordinateTransformer(from: 4326, to: 3857).transform(&points)
        #expect(points.isEmpty)
    }

    @Test func geometriesTransformEveryCoordinate() throws {
        let transformer = try CoordinateTransformer(from: 4326, to: 4548)
        let shell = [XY(116.40, 39.91), XY(116.42, 39.91), XY(116.42, 39.93), XY(116.40, 39.93), XY(116.40, 39.91)]
        let hole = [XY(116.41, 39.92), XY(116.411, 39.92), XY(116.411, 39.921), XY(116.41, 39.92)]
        let polygon = Polygon(exterior: shell, holes: [hole])
        let geometry = Geometry.geometryCollection([
            .polygon(polygon),
            .multiPolygon([polygon, Polygon(rings: [])]),
            .lineString(shell),
            .multiLineString([shell, hole]),
            .point(beijing),
            .multiPoint([beijing, XY(116.5, 40)]),
        ])
        let projected = try transformer.transform(geometry)
        #expect(projected.typeName == geometry.typeName)
        #expect(projected.coordinates == (try geometry.coordinates.map(transformer.transform)))
        #expect(projected == (try geometry.mapCoordinates(transformer.transform)))
        let back = try transformer.inverse(projected)
        #expect(zip(back.coordinates, geometry.coordinates).allSatisfy { isClose($0, $1, within: 1e-9) })
    }

    @Test func invertedGoesTheOtherWay() throws {
        let transformer = try CoordinateTransformer(from: 4326, to: 4548)
        let inverted = try transformer.inverted()
        #expect(inverted.sourceEPSG == 4548 && inverted.targetEPSG == 4326)
        let projected = try transformer.transform(beijing)
        #expect(isClose(try inverted.transform(projected), try transformer.inverse(projected), within: 1e-12))
    }

    @Test func sameCodeIsTheIdentity() throws {
        let transformer = try CoordinateTransformer(from: 4548, to: 4548)
        #expect(transformer.isIdentity)
        let point = XY(123_456.789, 4_400_000.5)
        #expect(try transformer.transform(point) == point)
        #expect(try transformer.transform(Geometry.lineString([point, point])) == .lineString([point, point]))
        #expect(!(try CoordinateTransformer(from: 4326, to: 4548)).isIdentity)
    }

    @Test(arguments: [(999_999, 4326), (4326, 999_999), (999_999, 999_999)])
    func unknownCodesAreReported(_ source: Int, _ target: Int) {
        let error = #expect(throws: ProjectionError.self) {
            try CoordinateTransformer(from: source, to: target)
        }
        #expect(error?.kind == .unknownCRS)
        #expect(error?.epsg == 999_999)
    }

    @Test func aPointOutsideTheDomainIsReported() throws {
        let transformer = try CoordinateTransformer(from: 4326, to: 3857)
        let bad = XY(10, 100)
        let error = #expect(throws: ProjectionError.self) { try transformer.transform(bad) }
        #expect(error?.kind == .transformFailed)
        #expect(error?.point == bad)
        #expect(error?.epsg == 4326)
        // The transformer is still usable after a failure.
        #expect(isClose(try transformer.transform(XY(0, 0)), XY(0, 0), within: 1e-6))
    }

    @Test func aFailedArrayNamesTheFirstBadPointAndIsLeftUnchanged() throws {
        let transformer = try CoordinateTransformer(from: 4326, to: 3857)
        let input = [XY(0, 0), XY(1, 1), XY(2, 100), XY(3, -95), XY(4, 4)]
        var points = input
        let error = #expect(throws: ProjectionError.self) { try transformer.transform(&points) }
        #expect(error?.kind == .transformFailed)
        #expect(error?.point == XY(2, 100))
        #expect(points == input)
    }

    @Test func aFailedGeometryIsReported() throws {
        let transformer = try CoordinateTransformer(from: 4326, to: 3857)
        let line = Geometry.lineString([XY(0, 0), XY(.nan, 1)])
        let error = #expect(throws: ProjectionError.self) { try transformer.transform(line) }
        #expect(error?.kind == .transformFailed)
    }

    @Test func aFailedInverseNamesTheTargetCRS() throws {
        let transformer = try CoordinateTransformer(from: 4326, to: 3857)
        let error = #expect(throws: ProjectionError.self) { try transformer.inverse(XY(.infinity, 0)) }
        #expect(error?.kind == .transformFailed)
        #expect(error?.epsg == 3857)
    }
}
