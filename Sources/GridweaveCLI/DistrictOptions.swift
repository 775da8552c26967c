import ArgumentParser
import DistrictModel
import FeatureIO
import Projections

extension Datum: ExpressibleByArgument {}

extension TextEncoding: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

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

    @Option(name: .customLong("layer"), help: ArgumentHelp(
        "Which layer of the source is a district layer, when the office names it otherwise: communities=社区 (repeatable).",
        valueName: "layer=source"))
    var layers: [String] = []

    @Option(name: .customLong("map"), help: ArgumentHelp(
        "Which field of the source is one of ours: buildings.households=户数 for one layer, households=户数 for every layer having 户数 (repeatable).",
        valueName: "[layer.]field=source"))
    var fieldMappings: [String] = []

    @Option(help: ArgumentHelp(
        "A JSON file of layer and field names, and the encoding: {\"layers\": {\"buildings\": \"楼栋\"}, \"fields\": {\"buildings.households\": \"户数\"}, \"encoding\": \"GBK\"}. Flags override it.",
        valueName: "file.json"))
    var mapping: String?

    @Option(help: ArgumentHelp(
        "Encoding of a Shapefile's attributes (GBK, GB18030, UTF-8...), over its .cpg; without either, UTF-8.",
        valueName: "name"))
    var encoding: TextEncoding?

    func validate() throws {
        _ = try flagMapping()
        guard defaultFloors >= 1 else { throw ValidationError("--default-floors must be at least 1") }
        guard floorHeight > 0, efficiency > 0, efficiency <= 1, dwellingSize > 0 else {
            throw ValidationError("--floor-height and --dwelling-size must be positive, --efficiency in (0, 1]")
        }
    }

    /// The mapping of `--layer` and `--map`.
    private func flagMapping() throws -> DistrictMapping {
        var mapping = DistrictMapping()
        do {
            for entry in layers { try mapping.addLayer(entry) }
            for entry in fieldMappings { try mapping.addField(entry) }
        } catch {
            throw ValidationError(error.description)
        }
        return mapping
    }

    /// How to read the district; reads the `--mapping` file, so errors are `DistrictError`s.
    func readOptions() throws -> DistrictReadOptions {
        let fileMapping = try mapping.map { try DistrictMapping.load(path: $0) } ?? DistrictMapping()
        return DistrictReadOptions(
            datum: datum,
            householdEstimation: estimateHouseholds
                ? HouseholdEstimation(floorHeight: floorHeight, defaultFloors: defaultFloors, efficiency: efficiency, dwellingSize: dwellingSize)
                : nil,
            mapping: fileMapping.overridden(by: try flagMapping()),
            encoding: encoding)
    }
}
