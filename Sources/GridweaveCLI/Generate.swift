import ArgumentParser
import DistrictModel
import DistrictSynthesis
import FeatureIO
import Foundation

/// `gridweave generate`: a synthetic district of Chinese urban fabric, for tests, benchmarks
/// and trying the engine without real data.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a synthetic district of Chinese urban fabric, deterministic from a seed.",
        discussion: """
            Gated compounds of slab buildings with entrance units and floors, courtyard compounds \
            of walk-ups, old open walk-up areas, high-rise towers, shops along streets, arterial, \
            secondary and branch roads, dedicated sites (schools, malls, enterprises, hospitals) \
            and rural villages at the edge; with --mess (the default), the faults real data has: \
            a building across two communities, an invalid footprint, a community with a hole, a \
            community in two pieces, a building outside every community.

            The same seed and size give the same file, byte for byte. Coordinates are metres in \
            CGCS2000 / 3-degree Gauss-Krüger CM 120E (EPSG:4549), near Shanghai.

            Examples:
              gridweave generate -o city.gpkg --households 200000 --seed 7
              gridweave generate -o tiny.gpkg --households 3000 --no-mess
            """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("The GeoPackage to write.", valueName: "district.gpkg"))
    var output: String

    @Option(help: ArgumentHelp("Households in the district (about; from 2,000 to 3,000,000).", valueName: "n"))
    var households = 20_000

    @Option(help: ArgumentHelp("Random seed: the same seed gives the same district.", valueName: "n"))
    var seed: UInt64 = 1

    @Flag(inversion: .prefixedNo, help: "Inject the faults real data has (see above).")
    var mess = true

    func validate() throws {
        guard (1_000...5_000_000).contains(households) else {
            throw ValidationError("--households must be between 1,000 and 5,000,000")
        }
    }

    func run() throws {
        let start = Date()
        try reportingErrors { _ = try FileCheck.outputFile(output) }
        let result = SyntheticCity.generateWithReport(SyntheticCity.Options(seed: seed, households: households, includeMess: mess))
        try reportingErrors { try DistrictWriter.write(result.district, to: output) }
        let district = result.district
        printError("""
            wrote \(output): \(grouped(district.communities.count)) communities, \(grouped(district.buildings.count)) buildings, \
            \(grouped(district.households)) households, \(grouped(district.roads.count)) roads, \(grouped(district.shops.count)) shops, \
            \(grouped(district.dedicated.count)) dedicated sites, \(grouped(district.compounds.count)) compounds \
            in \(String(format: "%.1f", Date().timeIntervalSince(start))) s
            """)
    }
}
