import CGEOS

// GEOS operations on the value model. Each call makes its own GEOS context (the GEOSwift
// model), so these are safe from any thread; loops that chain many operations on the same
// geometries use `GEOSObject` inside one context instead.
extension Geometry {
    /// Runs `body` on this geometry's GEOS handle in a fresh context.
    package func withGEOS<T>(_ body: (GEOSObject) throws -> T) throws -> T {
        let context = GEOSContext()
        return try body(GEOSObject(self, context: context))
    }

    private func binaryGEOS<T>(_ other: Geometry, _ body: (GEOSObject, GEOSObject) throws -> T) throws -> T {
        let context = GEOSContext()
        return try body(GEOSObject(self, context: context), GEOSObject(other, context: context))
    }

    /// Area in the units of the CRS squared. See `GEOSArea_r`.
    public func area() throws -> Double { try withGEOS { try $0.area() } }
    /// Length (perimeter for polygons). See `GEOSLength_r`.
    public func length() throws -> Double { try withGEOS { try $0.length() } }
    /// See `GEOSisValid_r`.
    public func isValid() throws -> Bool { try withGEOS { try $0.isValid() } }
    /// GEOS's reason for invalidity ("Valid Geometry" when valid). See `GEOSisValidReason_r`.
    public func validityReason() throws -> String { try withGEOS { try $0.validityReason() } }
    /// A valid geometry of the same dimension. See `GEOSMakeValidWithParams_r`.
    public func makeValid() throws -> Geometry { try withGEOS { try $0.makeValid().geometry() } }
    /// See `GEOSBuffer_r`.
    public func buffer(_ distance: Double, quadrantSegments: Int = 8) throws -> Geometry {
        try withGEOS { try $0.buffer(distance, quadrantSegments: quadrantSegments).geometry() }
    }
    /// See `GEOSUnaryUnion_r`.
    public func unaryUnion() throws -> Geometry { try withGEOS { try $0.unaryUnion().geometry() } }
    /// See `GEOSCoverageUnion_r`: the union of an edge-matched set of polygons.
    public func coverageUnion() throws -> Geometry { try withGEOS { try $0.coverageUnion().geometry() } }
    /// See `GEOSTopologyPreserveSimplify_r`.
    public func simplified(tolerance: Double) throws -> Geometry { try withGEOS { try $0.simplify(tolerance: tolerance).geometry() } }
    /// See `GEOSGetCentroid_r`.
    public func centroid() throws -> Geometry { try withGEOS { try $0.centroid().geometry() } }
    /// A point inside a polygon. See `GEOSPointOnSurface_r`.
    public func pointOnSurface() throws -> Geometry { try withGEOS { try $0.pointOnSurface().geometry() } }
    /// See `GEOSVoronoiDiagram_r`.
    public func voronoiDiagram(clip: Geometry? = nil, tolerance: Double = 0) throws -> Geometry {
        let context = GEOSContext()
        let sites = try GEOSObject(self, context: context)
        let clipObject = try clip.map { try GEOSObject($0, context: context) }
        return try sites.voronoiDiagram(clip: clipObject, tolerance: tolerance).geometry()
    }
    /// Polygons formed by noded lines. See `GEOSPolygonize_r`.
    public static func polygonize(_ lines: [Geometry]) throws -> Geometry {
        let context = GEOSContext()
        let objects = try lines.map { try GEOSObject($0, context: context) }
        return try GEOSObject.polygonize(objects, context: context).geometry()
    }

    /// See `GEOSIntersection_r`.
    public func intersection(_ other: Geometry) throws -> Geometry { try binaryGEOS(other) { try $0.intersection($1).geometry() } }
    /// See `GEOSDifference_r`.
    public func difference(_ other: Geometry) throws -> Geometry { try binaryGEOS(other) { try $0.difference($1).geometry() } }
    /// See `GEOSUnion_r`.
    public func union(_ other: Geometry) throws -> Geometry { try binaryGEOS(other) { try $0.union($1).geometry() } }
    /// See `GEOSDistance_r`.
    public func distance(to other: Geometry) throws -> Double { try binaryGEOS(other) { try $0.distance(to: $1) } }
    /// See `GEOSIntersects_r`.
    public func intersects(_ other: Geometry) throws -> Bool { try binaryGEOS(other) { try $0.intersects($1) } }
    /// See `GEOSContains_r`.
    public func contains(_ other: Geometry) throws -> Bool { try binaryGEOS(other) { try $0.contains($1) } }
    /// See `GEOSCovers_r`.
    public func covers(_ other: Geometry) throws -> Bool { try binaryGEOS(other) { try $0.covers($1) } }
    /// See `GEOSWithin_r`.
    public func isWithin(_ other: Geometry) throws -> Bool { try binaryGEOS(other) { try $0.isWithin($1) } }
    /// See `GEOSTouches_r`.
    public func touches(_ other: Geometry) throws -> Bool { try binaryGEOS(other) { try $0.touches($1) } }
    /// Topological equality. See `GEOSEquals_r`.
    public func isTopologicallyEqual(to other: Geometry) throws -> Bool { try binaryGEOS(other) { try $0.isTopologicallyEqual(to: $1) } }
}

// MARK: - WKT

extension Geometry {
    /// Parses Well-Known Text. See `GEOSWKTReader_read_r`.
    /// - Throws: `GeometryError` of kind `.invalidWKT`.
    public init(wkt: String) throws {
        let context = GEOSContext()
        guard let reader = GEOSWKTReader_create_r(context.handle) else { throw context.error("GEOSWKTReader_create_r") }
        defer { GEOSWKTReader_destroy_r(context.handle, reader) }
        guard let pointer = GEOSWKTReader_read_r(context.handle, reader, wkt) else {
            var error = context.error("GEOSWKTReader_read_r")
            error.kind = .invalidWKT
            throw error
        }
        self = try GEOSObject(context: context, owning: pointer).geometry()
    }

    /// Well-Known Text with the shortest decimal that reads back exactly (`trim`, 17 digits).
    /// See `GEOSWKTWriter_write_r`.
    public func wkt() throws -> String {
        try withGEOS { object in
            let handle = object.context.handle
            guard let writer = GEOSWKTWriter_create_r(handle) else { throw object.context.error("GEOSWKTWriter_create_r") }
            defer { GEOSWKTWriter_destroy_r(handle, writer) }
            GEOSWKTWriter_setTrim_r(handle, writer, 1)
            GEOSWKTWriter_setRoundingPrecision_r(handle, writer, 17)
            GEOSWKTWriter_setOutputDimension_r(handle, writer, 2)
            guard let text = GEOSWKTWriter_write_r(handle, writer, object.pointer) else { throw object.context.error("GEOSWKTWriter_write_r") }
            defer { GEOSFree_r(handle, text) }
            return String(cString: text)
        }
    }
}
