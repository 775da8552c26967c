import DistrictModel
import Foundation
import GeometryEngine
@testable import Partitioning
import Testing

/// A building cut into entrance units over several grids: how the land of its cell is shared
/// among the slices (`SliceFan`).
@Suite(.timeLimit(.minutes(10))) struct SliceFanTests {
    /// A community 120 m wide and 400 m deep, with a slab 90 m by 14 m across its middle
    /// holding 1,000 households in 5 entrance units; with `neighbour`, a house of 60 households
    /// in a corner too (the slab's cell is then its Voronoi cells, not the whole block).
    static func slabDistrict(neighbour: Bool) -> District {
        var district = District(epsg: 4549)
        let x0 = 500_000.0, y0 = 4_000_000.0
        func box(_ x: Double, _ y: Double, _ w: Double, _ h: Double) -> Geometry {
            .polygon(Polygon(exterior: [XY(x0 + x, y0 + y), XY(x0 + x + w, y0 + y), XY(x0 + x + w, y0 + y + h), XY(x0 + x, y0 + y + h), XY(x0 + x, y0 + y)]))
        }
        district.communities = [Community(code: "110101001001", geometry: box(0, 0, 120, 400))]
        district.buildings = [Building(id: "slab", households: 1_000, units: 5, geometry: box(15, 193, 90, 14))]
        if neighbour { district.buildings.append(Building(id: "house", households: 60, geometry: box(5, 380, 12, 10))) }
        return district
    }

    /// Cut straight across, a slab of five grids' households gives its grids strips 18 m wide
    /// and 400 m long (mean Polsby-Popper 0.17 alone in the block, 0.21 beside the house);
    /// split, the land on either side goes to half the slices, fanned out, and a grid is a
    /// sector of one side or two (0.37 and 0.41). Beside the house, the land beyond the
    /// footprint is also shared apart from the slices (`FaceOwner.sliceLand`): 0.69.
    @Test(arguments: [(false, 0.3), (true, 0.6)])
    func aSlabOfManyGridsGivesItsGridsSectorsNotStrips(neighbour: Bool, floor: Double) throws {
        let district = Self.slabDistrict(neighbour: neighbour)
        let partition = try Partitioner.partition(district)
        let community = district.communities[0].geometry
        let area = try community.area()
        #expect(abs(try partition.grids.reduce(0) { $0 + (try $1.geometry.area()) } - area) <= 1e-9 * area, "grids overlap or leave a gap")
        let union = try Geometry.multiPolygon(partition.grids.flatMap(\.geometry.polygons)).unaryUnion()
        #expect(try union.difference(community).area() + community.difference(union).area() <= 1e-9 * area)
        #expect(partition.assignments.reduce(0) { $0 + $1.households } == district.buildings.reduce(0) { $0 + $1.households })
        let residential = partition.grids.filter { $0.kind == .residential }
        #expect(residential.count >= 4)
        var compactness: [Double] = []
        for grid in residential {
            guard case .polygon = grid.geometry else { Issue.record("grid \(grid.code) is a \(grid.geometry.typeName)"); continue }
            compactness.append(4 * Double.pi * (try grid.geometry.area()) / pow(try grid.geometry.length(), 2))
            #expect((150...250).contains(grid.households), "grid \(grid.code): \(grid.households) households")
        }
        let mean = compactness.reduce(0, +) / Double(max(1, compactness.count))
        #expect(mean >= floor, "mean Polsby-Popper \(mean): \(compactness)")
    }

    /// Every slice gets land on its side, and the cuts are noded where they meet the
    /// footprint's edges: polygonized with the cell, the lines give each slice one face.
    @Test(arguments: [3, 4, 7, 20])
    func everySliceGetsOneFace(count: Int) throws {
        // A slab 70 m long, 12 m deep, at an angle, in a cell reaching 100 m on either side.
        let angle = 0.37
        let along = XY(cos(angle), sin(angle)), across = XY(-sin(angle), cos(angle))
        func point(_ t: Double, _ s: Double) -> XY { XY(1_000 + along.x * t + across.x * s, 2_000 + along.y * t + across.y * s) }
        let footprint = [point(0, 0), point(70, 0), point(70, 12), point(0, 12), point(0, 0)]
        let cell = [point(-40, -100), point(110, -100), point(110, 112), point(-40, 112), point(-40, -100)]
        let fan = SliceFan(axis: (point(0, 0), along, 70), count: count, footprint: footprint, cell: cell, splits: true)
        #expect(fan.split == (count + 1) / 2)
        // Clipped a centimetre beyond the cell, as the tessellation clips them to the block: a
        // cut ending on the cell's edge to a rounding error is not noded to it either.
        let lines = try Geometry.multiLineString(fan.lines(reach: 500)).intersection(Geometry.polygon(Polygon(exterior: cell)).buffer(0.01))
        let noded = try Geometry.geometryCollection([lines, .lineString(cell)]).unaryUnion()
        let faces = try Geometry.polygonize([noded]).polygons
        var slices: [Int: Int] = [:]
        for face in faces {
            guard case .point(let inside) = try Geometry.polygon(face).pointOnSurface() else { continue }
            slices[fan.slice(of: inside), default: 0] += 1
        }
        #expect(slices == Dictionary(uniqueKeysWithValues: (0..<count).map { ($0, 1) }), "faces per slice: \(slices)")
        #expect(abs(faces.reduce(0) { $0 + PlaneMath.area($1) } - 150 * 212) < 1e-6)
    }
}
