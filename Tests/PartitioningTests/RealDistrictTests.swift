import DistrictModel
import Foundation
import GeometryEngine
@testable import Partitioning
import Projections
import Testing
import TestSupport

/// Small windows of real districts the engine was never tuned on (`Tests/Fixtures/real`, made
/// by `tools/build-real-districts --fixtures`): New York with its roads (the window holds no
/// tunnel or bridge: `StageTests` and `DistrictReaderTests` hold those), Suzhou and Tokyo with
/// floors and no roads. Issue #26's invariants on each: every household placed once, every
/// building inside its own grid, codes unmoved by micrometre noise.
@Suite(.timeLimit(.minutes(10))) struct RealDistrictTests {
    static func district(_ name: String) throws -> District {
        let path = repositoryRoot.appendingPathComponent("Tests/Fixtures/real/\(name).gpkg").path
        return try DistrictReader.read(path).district
    }

    @Test(arguments: ["newyork", "suzhou", "tokyo"])
    func realDistrictsHoldTheInvariantsOfIssue26(_ name: String) async throws {
        let district = try Self.district(name)
        let partition = try await blocking { try Partitioner.partition(district) }
        // Every household placed once.
        #expect(partition.assignments.reduce(0) { $0 + $1.households } + partition.unplaced.reduce(0) { $0 + $1.households }
                == district.households + district.droppedBuildings.reduce(0) { $0 + $1.households })
        // Every whole building inside its grid, to a centimetre's strip round its footprint.
        let working = try district.workingEPSG()
        let toMetres = try CoordinateTransformer(from: partition.epsg, to: working)
        let metric = try district.projected(to: working)
        var grids: [String: (geometry: Geometry, community: String)] = [:]
        for grid in partition.grids { grids[grid.code] = (try toMetres.transform(grid.geometry).buffer(0.01), grid.communityCode) }
        var rows: [String: [BuildingAssignment]] = [:]
        for row in partition.assignments { rows[row.buildingID, default: []].append(row) }
        let communities = Dictionary(uniqueKeysWithValues: metric.communities.map { ($0.code, $0.geometry) })
        var outside: [String] = []
        for building in metric.buildings {
            guard let assigned = rows[building.id], assigned.count == 1, let (grid, code) = grids[assigned[0].gridCode],
                  let community = communities[code] else { continue }
            // The part in its grid's community: a building astride two belongs to the one holding most of it.
            let footprint = try (building.geometry.isValid() ? building.geometry : building.geometry.makeValid()).intersection(community)
            if try footprint.difference(grid).area() > 0.01 { outside.append(building.id) }
        }
        #expect(outside.isEmpty, "\(name): \(outside.count) buildings outside their own grid: \(outside.prefix(5))")
        // The same codes under 1e-11 degree of noise.
        let noisy = NoiseStabilityTests.jittered(district, by: 1e-11)
        let again = try await blocking { try Partitioner.partition(noisy) }
        #expect(NoiseStabilityTests.codes(again) == NoiseStabilityTests.codes(partition), "\(name): codes moved under noise")
    }
}
