import DistrictModel
import GeometryEngine
@testable import Partitioning
import Testing
import TestSupport

/// The same district with every coordinate moved by far less than anyone can see (a
/// micrometre, or 1e-11 degree: what a re-export or GeoJSON's decimal text does to binary
/// doubles) gives the same grids and micro-grids under the same codes: every decision is taken
/// on the working coordinates rounded to `WorkingDistrict.precision`, never on float noise.
/// Before the rounding, Bubenec moved 10 of its 11 grid codes under 1e-6 m of noise and
/// Shanghai 13 of 34 under 1e-11 degree; rounded to a decimal millimetre, the generated district
/// still moved a community's codes (a road's end at a half-millimetre, on the rounding boundary).
@Suite(.timeLimit(.minutes(10))) struct NoiseStabilityTests {
    /// `district` with every coordinate moved by up to `amount` in each axis; equal coordinates
    /// move alike (rings stay closed, shared corners stay shared).
    static func jittered(_ district: District, by amount: Double) -> District {
        func jitter(_ point: XY) -> XY {
            var random = SplitMix64(seed: point.x.bitPattern &* 31 &+ point.y.bitPattern)
            return XY(point.x + random.uniform(-amount, amount), point.y + random.uniform(-amount, amount))
        }
        var copy = district
        for i in copy.communities.indices { copy.communities[i].geometry = district.communities[i].geometry.mapCoordinates(jitter) }
        for i in copy.buildings.indices { copy.buildings[i].geometry = district.buildings[i].geometry.mapCoordinates(jitter) }
        for i in copy.roads.indices { copy.roads[i].geometry = district.roads[i].geometry.mapCoordinates(jitter) }
        for i in copy.shops.indices { copy.shops[i].geometry = district.shops[i].geometry.mapCoordinates(jitter) }
        for i in copy.dedicated.indices { copy.dedicated[i].geometry = district.dedicated[i].geometry.mapCoordinates(jitter) }
        for i in copy.compounds.indices { copy.compounds[i].geometry = district.compounds[i].geometry.mapCoordinates(jitter) }
        return copy
    }

    /// Grid and micro-grid code of every building part, in assignment order.
    static func codes(_ partition: Partition) -> [String] {
        partition.assignments.map { "\($0.buildingID) \($0.gridCode) \($0.microGridCode) \($0.households)" }
    }

    /// The partitions run on a Dispatch thread (`blocking`): a minute of synchronous work on
    /// the cooperative threads starves the server tests.
    @Test(arguments: ["shanghai.gpkg", "bubenec.gpkg", "generated"])
    func codesDoNotMoveUnderMicrometreNoise(_ name: String) async throws {
        let (district, partition) = try await blocking { try ServiceAreaTests.district(name) }
        let amount = district.epsg == 4326 ? 1e-11 : 1e-6
        let noisy = Self.jittered(district, by: amount)
        #expect(noisy.buildings.map(\.geometry) != district.buildings.map(\.geometry), "the noise moved nothing")
        let again = try await blocking { try Partitioner.partition(noisy) }
        #expect(again.grids.map(\.code) == partition.grids.map(\.code))
        #expect(again.microGrids.map(\.code) == partition.microGrids.map(\.code))
        let before = Self.codes(partition), after = Self.codes(again)
        let moved = zip(before, after).filter { $0 != $1 }
        #expect(before.count == after.count && moved.isEmpty, "\(moved.count) of \(before.count) rows moved, first \(moved.prefix(3))")
        // The same grids, not only the same codes: households and buildings per grid.
        #expect(again.grids.map { "\($0.households) \($0.buildings)" } == partition.grids.map { "\($0.households) \($0.buildings)" })
    }

    /// The rounding is done where the work is, in metres, and stays there: the written grids are
    /// still on the input's community outlines exactly (`BoundaryAnchors`), also when the input
    /// is in the working CRS itself (the generated district, EPSG:4549).
    @Test func roundingKeepsTheGridsOnTheInputsOutlines() async throws {
        let (district, partition) = try await blocking { try ServiceAreaTests.district("generated") }
        let working = try district.workingEPSG()
        #expect(working == district.epsg)
        var inputVertices = Set<XY>()
        for community in district.communities { inputVertices.formUnion(community.geometry.coordinates) }
        let onOutline = partition.grids.flatMap(\.geometry.coordinates).filter { inputVertices.contains($0) }
        #expect(!onOutline.isEmpty, "no grid vertex is a community vertex as the input has it")
        for community in district.communities {
            let grids = partition.grids.filter { $0.communityCode == community.code }.map(\.geometry)
            let union = try Geometry.geometryCollection(grids).unaryUnion()
            let difference = try union.difference(community.geometry).area() + community.geometry.difference(union).area()
            #expect(difference < 1e-6, "community \(community.code): grids and community differ by \(difference) m²")
        }
    }
}

