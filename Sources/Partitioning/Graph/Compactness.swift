import GeometryEngine

/// The one compactness measure of the partition: Polsby-Popper, 4πA/P², 1 for a disc and
/// near 0 for a band or a ring-shaped grid.
enum Compactness {
    /// Polsby-Popper of a shape of `area` and `perimeter` (every ring counted); nil when it has no perimeter.
    static func polsbyPopper(area: Double, perimeter: Double) -> Double? {
        perimeter > 0 ? 4 * Double.pi * area / (perimeter * perimeter) : nil
    }

    /// Polsby-Popper without its constant 4π, 0 without a perimeter: what the balancer compares
    /// when it moves a unit between two regions (the constant changes no comparison, and
    /// leaving it out keeps the balancer's arithmetic, and so its cuts, as they were).
    static func areaOverPerimeterSquared(area: Double, perimeter: Double) -> Double {
        perimeter > 0 ? area / (perimeter * perimeter) : 0
    }

    /// Polsby-Popper of a whole polygonal geometry: the area of all its polygons and the length
    /// of all their rings, holes included (a grid in two parts, or round a hole, scores low).
    static func polsbyPopper(of geometry: Geometry) -> Double? {
        let polygons = geometry.polygons
        let area = polygons.reduce(0) { $0 + PlaneMath.area($1) }
        let perimeter = polygons.reduce(0) { total, polygon in polygon.rings.reduce(total) { $0 + PlaneMath.length($1) } }
        return polsbyPopper(area: area, perimeter: perimeter)
    }
}
