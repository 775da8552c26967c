import Projections
import Testing

@Suite(.timeLimit(.minutes(10)))
struct CRSInfoTests {
    @Test func wgs84IsGeographic() throws {
        let info = try CRSInfo.lookup(epsg: 4326)
        #expect(info.epsg == 4326)
        #expect(info.name == "WGS 84")
        #expect(info.isGeographic)
        #expect(info.wkt.hasPrefix("GEOGCS[\"WGS 84\""))
        #expect(info.wkt.contains("AUTHORITY[\"EPSG\",\"4326\"]"))
    }

    @Test func gaussKrugerZoneIsProjected() throws {
        let info = try CRSInfo.lookup(epsg: 4548)
        #expect(info.name == "CGCS2000 / 3-degree Gauss-Kruger CM 117E")
        #expect(!info.isGeographic)
        #expect(info.wkt.hasPrefix("PROJCS["))
        #expect(info.wkt.contains("CGCS2000"))
        #expect(info.wkt.contains("PARAMETER[\"central_meridian\",117]"))
    }

    @Test func utmZoneIsProjected() throws {
        let info = try CRSInfo.lookup(epsg: 32650)
        #expect(info.name == "WGS 84 / UTM zone 50N")
        #expect(!info.isGeographic)
        #expect(!info.wkt.isEmpty)
    }

    /// WKT 1 has no geographic 3D CRS; it is written as GDAL does, as a compound CRS.
    @Test func geographic3DIsGeographicAndHasWKT1() throws {
        let info = try CRSInfo.lookup(epsg: 4979)
        #expect(info.isGeographic)
        #expect(info.wkt.hasPrefix("COMPD_CS["))
    }

    @Test(arguments: [999_999, 0, -4326])
    func unknownCodesAreReported(_ code: Int) {
        let error = #expect(throws: ProjectionError.self) { try CRSInfo.lookup(epsg: code) }
        #expect(error?.kind == .unknownCRS)
        #expect(error?.epsg == code)
        #expect(error?.description.contains("EPSG:\(code)") == true)
    }
}
