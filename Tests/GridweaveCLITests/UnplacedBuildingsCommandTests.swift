import FeatureIO
import Foundation
import Testing
import TestSupport

/// Households in no grid, as a user meets them: named in the summary, listed in the table
/// `unplaced_buildings`, an error with `--strict` (issue 24: a building with a NULL geometry
/// and 20 households vanished, and the run said nothing).
@Suite(.timeLimit(.minutes(10))) struct UnplacedBuildingsCommandTests {
    /// The two-community fixture (286 households, all placed), with a building of 20
    /// households that has no geometry when `lost` is set.
    private func district(in directory: TemporaryDirectory, name: String = "district", lost: Bool) throws -> String {
        var fixture = DistrictFixture.twoCommunities()
        if lost { fixture.add("buildings", properties: ["id": "lost-20", "households": 20], geometry: nil) }
        try fixture.write(to: directory.url(name))
        return directory.path(name)
    }

    private struct Unplaced: Equatable, CustomStringConvertible {
        var buildingID: String
        var households: Int64
        var reason: String
        var description: String { "\(buildingID) \(households) \(reason)" }
    }

    private func unplaced(_ path: String) throws -> [Unplaced] {
        try GeoPackageReader(path: path).readLayer("unplaced_buildings").features.map {
            Unplaced(buildingID: $0["building_id"].string ?? "", households: $0["households"].int64 ?? -1, reason: $0["reason"].string ?? "")
        }
    }

    private func households(_ path: String, layer: String) throws -> Int64 {
        try GeoPackageReader(path: path).readLayer(layer).features.reduce(0) { $0 + ($1["households"].int64 ?? 0) }
    }

    @Test func aBuildingWithoutGeometryIsNamedListedAndCounted() throws {
        let directory = try TemporaryDirectory()
        let district = try district(in: directory, lost: true)
        let output = directory.path("grids.gpkg")
        let result = try runGridweave(["partition", district, "-o", output])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("306   in 9 buildings: 286 placed, 20 not placed (in lost-20)"), "\(result.stdout)")
        #expect(result.stdout.contains("lost-20  20 households: no geometry"), "\(result.stdout)")
        #expect(try unplaced(output) == [Unplaced(buildingID: "lost-20", households: 20, reason: "no_geometry")])
        #expect(try households(output, layer: "building_assignments") + households(output, layer: "unplaced_buildings") == 306)
        if gdalInstalled, let info = ogrinfo(["-al", "-q", output, "unplaced_buildings"]) {
            #expect(info.status == 0 && info.output.contains("no_geometry"), "\(info.output)")
        }
    }

    @Test func strictStopsOnHouseholdsInNoGridAndWritesNothing() throws {
        let directory = try TemporaryDirectory()
        let district = try district(in: directory, lost: true)
        let output = directory.path("grids.gpkg")
        let result = try runGridweave(["partition", district, "-o", output, "--strict"])
        #expect(result.status == 1)
        let file = (district as NSString).appendingPathComponent("buildings.geojson")
        #expect(result.stderr.hasPrefix("error: \(file), layer buildings, feature lost-20: 20 households: no geometry"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
        #expect(try directory.contents().filter { $0.hasSuffix(".gpkg") }.isEmpty)
    }

    /// A district whose households all find a grid: the table is there, empty, so that readers
    /// can rely on it, and `--strict` has nothing to object to.
    @Test func theTableIsWrittenEmptyWhenEveryHouseholdIsPlaced() throws {
        let directory = try TemporaryDirectory()
        let district = try district(in: directory, lost: false)
        let output = directory.path("grids.gpkg")
        let result = try runGridweave(["partition", district, "-o", output, "--strict"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("286   in 8 buildings: 286 placed, 0 not placed\n"), "\(result.stdout)")
        #expect(!result.stdout.contains("Not placed"))
        let reader = try GeoPackageReader(path: output)
        #expect(reader.layerNames.contains("unplaced_buildings"))
        #expect(try unplaced(output).isEmpty)
    }

    /// A re-partition writes the table too, and `--strict` holds for it.
    @Test func aRepartitionListsTheBuildingAndStrictHolds() throws {
        let directory = try TemporaryDirectory()
        let before = try district(in: directory, name: "before", lost: false)
        let old = directory.path("old.gpkg")
        #expect(try runGridweave(["partition", before, "-o", old]).status == 0)
        let after = try district(in: directory, name: "after", lost: true)
        let output = directory.path("new.gpkg")
        let result = try runGridweave(["partition", after, "--previous", old, "-o", output])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("20 not placed (in lost-20)"), "\(result.stdout)")
        #expect(try unplaced(output) == [Unplaced(buildingID: "lost-20", households: 20, reason: "no_geometry")])
        #expect(try unplaced(old).isEmpty)

        let strict = directory.path("strict.gpkg")
        let refused = try runGridweave(["partition", after, "--previous", old, "-o", strict, "--strict"])
        #expect(refused.status == 1)
        #expect(refused.stderr.hasPrefix("error: ") && refused.stderr.contains("layer buildings, feature lost-20"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: strict))
    }
}
