import GeometryEngine

extension District {
    /// The district with every coordinate rounded to a multiple of `grid` (in its CRS's units).
    ///
    /// Every comparison the partition makes is decided on these values, never on the input's
    /// float noise: the same district moved by far less than `grid` (a micrometre of jitter, or
    /// read from GeoJSON's decimal text instead of a GeoPackage's binary doubles) gives the same
    /// coordinates here, and so the same grids and codes, except for the rare coordinate that
    /// sits within the jitter of a rounding boundary.
    ///
    /// Rounding may fold a thin part of a polygon onto itself; such a footprint, site or compound
    /// is repaired with make-valid, and kept unrounded when nothing of it survives. Communities
    /// keep their vertex count (the written grids are put back onto the input's edges vertex for
    /// vertex), so an invalid rounded community keeps its unrounded outline.
    public func snapped(toGrid grid: Double) throws -> District {
        func areal(_ geometry: Geometry, repair: Bool) throws -> Geometry {
            let rounded = geometry.rounded(toGrid: grid)
            if try rounded.isValid() { return rounded }
            guard repair else { return geometry }
            // Make-valid adds vertices where the rings cross, off the grid: rounded once more.
            let polygons = try rounded.makeValid().polygons
            guard !polygons.isEmpty else { return geometry }
            let repaired: Geometry = polygons.count == 1 ? .polygon(polygons[0]) : .multiPolygon(polygons)
            let again = repaired.rounded(toGrid: grid)
            return try again.isValid() ? again : repaired
        }
        var copy = self
        for i in copy.communities.indices { copy.communities[i].geometry = try areal(communities[i].geometry, repair: false) }
        for i in copy.buildings.indices { copy.buildings[i].geometry = try areal(buildings[i].geometry, repair: true) }
        for i in copy.dedicated.indices { copy.dedicated[i].geometry = try areal(dedicated[i].geometry, repair: true) }
        for i in copy.compounds.indices { copy.compounds[i].geometry = try areal(compounds[i].geometry, repair: true) }
        for i in copy.roads.indices { copy.roads[i].geometry = roads[i].geometry.rounded(toGrid: grid) }
        for i in copy.barriers.indices { copy.barriers[i].geometry = barriers[i].geometry.rounded(toGrid: grid) }
        for i in copy.shops.indices { copy.shops[i].geometry = shops[i].geometry.rounded(toGrid: grid) }
        return copy
    }
}
