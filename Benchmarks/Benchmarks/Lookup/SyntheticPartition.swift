import Foundation
import GeometryEngine
import GridLookup

/// A city-scale synthetic partition (grids and micro-grids) for the lookup benchmarks: about 70,000 micro-grids (the
/// Voronoi cells of sites on a jittered lattice 134 m apart) grouped into about 14,000 grids
/// (the cells whose site is nearest to each seed of a jittered lattice 300 m apart), over
/// 36 × 35 km in EPSG:4549 (CGCS2000 / 3-degree Gauss-Krüger CM 120E, around Shanghai).
/// Deterministic: a fixed seed.
struct SyntheticPartition {
    var grids: [GridIndex.Grid] = []
    var gridGeometries: [Geometry] = []
    var microGrids: [GridIndex.MicroGrid] = []
    var microGridGeometries: [Geometry] = []
    let epsg = 4549
    var extent: Envelope

    /// Bytes of the raw coordinates (16 per vertex of every ring, grids and micro-grids).
    var coordinateBytes: Int {
        (gridGeometries + microGridGeometries).reduce(0) { $0 + $1.coordinates.count * 16 }
    }

    init(gridSpacing: Double = 300, gridColumns: Int = 120, gridRows: Int = 117, microPerGrid: Double = 5, seed: UInt64 = 42) throws {
        var random = SplitMix64(seed: seed)
        let origin = XY(622_000, 3_432_000)
        let width = gridSpacing * Double(gridColumns), height = gridSpacing * Double(gridRows)
        extent = Envelope(minX: origin.x, minY: origin.y, maxX: origin.x + width, maxY: origin.y + height)
        // Grid seeds: one per lattice cell, jittered within it.
        var seeds: [XY] = []
        for j in 0..<gridRows {
            for i in 0..<gridColumns {
                seeds.append(XY(origin.x + (Double(i) + random.uniform(0.15, 0.85)) * gridSpacing,
                                origin.y + (Double(j) + random.uniform(0.15, 0.85)) * gridSpacing))
            }
        }
        // Micro-grid sites, denser by `microPerGrid`.
        let spacing = gridSpacing / microPerGrid.squareRoot()
        let siteColumns = Int(width / spacing), siteRows = Int(height / spacing)
        let stepX = width / Double(siteColumns), stepY = height / Double(siteRows)
        var sites: [XY] = []
        for j in 0..<siteRows {
            for i in 0..<siteColumns {
                sites.append(XY(origin.x + (Double(i) + random.uniform(0.1, 0.9)) * stepX,
                                origin.y + (Double(j) + random.uniform(0.1, 0.9)) * stepY))
            }
        }
        let clip = Geometry.polygon(Polygon(exterior: [
            origin, XY(origin.x + width, origin.y), XY(origin.x + width, origin.y + height), XY(origin.x, origin.y + height), origin,
        ]))
        // GEOS clips the diagram to a frame somewhat larger than the one asked for: cut the
        // cells that reach out of the city.
        let cells = try Geometry.multiPoint(sites).voronoiDiagram(clip: clip).polygons.flatMap { cell -> [Polygon] in
            guard let envelope = Geometry.polygon(cell).envelope else { return [] }
            if envelope.minX >= extent.minX && envelope.maxX <= extent.maxX && envelope.minY >= extent.minY && envelope.maxY <= extent.maxY {
                return [cell]
            }
            return try Geometry.polygon(cell).intersection(clip).polygons
        }
        // Each cell joins the grid of the seed nearest to a point inside it.
        var members = [[Polygon]](repeating: [], count: seeds.count)
        for cell in cells {
            guard case .point(let p) = try Geometry.polygon(cell).pointOnSurface() else { continue }
            let ci = min(max(Int((p.x - origin.x) / gridSpacing), 0), gridColumns - 1)
            let cj = min(max(Int((p.y - origin.y) / gridSpacing), 0), gridRows - 1)
            var best = -1, bestDistance = Double.infinity
            for j in max(0, cj - 1)...min(gridRows - 1, cj + 1) {
                for i in max(0, ci - 1)...min(gridColumns - 1, ci + 1) {
                    let s = seeds[j * gridColumns + i]
                    let d = (s.x - p.x) * (s.x - p.x) + (s.y - p.y) * (s.y - p.y)
                    if d < bestDistance { bestDistance = d; best = j * gridColumns + i }
                }
            }
            members[best].append(cell)
        }
        var number = 0
        for (seed, parts) in members.enumerated() where !parts.isEmpty {
            number += 1
            // 10 × 10 communities: 310101 + street 001...010 + community 001...010; grids numbered
            // through the city (15 digits: the code's form, not its meaning).
            let column = seed % gridColumns, row = seed / gridColumns
            let community = String(format: "310101%03d%03d", row * 10 / gridRows + 1, column * 10 / gridColumns + 1)
            let code = String(format: "%015d", number)
            let polygons = try Geometry.multiPolygon(parts).coverageUnion().polygons
            grids.append(GridIndex.Grid(code: code, communityCode: community, kind: "residential"))
            gridGeometries.append(polygons.count == 1 ? .polygon(polygons[0]) : .multiPolygon(polygons))
            for (k, part) in parts.enumerated() {
                microGrids.append(GridIndex.MicroGrid(code: code + String(format: "%02d", k + 1), gridCode: code))
                microGridGeometries.append(.polygon(part))
            }
        }
    }

    func index(cellsPerEdge: Double? = nil) throws -> GridIndex {
        try GridIndex(grids: grids, gridGeometries: gridGeometries, microGrids: microGrids,
                      microGridGeometries: microGridGeometries, epsg: epsg, cellsPerEdge: cellsPerEdge)
    }

    /// `count` points uniform over the extent.
    func randomPoints(_ count: Int, seed: UInt64) -> [XY] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in XY(random.uniform(extent.minX, extent.maxX), random.uniform(extent.minY, extent.maxY)) }
    }

    /// The same points sorted along a Hilbert-like order of 64 m tiles (row-major within bands),
    /// as a batch of GPS fixes sorted by place would come.
    static func sorted(_ points: [XY], tile: Double = 64) -> [XY] {
        points.sorted { a, b in
            let ra = Int(a.y / tile), rb = Int(b.y / tile)
            if ra != rb { return ra < rb }
            return ra % 2 == 0 ? a.x < b.x : a.x > b.x
        }
    }
}

/// SplitMix64: a tiny deterministic generator.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * Double(next() >> 11) / Double(1 << 53)
    }
}
