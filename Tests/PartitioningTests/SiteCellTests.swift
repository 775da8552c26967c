import DistrictModel
import Foundation
import GeometryEngine
@testable import Partitioning
import Testing

/// A dedicated site inside a street block takes its cell of the block, as a building does, so
/// that the residential grid beside it does not wrap a ring round its footprint; unless that
/// would cut the block's houses apart (`FaceOwner.siteCell`).
@Suite(.timeLimit(.minutes(10))) struct SiteCellTests {
    /// A community of one block, 240 m by 160 m, with a school 50 m deep of `schoolWidth` m,
    /// centred, its south wall at `schoolY` m, and houses of 10 households, 10 m square, in
    /// rows of five across the block (their south walls at `rows` m).
    static func schoolDistrict(schoolWidth: Double, schoolY: Double, rows: [Double]) -> District {
        var district = District(epsg: 4549)
        let x0 = 500_000.0, y0 = 4_000_000.0
        func box(_ x: Double, _ y: Double, _ w: Double, _ h: Double) -> Geometry {
            .polygon(Polygon(exterior: [XY(x0 + x, y0 + y), XY(x0 + x + w, y0 + y), XY(x0 + x + w, y0 + y + h), XY(x0 + x, y0 + y + h), XY(x0 + x, y0 + y)]))
        }
        district.communities = [Community(code: "110101001001", geometry: box(0, 0, 240, 160))]
        district.dedicated = [DedicatedSite(id: "school", kind: .school, geometry: box(120 - schoolWidth / 2, schoolY, schoolWidth, 50))]
        for (r, y) in rows.enumerated() {
            for k in 0..<5 {
                district.buildings.append(Building(id: "h\(r)-\(k)", households: 10, geometry: box(14 + Double(k) * 48, y, 10, 10)))
            }
        }
        return district
    }

    /// The school's cell reaches the community's south edge: the school's grid takes it, and
    /// the one residential grid is a polygon without a hole. Before, the grid held all the land
    /// round the school, and the school's outline was a hole in it (Helsinki: 7 of 81 grids so,
    /// mean Polsby-Popper 0.18).
    @Test func aGridBesideASchoolDoesNotWrapRoundIt() throws {
        let district = Self.schoolDistrict(schoolWidth: 60, schoolY: 10, rows: [80, 100, 120, 140])
        let partition = try Partitioner.partition(district)
        try RepartitionFixture.expectInvariants(partition, of: district, outside: [])
        let residential = partition.grids.filter { $0.kind == .residential }
        #expect(residential.count == 1)
        for grid in residential {
            guard case .polygon(let polygon) = grid.geometry else { Issue.record("grid \(grid.code) is a \(grid.geometry.typeName)"); continue }
            #expect(polygon.holes.isEmpty, "grid \(grid.code) wraps round the school")
        }
        let school = try #require(partition.grids.first { $0.kind == .dedicated })
        let site = district.dedicated[0].geometry
        #expect(try school.geometry.difference(site).area() > 0.5 * site.area(), "the school's grid is little more than its footprint")
        #expect(try site.difference(school.geometry).area() < 1e-6)
        #expect(abs((school.geometry.envelope?.minY ?? 0) - 4_000_000) < 1e-6, "the school's grid does not reach the community's south edge")
    }

    /// A school almost as wide as its block, with houses north and south of it: its cell would
    /// cut the houses into two groups of 100 households, too few for a grid each, so the land
    /// round it stays with the houses and they make one grid in bounds.
    @Test func aSchoolsCellStaysWithTheHousesWhereItWouldCutThemApart() throws {
        let district = Self.schoolDistrict(schoolWidth: 200, schoolY: 55, rows: [10, 30, 120, 140])
        let partition = try Partitioner.partition(district)
        try RepartitionFixture.expectInvariants(partition, of: district, outside: [])
        let residential = partition.grids.filter { $0.kind == .residential }
        #expect(residential.map(\.households) == [200])
        #expect(partition.grids.filter { $0.kind == .dedicated }.count == 1)
    }
}
