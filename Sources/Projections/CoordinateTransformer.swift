import CPROJ
import GeometryEngine

/// Transforms coordinates from one EPSG coordinate reference system to another with PROJ.
///
/// Axis order is always x = longitude or easting, y = latitude or northing, whatever order the
/// EPSG definition gives (EPSG:4326 is latitude first, the CGCS2000 Gauss-Krüger zones northing
/// first): see `proj_normalize_for_visualization`.
///
/// Thread rule: a transformer owns one PROJ context and one PROJ operation, which belong to one
/// thread at a time. Make one transformer per thread or task; the type is not `Sendable`, so
/// the compiler holds you to it. Creating one searches PROJ's database for candidate
/// operations (tens of milliseconds), so make it once per batch, not per point.
public final class CoordinateTransformer {
    public let sourceEPSG: Int
    public let targetEPSG: Int
    private let context: PROJContext
    /// The operation from source to target; nil when they are the same CRS.
    private let operation: PROJObject?

    /// A transformer from `sourceEPSG` to `targetEPSG`. See `proj_create_crs_to_crs_from_pj`.
    ///
    /// Without an area of interest PROJ keeps every candidate operation and picks, per point,
    /// the most accurate one whose area of use contains it. Grids are only read from the local
    /// PROJ data: the network is disabled.
    /// - Throws: `ProjectionError` of kind `.unknownCRS` naming the code PROJ does not know,
    ///   `.proj` when PROJ finds no way between the two.
    public init(from sourceEPSG: Int, to targetEPSG: Int) throws {
        self.sourceEPSG = sourceEPSG
        self.targetEPSG = targetEPSG
        let context = PROJContext()
        self.context = context
        let source = try context.crs(epsg: sourceEPSG)
        guard sourceEPSG != targetEPSG else {
            // Validated above so that an unknown code fails the same way; nothing to transform.
            operation = nil
            return
        }
        let target = try context.crs(epsg: targetEPSG)
        context.clearMessages()
        // Both return NULL on failure; neither takes ownership of its inputs.
        let authoritative = try context.adopt(
            proj_create_crs_to_crs_from_pj(context.handle, source.pointer, target.pointer, nil, nil),
            "proj_create_crs_to_crs_from_pj")
        operation = try context.adopt(
            proj_normalize_for_visualization(context.handle, authoritative.pointer),
            "proj_normalize_for_visualization")
    }

    /// Whether source and target are the same CRS, so that transforming returns its input.
    public var isIdentity: Bool { operation == nil }

    /// A transformer the other way, with a PROJ context of its own (for another task).
    public func inverted() throws -> CoordinateTransformer {
        try CoordinateTransformer(from: targetEPSG, to: sourceEPSG)
    }

    // MARK: - Forward

    /// The point in the target CRS.
    /// - Throws: `ProjectionError` of kind `.transformFailed` naming the point when it has no
    ///   image (outside the projection's domain, or not finite).
    public func transform(_ point: XY) throws -> XY {
        try run(point, PJ_FWD)
    }

    /// Transforms every point in place, in one PROJ call. See `proj_trans_generic`.
    /// - Throws: `ProjectionError` of kind `.transformFailed` naming the first point without an
    ///   image; `points` is then left unchanged.
    public func transform(_ points: inout [XY]) throws {
        try run(&points, PJ_FWD)
    }

    /// The geometry with every coordinate in the target CRS: one PROJ call per ring or line.
    /// - Throws: `ProjectionError` of kind `.transformFailed` naming the first point without an image.
    public func transform(_ geometry: Geometry) throws -> Geometry {
        try run(geometry, PJ_FWD)
    }

    // MARK: - Inverse

    /// The point of the target CRS back in the source CRS.
    /// - Throws: `ProjectionError` of kind `.transformFailed` naming the point when it has no image.
    public func inverse(_ point: XY) throws -> XY {
        try run(point, PJ_INV)
    }

    /// Transforms every point of the target CRS back to the source CRS in place, in one PROJ call.
    /// - Throws: `ProjectionError` of kind `.transformFailed` naming the first point without an
    ///   image; `points` is then left unchanged.
    public func inverse(_ points: inout [XY]) throws {
        try run(&points, PJ_INV)
    }

    /// The geometry of the target CRS back in the source CRS.
    /// - Throws: `ProjectionError` of kind `.transformFailed` naming the first point without an image.
    public func inverse(_ geometry: Geometry) throws -> Geometry {
        try run(geometry, PJ_INV)
    }

    // MARK: - Running PROJ

    private func run(_ point: XY, _ direction: PJ_DIRECTION) throws -> XY {
        guard let operation else { return point }
        var result = point
        withUnsafeMutablePointer(to: &result) { transformInPlace(operation, direction, $0, count: 1) }
        guard result.x.isFinite, result.y.isFinite else { throw failure(at: point, direction) }
        return result
    }

    private func run(_ points: inout [XY], _ direction: PJ_DIRECTION) throws {
        guard let operation, !points.isEmpty else { return }
        // Kept to name a failed point and to restore `points`; writing `points` below copies it.
        let input = points
        // The base address exists: `points` is not empty.
        points.withUnsafeMutableBufferPointer { transformInPlace(operation, direction, $0.baseAddress!, count: $0.count) }
        if let failed = points.firstIndex(where: { !$0.x.isFinite || !$0.y.isFinite }) {
            points = input
            throw failure(at: input[failed], direction)
        }
    }

    /// Transforms `count` points at `start` in place. See `proj_trans_generic`.
    private func transformInPlace(_ operation: PROJObject, _ direction: PJ_DIRECTION,
                                  _ start: UnsafeMutablePointer<XY>, count: Int) {
        proj_errno_reset(operation.pointer)
        context.clearMessages()
        start.withMemoryRebound(to: Double.self, capacity: 2 * count) { doubles in
            // XY is two Doubles laid out x, y: x and y interleaved with a stride of one XY.
            let stride = MemoryLayout<XY>.stride
            // Returns the number of points processed; a point PROJ cannot transform comes back
            // as HUGE_VAL, which the callers check for.
            _ = proj_trans_generic(
                operation.pointer, direction,
                doubles, stride, count,
                doubles + 1, stride, count,
                nil, 0, 0,
                nil, 0, 0)
        }
    }

    private func run(_ geometry: Geometry, _ direction: PJ_DIRECTION) throws -> Geometry {
        guard !isIdentity else { return geometry }
        func line(_ points: [XY]) throws -> [XY] {
            var points = points
            try run(&points, direction)
            return points
        }
        func polygon(_ polygon: Polygon) throws -> Polygon {
            Polygon(rings: try polygon.rings.map(line))
        }
        switch geometry {
        case .point(let point): return .point(try run(point, direction))
        case .lineString(let points): return .lineString(try line(points))
        case .multiPoint(let points): return .multiPoint(try line(points))
        case .polygon(let p): return .polygon(try polygon(p))
        case .multiLineString(let lines): return .multiLineString(try lines.map(line))
        case .multiPolygon(let polygons): return .multiPolygon(try polygons.map(polygon))
        case .geometryCollection(let parts): return .geometryCollection(try parts.map { try run($0, direction) })
        }
    }

    private func failure(at point: XY, _ direction: PJ_DIRECTION) -> ProjectionError {
        let (from, to) = direction == PJ_FWD ? (sourceEPSG, targetEPSG) : (targetEPSG, sourceEPSG)
        return context.error(.transformFailed, "no image in EPSG:\(to)", epsg: from, point: point)
    }
}

@available(*, unavailable)
extension CoordinateTransformer: Sendable {}
