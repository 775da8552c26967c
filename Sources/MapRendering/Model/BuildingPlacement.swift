import DistrictModel
import GeometryEngine

/// Which grid and micro-grid each building of the district stands in. From the file's
/// `building_assignments` when it has them (a building cut into entrance units is in several),
/// else from the footprint: the grid and micro-grid holding a point inside it (GEOS's point on
/// surface; grids drawn by hand have no assignments).
struct BuildingPlacement {
    /// A line of a grid's table: a building, the micro-grid of (part of) it, its households there.
    struct Row: Hashable {
        var building: Int
        var microGrid: Int?
        var households: Int
    }

    /// For each building of the district, in its order: the index in `GridMap.grids` of the
    /// grid holding most of its households.
    var grid: [Int?]
    /// For each building: the index in `GridMap.microGrids` of the micro-grid holding most of it.
    var microGrid: [Int?]
    /// For each grid: its buildings, each once, in the district's order.
    var buildingsOfGrid: [[Int]]
    /// For each grid: the rows of its table, in the order of `buildingsOfGrid`.
    var rowsOfGrid: [[Row]]
    /// For each micro-grid: how many buildings (or parts of one) stand in it.
    var buildingsInMicroGrid: [Int]

    init(_ map: GridMap) {
        let buildings = map.district?.buildings ?? []
        var rows = [[Row]](repeating: [], count: map.grids.count)
        grid = [Int?](repeating: nil, count: buildings.count)
        microGrid = [Int?](repeating: nil, count: buildings.count)
        if let assignments = map.buildingAssignments {
            let buildingIndex = Dictionary(buildings.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
            let gridIndex = Dictionary(map.grids.enumerated().map { ($1.code, $0) }, uniquingKeysWith: { first, _ in first })
            let microIndex = Dictionary(map.microGrids.enumerated().map { ($1.code, $0) }, uniquingKeysWith: { first, _ in first })
            var most = [Int](repeating: -1, count: buildings.count)
            for assignment in assignments {
                guard let b = buildingIndex[assignment.buildingID], let g = gridIndex[assignment.gridCode] else { continue }
                let m = assignment.microGridCode.flatMap { microIndex[$0] }
                rows[g].append(Row(building: b, microGrid: m, households: assignment.households))
                if assignment.households > most[b] { most[b] = assignment.households; grid[b] = g; microGrid[b] = m }
            }
        } else {
            let gridIndex = PolygonIndex(map.grids.map(\.geometry))
            let microIndex = PolygonIndex(map.microGrids.map(\.geometry))
            for (b, building) in buildings.enumerated() {
                guard let p = PreparedMap.labelPoint(building.geometry) else { continue }
                grid[b] = gridIndex.first(p)
                microGrid[b] = microIndex.first(p)
                if let g = grid[b] { rows[g].append(Row(building: b, microGrid: microGrid[b], households: building.households)) }
            }
        }
        rowsOfGrid = rows.map { list in list.sorted { ($0.building, $0.microGrid ?? -1) < ($1.building, $1.microGrid ?? -1) } }
        buildingsOfGrid = rowsOfGrid.map { list in
            var seen = Set<Int>()
            return list.map(\.building).filter { seen.insert($0).inserted }
        }
        var counts = [Int](repeating: 0, count: map.microGrids.count)
        for list in rowsOfGrid { for row in list { if let m = row.microGrid { counts[m] += 1 } } }
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
