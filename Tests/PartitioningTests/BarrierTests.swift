import DistrictModel
import Foundation
import GeometryEngine
import Partitioning
import Testing
import TestSupport

/// A line a planner draws across a community (a river, a wall) that no grid may cross: the
/// households of every grid then lie on one side of it.
@Suite(.timeLimit(.minutes(10))) struct BarrierTests {
    @Test func noGridHoldsHouseholdsOnBothSidesOfABarrier() async throws {
        let (crossedWithout, crossedWith, unplaced) = try await blocking { () throws -> ([String], [String], (Int, Int)) in
            var district = try DistrictReader.read(sampleDistrict("shanghai.gpkg").path).district
            // A river across the middle of the community of most households, along a line of
            // latitude; the buildings on that line are taken away (the river runs there).
            let points = try district.buildings.map { try $0.geometry.pointOnSurface() }
            let survey = try DistrictSurvey(district)
            let largest = try #require(district.communities.indices.max { a, b in
                Self.households(of: a, district, survey) < Self.households(of: b, district, survey)
            })
            let community = district.communities[largest]
            let ys = district.buildings.indices.filter { survey.buildingCommunity[$0] == largest }
                .compactMap { if case .point(let p) = points[$0] { p.y } else { nil } }.sorted()
            let latitude = ys[ys.count / 2]
            let box = try #require(community.geometry.envelope)
            let line = Geometry.lineString([XY(box.minX - 0.001, latitude), XY(box.maxX + 0.001, latitude)])
            // That community alone, to keep the test short.
            district.communities = [community]
            district.buildings = try district.buildings.indices.filter { survey.buildingCommunity[$0] == largest }
                .map { district.buildings[$0] }.filter { try !$0.geometry.intersects(line) }
            let withoutBarrier = try Partitioner.partition(district, options: PartitionOptions(threads: 1))
            district.barriers = [Barrier(id: "河-1", name: "护城河", kind: "river", geometry: line)]
            // The layer `barriers` goes through a GeoPackage and back.
            let directory = try TemporaryDirectory()
            try DistrictWriter.write(district, to: directory.path("district.gpkg"))
            let reread = try DistrictReader.read(directory.path("district.gpkg")).district.barriers
            #expect(reread.map(\.id) == ["河-1"] && reread.first?.name == "护城河" && reread.first?.kind == "river")
            let withBarrier = try Partitioner.partition(district, options: PartitionOptions(threads: 1))
            let place = try Dictionary(uniqueKeysWithValues: district.buildings.map { ($0.id, try $0.geometry.pointOnSurface()) })
            return (Self.gridsAcross(latitude, community: community.code, partition: withoutBarrier, points: place),
                    Self.gridsAcross(latitude, community: community.code, partition: withBarrier, points: place),
                    (withoutBarrier.statistics.householdsNotPlaced, withBarrier.statistics.householdsNotPlaced))
        }
        // Without the barrier some grid spans the line: the test sees what the barrier does.
        #expect(!crossedWithout.isEmpty, "no grid crosses the line even without the barrier")
        #expect(crossedWith.isEmpty, "grids \(crossedWith) hold households on both sides of the barrier")
        #expect(unplaced.0 == unplaced.1, "households not placed: \(unplaced.0) without the barrier, \(unplaced.1) with it")
    }

    static func households(of community: Int, _ district: District, _ survey: DistrictSurvey) -> Int {
        district.buildings.indices.filter { survey.buildingCommunity[$0] == community }.reduce(0) { $0 + district.buildings[$1].households }
    }

    /// Grids of `community` with households on both sides of the line of latitude.
    static func gridsAcross(_ latitude: Double, community: String, partition: Partition, points: [String: Geometry]) -> [String] {
        var sides: [String: Set<Bool>] = [:]
        for row in partition.assignments where row.households > 0 && row.gridCode.hasPrefix(community) {
            guard case .point(let point)? = points[row.buildingID] else { continue }
            sides[row.gridCode, default: []].insert(point.y > latitude)
        }
        return sides.filter { $0.value.count > 1 }.keys.sorted()
    }
}
