import ArgumentParser
import DistrictModel
import Projections

extension Datum: ExpressibleByArgument {}

/// The options of every command that reads a district.
struct DistrictOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Datum of the district's lon/lat coordinates: wgs84, or gcj02 / bd09 for data digitised from Chinese web maps (converted to WGS 84 on reading).",
        valueName: "datum"))
    var datum: Datum = .wgs84

    @Flag(help: "Estimate households of buildings that have none: area × floors × efficiency / dwelling size, residential buildings only.")
    var estimateHouseholds = false

    @Option(help: ArgumentHelp("With --estimate-households: floors of a building with no floors, levels or height.", valueName: "n"))
    var defaultFloors = HouseholdEstimation().defaultFloors

    @Option(help: ArgumentHelp("With --estimate-households: metres per storey, to turn a height into floors.", valueName: "m"))
    var floorHeight = HouseholdEstimation().floorHeight

    @Option(help: ArgumentHelp("With --estimate-households: share of floor area that is dwellings.", valueName: "share"))
    var efficiency = HouseholdEstimation().efficiency

    @Option(help: ArgumentHelp("With --estimate-households: typical dwelling size in m².", valueName: "m²"))
    var dwellingSize = HouseholdEstimation().dwellingSize

    func validate() throws {
        guard defaultFloors >= 1 else { throw ValidationError("--default-floors must be at least 1") }
        guard floorHeight > 0, efficiency > 0, efficiency <= 1, dwellingSize > 0 else {
            throw ValidationError("--floor-height and --dwelling-size must be positive, --efficiency in (0, 1]")
        }
    }

    var readOptions: DistrictReadOptions {
        DistrictReadOptions(
            datum: datum,
            householdEstimation: estimateHouseholds
                ? HouseholdEstimation(floorHeight: floorHeight, defaultFloors: defaultFloors, efficiency: efficiency, dwellingSize: dwellingSize)
                : nil)
    }
}
