import DistrictModel
import GeometryEngine

/// Which grid and micro-grid each building of the district stands in: the one holding a point
/// inside its footprint (GEOS's point on surface), so that every building is listed on one
/// grid's sheet only, whatever the file says about assignments (grids drawn by hand have none).
struct BuildingPlacement {
    /// For each building of the district, in its order: the index of its grid in `GridMap.grids`.
    var grid: [Int?]
    /// For each building: the index of its micro-grid in `GridMap.microGrids`.
    var microGrid: [Int?]
    /// For each grid: the indices of its buildings, in the district's order.
    var buildingsOfGrid: [[Int]]
    /// For each micro-grid: how many buildings stand in it.
    var buildingsInMicroGrid: [Int]

    init(_ map: GridMap) {
        let buildings = map.district?.buildings ?? []
        let points = buildings.map { building -> XY? in
            if let point = try? building.geometry.pointOnSurface(), case .point(let p) = point { return p }
            return building.geometry.envelope?.center
        }
        let gridIndex = PolygonIndex(map.grids.map(\.geometry))
        let microIndex = PolygonIndex(map.microGrids.map(\.geometry))
        grid = points.map { $0.flatMap(gridIndex.first) }
        microGrid = points.map { $0.flatMap(microIndex.first) }
        var lists = [[Int]](repeating: [], count: map.grids.count)
        for (b, g) in grid.enumerated() { if let g { lists[g].append(b) } }
        buildingsOfGrid = lists
        var counts = [Int](repeating: 0, count: map.microGrids.count)
        for m in microGrid { if let m { counts[m] += 1 } }
        buildingsInMicroGrid = counts
    }
}

/// Point-in-polygon over many polygons: envelopes bucketed on a grid of cells, then an even-odd
/// ray test on the rings (a point on a shared edge goes to the first polygon that claims it).
struct PolygonIndex {
    private let rings: [[[XY]]]
    private let envelopes: [Envelope?]
    private var buckets: [Int64: [Int]] = [:]
    private let cell: Double

    init(_ geometries: [Geometry]) {
        rings = geometries.map { $0.polygons.flatMap(\.rings) }
        envelopes = geometries.map(\.envelope)
        let sizes = envelopes.compactMap { $0.map { max($0.width, $0.height) } }.sorted()
        cell = max(sizes.isEmpty ? 100 : sizes[sizes.count / 2], 1)
        for (i, envelope) in envelopes.enumerated() {
            guard let e = envelope else { continue }
            for x in key(e.minX)...key(e.maxX) {
                for y in key(e.minY)...key(e.maxY) { buckets[x &* 1_000_003 &+ y, default: []].append(i) }
            }
        }
    }

    private func key(_ v: Double) -> Int64 { Int64((v / cell).rounded(.down)) }

    /// The first polygon holding `p`.
    func first(_ p: XY) -> Int? {
        for i in buckets[key(p.x) &* 1_000_003 &+ key(p.y)] ?? [] where envelopes[i]?.contains(p) == true {
            var inside = false
            for ring in rings[i] where ring.count > 2 {
                var j = ring.count - 1
                for k in 0..<ring.count {
                    let a = ring[k], b = ring[j]
                    if (a.y > p.y) != (b.y > p.y), p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x { inside.toggle() }
                    j = k
                }
            }
            if inside { return i }
        }
        return nil
    }
}
