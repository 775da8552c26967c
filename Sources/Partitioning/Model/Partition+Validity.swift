import GeometryEngine

extension Partition {
    /// Makes every grid and micro-grid a valid Polygon where all that stands in the way is
    /// dust: a spike or a loop of no area, left by noding nearly parallel lines or by rounding
    /// in the CRS the geometry was brought back to. GEOS's make-valid splits such a polygon into
    /// the polygon and crumbs of (almost) no area; the polygon replaces it. A polygon whose
    /// repair leaves two real pieces is left as it is (the coverage check reports it).
    /// - Throws: `GeometryError` when GEOS fails.
    mutating func removeDust() throws {
        let context = GEOSContext()
        for g in grids.indices {
            grids[g].geometry = try Self.withoutDust(grids[g].geometry, context: context)
            for m in grids[g].microGrids.indices {
                grids[g].microGrids[m].geometry = try Self.withoutDust(grids[g].microGrids[m].geometry, context: context)
            }
        }
    }

    /// `geometry`, or its one real piece when it is invalid only by pieces of no area.
    static func withoutDust(_ geometry: Geometry, context: GEOSContext) throws -> Geometry {
        guard case .polygon = geometry else { return geometry }
        let object = try GEOSObject(geometry, context: context)
        guard try !object.isValid() else { return geometry }
        let repaired = try object.makeValid().geometry()
        let pieces = repaired.polygons.map { (polygon: $0, area: PlaneMath.area($0)) }
        let total = pieces.reduce(0) { $0 + $1.area }
        let real = pieces.filter { $0.area > 1e-9 * total }
        guard real.count == 1 else { return geometry }
        return .polygon(real[0].polygon)
    }
}
