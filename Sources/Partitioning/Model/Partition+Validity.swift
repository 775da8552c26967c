import GeometryEngine

extension Partition {
    /// Makes every grid and micro-grid a valid Polygon where all that stands in the way is
    /// dust: a spike or a loop of no area, left by noding nearly parallel lines or by rounding
    /// in the CRS the geometry was brought back to. GEOS's make-valid splits such a polygon into
    /// the polygon and crumbs of (almost) no area; the polygon replaces it. A polygon whose
    /// repair leaves two real pieces is left as it is (the coverage check reports it).
    /// - Throws: `GeometryError` when GEOS fails.
    mutating func removeDust() throws {
        for g in grids.indices {
            grids[g].geometry = try Self.withoutDust(grids[g].geometry)
            for m in grids[g].microGrids.indices {
                grids[g].microGrids[m].geometry = try Self.withoutDust(grids[g].microGrids[m].geometry)
            }
        }
    }

    /// `geometry`, or its one real piece when it is invalid only by pieces of no area.
    static func withoutDust(_ geometry: Geometry) throws -> Geometry {
        guard case .polygon = geometry, try !geometry.isValid() else { return geometry }
        let repaired = try geometry.makeValid()
        let pieces = try repaired.polygons.map { (polygon: $0, area: try Geometry.polygon($0).area()) }
        let total = pieces.reduce(0) { $0 + $1.area }
        let real = pieces.filter { $0.area > 1e-9 * total }
        guard real.count == 1 else { return geometry }
        return .polygon(real[0].polygon)
    }
}
