import Projections
import Testing

@Suite(.timeLimit(.minutes(10)))
struct WorkingCRSTests {
    @Test(arguments: [
        (116.4, 39.9, 4548),  // Beijing: CM 117E
        (121.47, 31.23, 4549),  // Shanghai: CM 120E
        (75.99, 39.47, 4534),  // Kashgar: CM 75E, the westernmost zone
        (73.0, 39.0, 4534),  // west of CM 75E: clamped
        (136.5, 45.0, 4554),  // east of CM 135E: clamped
        (76.5, 39.0, 4535),  // halfway between CM 75E and 78E: a tie goes east
        (24.94, 60.17, 32635),  // Helsinki
        (151.2, -33.9, 32756),  // Sydney
        (-74.0, 40.7, 32618),  // New York
        (180.0, 0.0, 32660),  // the antimeridian: the last zone
        (-180.0, -10.0, 32701),
        (72.0, 40.0, 32643),  // just west of the China box: UTM
    ])
    func epsg(_ longitude: Double, _ latitude: Double, _ expected: Int) {
        #expect(WorkingCRS.epsg(forLongitude: longitude, latitude: latitude) == expected)
    }

    @Test func nonFiniteInputDoesNotTrap() {
        #expect(WorkingCRS.epsg(forLongitude: .nan, latitude: .nan) == 32631)
        #expect(WorkingCRS.epsg(forLongitude: .infinity, latitude: 10) == 32631)
    }

    /// Checks the arithmetic (4534 + one code per 3 degrees from 75E) against PROJ's database.
    @Test func chinaZonesAreTheGaussKrugerCentralMeridianZones() throws {
        for longitude in stride(from: 75.0, through: 135.0, by: 3.0) {
            let code = WorkingCRS.epsg(forLongitude: longitude, latitude: 35)
            let info = try CRSInfo.lookup(epsg: code)
            #expect(info.name == "CGCS2000 / 3-degree Gauss-Kruger CM \(Int(longitude))E")
        }
    }
}
