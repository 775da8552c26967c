import TestSupport
import GeometryEngine
import Projections
import Testing

@Suite(.timeLimit(.minutes(10)))
struct GCJ02Tests {
    /// The published reference value (the coordtransform library's README).
    @Test func forwardMatchesTheGoldenValue() {
        let gcj = GCJ02.fromWGS84(XY(116.404, 39.915))
        #expect(isClose(gcj, XY(116.41024449916938, 39.91640428150164), within: 1e-9))
    }

    @Test func inverseRoundTripsUnderAMillimetre() {
        var random = SplitMix64(seed: 0x6C6A_3032)
        let wgs = random.points(100_000, longitude: chinaLongitudes, latitude: chinaLatitudes)
        let back = wgs.map { GCJ02.toWGS84(GCJ02.fromWGS84($0)) }
        #expect(maxMetres(wgs, back) < 0.001)
    }

    @Test func forwardOfTheInverseIsTheInput() {
        var random = SplitMix64(seed: 0x6C6A_3033)
        let gcj = random.points(100_000, longitude: chinaLongitudes, latitude: chinaLatitudes)
        let again = gcj.map { GCJ02.fromWGS84(GCJ02.toWGS84($0)) }
        #expect(maxMetres(gcj, again) < 0.001)
    }

    @Test func shiftIsHundredsOfMetresInChina() {
        let beijing = XY(116.404, 39.915)
        let shift = metres(beijing, GCJ02.fromWGS84(beijing))
        #expect(shift > 100 && shift < 1000)
    }

    @Test(arguments: [XY(24.94, 60.17), XY(-74.0, 40.7), XY(151.2, -33.9), XY(72.0, 40.0), XY(138.0, 35.0)])
    func pointsOutsideChinaAreUnchanged(_ point: XY) {
        #expect(GCJ02.isOutsideChina(point))
        #expect(GCJ02.fromWGS84(point) == point)
        #expect(GCJ02.toWGS84(point) == point)
    }

    @Test func boxBoundsAreInclusive() {
        #expect(!GCJ02.isOutsideChina(XY(72.004, 0.8293)))
        #expect(!GCJ02.isOutsideChina(XY(137.8347, 55.8271)))
        #expect(GCJ02.isOutsideChina(XY(72.0039, 30)))
        #expect(GCJ02.isOutsideChina(XY(100, 55.8272)))
    }
}

@Suite(.timeLimit(.minutes(10)))
struct BD09Tests {
    /// The published reference value (the coordtransform library's README).
    @Test func forwardMatchesTheGoldenValue() {
        let bd = BD09.fromGCJ02(XY(116.404, 39.915))
        #expect(isClose(bd, XY(116.41036949371029, 39.92133699351022), within: 1e-9))
    }

    @Test func inverseRoundTripsUnderAMillimetre() {
        var random = SplitMix64(seed: 0xBD09)
        let gcj = random.points(100_000, longitude: chinaLongitudes, latitude: chinaLatitudes)
        let back = gcj.map { BD09.toGCJ02(BD09.fromGCJ02($0)) }
        #expect(maxMetres(gcj, back) < 0.001)
    }

    @Test func forwardOfTheInverseIsTheInput() {
        var random = SplitMix64(seed: 0xBD0A)
        let bd = random.points(100_000, longitude: chinaLongitudes, latitude: chinaLatitudes)
        let again = bd.map { BD09.fromGCJ02(BD09.toGCJ02($0)) }
        #expect(maxMetres(bd, again) < 0.001)
    }

    /// The exact inverse refines the published approximate one, which is good to a few metres.
    @Test func inverseIsNearThePublishedApproximation() {
        let gcj = BD09.toGCJ02(XY(116.404, 39.915))
        #expect(metres(gcj, XY(116.39762729119315, 39.90865673957631)) < 10)
    }
}

@Suite(.timeLimit(.minutes(10)))
struct DatumTests {
    @Test func rawValuesAreTheCommandLineSpellings() {
        #expect(Datum.allCases.map(\.rawValue) == ["wgs84", "gcj02", "bd09"])
        #expect(Datum(rawValue: "gcj02") == .gcj02)
    }

    @Test func wgs84IsTheIdentity() {
        let point = XY(116.404, 39.915)
        #expect(Datum.wgs84.toWGS84(point) == point)
        #expect(Datum.wgs84.fromWGS84(point) == point)
    }

    @Test func gcj02WrapsGCJ02() {
        let point = XY(116.404, 39.915)
        #expect(Datum.gcj02.fromWGS84(point) == GCJ02.fromWGS84(point))
        #expect(Datum.gcj02.toWGS84(point) == GCJ02.toWGS84(point))
    }

    @Test func bd09ComposesBothShifts() {
        let wgs = XY(121.47, 31.23)
        let bd = Datum.bd09.fromWGS84(wgs)
        #expect(bd == BD09.fromGCJ02(GCJ02.fromWGS84(wgs)))
        #expect(metres(wgs, Datum.bd09.toWGS84(bd)) < 0.001)
    }

    @Test(arguments: Datum.allCases)
    func randomPointsRoundTripUnderAMillimetre(_ datum: Datum) {
        var random = SplitMix64(seed: 42)
        let wgs = random.points(10_000, longitude: chinaLongitudes, latitude: chinaLatitudes)
        let back = wgs.map { datum.toWGS84(datum.fromWGS84($0)) }
        #expect(maxMetres(wgs, back) < 0.001)
    }

    @Test func geometriesConvertEveryCoordinate() {
        let ring = [XY(116.40, 39.91), XY(116.41, 39.91), XY(116.41, 39.92), XY(116.40, 39.91)]
        let polygon = Geometry.polygon(Polygon(exterior: ring))
        #expect(Datum.gcj02.fromWGS84(polygon).coordinates == ring.map(GCJ02.fromWGS84))
        #expect(Datum.gcj02.toWGS84(polygon).coordinates == ring.map(GCJ02.toWGS84))
        #expect(Datum.wgs84.toWGS84(polygon) == polygon)
    }
}
