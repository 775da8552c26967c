import GeometryEngine

/// GEOS's answers about points and a set of polygons, to check the index against: prepared
/// geometries in one context, for one test at a time.
final class GEOSOracle {
    private let context: GEOSContext
    private let objects: [GEOSObject]
    private let prepared: [PreparedGeometry]
    private let envelopes: [Envelope?]

    init(_ geometries: [Geometry]) throws {
        let context = GEOSContext()
        self.context = context
        objects = try geometries.map { try GEOSObject($0, context: context) }
        prepared = try objects.map { try PreparedGeometry($0) }
        envelopes = geometries.map(\.envelope)
    }

    private func point(_ p: XY) throws -> GEOSObject {
        try GEOSObject(.point(p), context: context)
    }

    /// The polygons whose interior holds `p`. See `GEOSPreparedContains_r`.
    func containing(_ p: XY) throws -> [Int] {
        let object = try point(p)
        return try objects.indices.filter { envelopes[$0]?.contains(p) == true }.filter { try prepared[$0].contains(object) }
    }

    /// The polygons whose interior or boundary holds `p`. See `GEOSPreparedCovers_r`.
    func covering(_ p: XY) throws -> [Int] {
        let object = try point(p)
        return try objects.indices.filter { envelopes[$0]?.contains(p) == true }.filter { try prepared[$0].covers(object) }
    }

    /// The distance from `p` to polygon `index`, in the coordinates' units. See `GEOSDistance_r`.
    func distance(from p: XY, to index: Int) throws -> Double {
        try objects[index].distance(to: point(p))
    }

    /// The smallest distance from `p` to any polygon.
    func nearestDistance(from p: XY) throws -> (index: Int, distance: Double) {
        let object = try point(p)
        var best = (index: -1, distance: Double.infinity)
        for (index, candidate) in objects.enumerated() {
            let distance = try candidate.distance(to: object)
            if distance < best.distance { best = (index, distance) }
        }
        return best
    }
}
