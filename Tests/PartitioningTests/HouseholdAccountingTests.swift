import DistrictModel
import DistrictSynthesis
import FeatureIO
import Foundation
import Partitioning
import Testing
import TestSupport

/// Every household of the input is counted once: in `building_assignments`, or in
/// `unplaced_buildings` with its reason (`data.md`: nothing is dropped silently). Checked on
/// the written file against the input file as stored, so that reading, partitioning and writing
/// are all held to it.
@Suite(.timeLimit(.minutes(20))) struct HouseholdAccountingTests {
    /// Every sample district in `geodata/`, so that a new one is checked as soon as it is added.
    static let samples: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: sampleDistrict("").path)) ?? [])
        .filter { $0.hasSuffix(".gpkg") }.sorted()

    @Test func thereAreSamples() {
        #expect(Self.samples.count >= 4, "\(Self.samples)")
    }

    @Test(arguments: samples)
    func everyHouseholdOfASampleIsPlacedOrListed(_ name: String) throws {
        let accounting = try Self.accounting(of: sampleDistrict(name).path)
        #expect(accounting.unplaced.allSatisfy { $0.reason != UnplacedReason.unaccounted.code }, "\(name): \(accounting.unplaced)")
    }

    /// Generated as `gridweave generate` does, with the faults of real data and without: the
    /// buildings the mess puts outside every community are the ones listed, for that reason.
    @Test(arguments: [(seed: UInt64(3), households: 4_000, mess: true), (4, 4_000, false), (5, 8_000, true), (6, 6_000, false)])
    func everyHouseholdOfAGeneratedDistrictIsPlacedOrListed(seed: UInt64, households: Int, mess: Bool) throws {
        let generated = SyntheticCity.generateWithReport(SyntheticCity.Options(seed: seed, households: households, includeMess: mess))
        let directory = try TemporaryDirectory()
        let path = directory.path("city.gpkg")
        try DistrictWriter.write(generated.district, to: path)
        let accounting = try Self.accounting(of: path, in: directory)
        #expect(accounting.householdsIn == generated.district.households)
        #expect(Set(accounting.unplaced.map(\.buildingID)) == Set(generated.mess.outsideBuildingIDs), "seed \(seed): \(accounting.unplaced)")
        #expect(accounting.unplaced.allSatisfy { $0.reason == UnplacedReason.outsideCommunities.code }, "seed \(seed): \(accounting.unplaced)")
    }

    /// The codes are the contract of the `unplaced_buildings` table: they never change, and
    /// each reason has its own code and its own words in both languages.
    @Test func reasonsHaveStableCodesAndWords() {
        #expect(UnplacedReason.allCases.map(\.code) == ["no_geometry", "empty_after_repair", "outside_communities", "no_street_block",
                                                         "dedicated_site", "no_cell", "no_grid", "unaccounted"])
        for words in [UnplacedReason.allCases.map(\.english), UnplacedReason.allCases.map(\.chinese)] {
            #expect(Set(words).count == UnplacedReason.allCases.count)
            #expect(words.allSatisfy { !$0.isEmpty })
        }
    }

    /// A building with no geometry, one with no area left once repaired and one outside every
    /// community: each listed with its reason and its households, none in a grid.
    @Test func buildingsWithoutAPlaceAreListedWithTheirReasons() throws {
        let directory = try TemporaryDirectory()
        var fixture = DistrictFixture.twoCommunities()
        fixture.add("buildings", properties: ["id": "nowhere", "households": 20], geometry: nil)
        fixture.addPolygon("buildings", ["id": "flat", "households": 7],
                           rings: [[[121.472, 31.238], [121.473, 31.238], [121.474, 31.238], [121.472, 31.238]]])
        fixture.addPolygon("buildings", ["id": "far", "households": 9], rings: [DistrictFixture.rectangle(121.60, 31.30, 121.601, 31.301)])
        try fixture.write(to: directory.url("district"))
        let read = try DistrictReader.read(directory.path("district"))
        #expect(read.district.householdsIn == 286 + 20 + 7 + 9)
        let partition = try Partitioner.partition(read.district, options: PartitionOptions(threads: 1))
        let reasons = Dictionary(uniqueKeysWithValues: partition.unplaced.map { ($0.buildingID, $0.reason) })
        #expect(reasons == ["nowhere": .noGeometry, "flat": .emptyAfterRepair, "far": .outsideCommunities])
        #expect(partition.unplaced.map(\.households) == [9, 7, 20]) // ordered by id: far, flat, nowhere
        let s = partition.statistics
        #expect((s.householdsIn, s.householdsPlaced, s.householdsNotPlaced) == (322, 286, 36))
        #expect(s.buildingsIn == 11)
        #expect(!partition.assignments.contains { ["nowhere", "flat", "far"].contains($0.buildingID) })
        #expect(partition.findings.allSatisfy { $0.featureID != "nowhere" }) // one accounting: the list, not a finding as well
    }

    // MARK: Helpers

    struct Row: Sendable, CustomStringConvertible {
        var buildingID: String
        var households: Int
        var reason: String
        var description: String { "\(buildingID) \(households) \(reason)" }
    }

    struct Accounting {
        var householdsIn: Int
        var unplaced: [Row]
    }

    /// Partitions the district at `path` through the files, as the command does, and checks that
    /// the households of its `buildings` layer as stored, building by building, are those of
    /// `building_assignments` and `unplaced_buildings` in the written partition.
    static func accounting(of path: String, in directory: TemporaryDirectory? = nil) throws -> Accounting {
        var stored: [String: Int] = [:]
        for feature in try GeoPackageReader(path: path).readLayer("buildings").features {
            let id = try #require(feature["id"].string ?? feature["id"].int64.map(String.init))
            stored[id] = Int(feature["households"].int64 ?? 0)
        }
        let householdsIn = stored.values.reduce(0, +)
        let read = try DistrictReader.read(path)
        let partition = try Partitioner.partition(read.district, options: PartitionOptions(threads: 2))
        let directory = try directory ?? TemporaryDirectory()
        let output = directory.path("grids.gpkg")
        try partition.write(to: output)
        let reader = try GeoPackageReader(path: output)
        var accounted: [String: Int] = [:]
        for row in try reader.readLayer("building_assignments").features {
            accounted[row["building_id"].string ?? "", default: 0] += Int(row["households"].int64 ?? 0)
        }
        var unplaced: [Row] = []
        for row in try reader.readLayer("unplaced_buildings").features {
            let entry = Row(buildingID: row["building_id"].string ?? "", households: Int(row["households"].int64 ?? -1), reason: row["reason"].string ?? "")
            #expect(UnplacedReason(rawValue: entry.reason) != nil, "unknown reason \(entry.reason)")
            accounted[entry.buildingID, default: 0] += entry.households
            unplaced.append(entry)
        }
        let placed = partition.assignments.reduce(0) { $0 + $1.households }
        let notPlaced = unplaced.reduce(0) { $0 + $1.households }
        #expect(householdsIn == placed + notPlaced, "\(path): \(householdsIn) in, \(placed) placed, \(notPlaced) not placed")
        #expect(accounted == stored, "\(path): households by building differ from the input")
        let s = partition.statistics
        #expect((s.householdsIn, s.householdsPlaced, s.householdsNotPlaced, s.buildingsIn) == (householdsIn, placed, notPlaced, stored.count))
        return Accounting(householdsIn: householdsIn, unplaced: unplaced)
    }
}
