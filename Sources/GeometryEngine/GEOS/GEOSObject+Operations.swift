import CGEOS

/// The kinds of collection `GEOSObject.collection` builds.
package enum CollectionType: Sendable {
    case multiPoint, multiLineString, multiPolygon, geometryCollection
}

// Operations on GEOS handles. Each maps to one GEOS call (named in its doc comment); every
// result is a new owned object in the same context.
extension GEOSObject {
    private var handle: GEOSContextHandle_t { context.handle }

    private func unary(_ name: String, _ call: (GEOSContextHandle_t, OpaquePointer) -> OpaquePointer?) throws -> GEOSObject {
        try context.adopt(call(handle, pointer), name)
    }

    private func binary(_ other: GEOSObject, _ name: String,
                        _ call: (GEOSContextHandle_t, OpaquePointer, OpaquePointer) -> OpaquePointer?) throws -> GEOSObject {
        precondition(other.context === context, "GEOS objects from different contexts")
        return try context.adopt(call(handle, pointer, other.pointer), name)
    }

    private func measure(_ name: String, _ call: (GEOSContextHandle_t, OpaquePointer, UnsafeMutablePointer<Double>) -> Int32) throws -> Double {
        var value = 0.0
        // Returns 0 on exception.
        try context.check(call(handle, pointer, &value), name)
        return value
    }

    private func relation(_ other: GEOSObject, _ name: String,
                          _ call: (GEOSContextHandle_t, OpaquePointer, OpaquePointer) -> CChar) throws -> Bool {
        precondition(other.context === context, "GEOS objects from different contexts")
        return try context.predicate(call(handle, pointer, other.pointer), name)
    }

    // MARK: Properties

    /// See `GEOSArea_r`.
    package func area() throws -> Double { try measure("GEOSArea_r", GEOSArea_r) }
    /// See `GEOSLength_r`.
    package func length() throws -> Double { try measure("GEOSLength_r", GEOSLength_r) }
    /// See `GEOSisEmpty_r`.
    package func isEmpty() throws -> Bool { try context.predicate(GEOSisEmpty_r(handle, pointer), "GEOSisEmpty_r") }
    /// See `GEOSisValid_r`.
    package func isValid() throws -> Bool { try context.predicate(GEOSisValid_r(handle, pointer), "GEOSisValid_r") }

    /// Why the geometry is invalid, in GEOS's words ("Valid Geometry" when it is valid). See `GEOSisValidReason_r`.
    package func validityReason() throws -> String {
        guard let reason = GEOSisValidReason_r(handle, pointer) else { throw context.error("GEOSisValidReason_r") }
        defer { GEOSFree_r(handle, reason) }
        return String(cString: reason)
    }

    /// The number of parts (1 for a non-collection). See `GEOSGetNumGeometries_r`.
    package func partCount() throws -> Int {
        let count = GEOSGetNumGeometries_r(handle, pointer)
        guard count >= 0 else { throw context.error("GEOSGetNumGeometries_r") }
        return Int(count)
    }

    /// A copy of part `index`, owned by the caller. See `GEOSGetGeometryN_r`, `GEOSGeom_clone_r`.
    package func part(_ index: Int) throws -> GEOSObject {
        guard let borrowed = GEOSGetGeometryN_r(handle, pointer, Int32(index)) else { throw context.error("GEOSGetGeometryN_r") }
        return try context.adopt(GEOSGeom_clone_r(handle, borrowed), "GEOSGeom_clone_r")
    }

    /// See `GEOSGeom_getExtent_r`. Nil for an empty geometry.
    package func envelope() throws -> Envelope? {
        if try isEmpty() { return nil }
        var minX = 0.0, minY = 0.0, maxX = 0.0, maxY = 0.0
        try context.check(GEOSGeom_getExtent_r(handle, pointer, &minX, &minY, &maxX, &maxY), "GEOSGeom_getExtent_r")
        return Envelope(minX: minX, minY: minY, maxX: maxX, maxY: maxY)
    }

    /// See `GEOSGeom_clone_r`.
    package func clone() throws -> GEOSObject { try unary("GEOSGeom_clone_r", GEOSGeom_clone_r) }

    // MARK: Constructive operations

    /// Repairs an invalid geometry, keeping its dimension (the "structure" method: rings are
    /// treated as area boundaries, collapsed parts dropped). See `GEOSMakeValidWithParams_r`.
    package func makeValid() throws -> GEOSObject {
        guard let params = GEOSMakeValidParams_create_r(handle) else { throw context.error("GEOSMakeValidParams_create_r") }
        defer { GEOSMakeValidParams_destroy_r(handle, params) }
        // Both setters return 0 on exception.
        try context.check(GEOSMakeValidParams_setMethod_r(handle, params, GEOS_MAKE_VALID_STRUCTURE), "GEOSMakeValidParams_setMethod_r")
        try context.check(GEOSMakeValidParams_setKeepCollapsed_r(handle, params, 0), "GEOSMakeValidParams_setKeepCollapsed_r")
        return try context.adopt(GEOSMakeValidWithParams_r(handle, pointer, params), "GEOSMakeValidWithParams_r")
    }

    /// See `GEOSBuffer_r`.
    package func buffer(_ distance: Double, quadrantSegments: Int = 8) throws -> GEOSObject {
        try unary("GEOSBuffer_r") { GEOSBuffer_r($0, $1, distance, Int32(quadrantSegments)) }
    }

    /// A buffer with mitred joins and flat caps: grows or shrinks a polygon keeping its corners.
    /// See `GEOSBufferWithStyle_r`.
    package func mitredBuffer(_ distance: Double, mitreLimit: Double = 5) throws -> GEOSObject {
        try unary("GEOSBufferWithStyle_r") {
            GEOSBufferWithStyle_r($0, $1, distance, 8, Int32(GEOSBUF_CAP_FLAT.rawValue), Int32(GEOSBUF_JOIN_MITRE.rawValue), mitreLimit)
        }
    }

    /// See `GEOSIntersection_r`.
    package func intersection(_ other: GEOSObject) throws -> GEOSObject { try binary(other, "GEOSIntersection_r", GEOSIntersection_r) }
    /// See `GEOSDifference_r`.
    package func difference(_ other: GEOSObject) throws -> GEOSObject { try binary(other, "GEOSDifference_r", GEOSDifference_r) }
    /// See `GEOSUnion_r`.
    package func union(_ other: GEOSObject) throws -> GEOSObject { try binary(other, "GEOSUnion_r", GEOSUnion_r) }
    /// See `GEOSSymDifference_r`.
    package func symmetricDifference(_ other: GEOSObject) throws -> GEOSObject { try binary(other, "GEOSSymDifference_r", GEOSSymDifference_r) }
    /// The union of the parts of this (collection) geometry. See `GEOSUnaryUnion_r`.
    package func unaryUnion() throws -> GEOSObject { try unary("GEOSUnaryUnion_r", GEOSUnaryUnion_r) }
    /// The union of a collection of polygons that form a valid coverage (edge-matched, no
    /// overlaps): much faster than `unaryUnion`, wrong if the input is not a coverage.
    /// See `GEOSCoverageUnion_r`.
    package func coverageUnion() throws -> GEOSObject { try unary("GEOSCoverageUnion_r", GEOSCoverageUnion_r) }
    /// Nodes a set of lines: splits them at every intersection. See `GEOSNode_r`.
    package func node() throws -> GEOSObject { try unary("GEOSNode_r", GEOSNode_r) }
    /// See `GEOSLineMerge_r`.
    package func lineMerge() throws -> GEOSObject { try unary("GEOSLineMerge_r", GEOSLineMerge_r) }
    /// See `GEOSBoundary_r`.
    package func boundary() throws -> GEOSObject { try unary("GEOSBoundary_r", GEOSBoundary_r) }
    /// See `GEOSEnvelope_r`.
    package func envelopeGeometry() throws -> GEOSObject { try unary("GEOSEnvelope_r", GEOSEnvelope_r) }
    /// See `GEOSConvexHull_r`.
    package func convexHull() throws -> GEOSObject { try unary("GEOSConvexHull_r", GEOSConvexHull_r) }
    /// See `GEOSGetCentroid_r`.
    package func centroid() throws -> GEOSObject { try unary("GEOSGetCentroid_r", GEOSGetCentroid_r) }
    /// A point guaranteed to lie in the interior of a polygon. See `GEOSPointOnSurface_r`.
    package func pointOnSurface() throws -> GEOSObject { try unary("GEOSPointOnSurface_r", GEOSPointOnSurface_r) }
    /// See `GEOSMinimumRotatedRectangle_r`.
    package func minimumRotatedRectangle() throws -> GEOSObject { try unary("GEOSMinimumRotatedRectangle_r", GEOSMinimumRotatedRectangle_r) }

    /// Simplifies without changing topology. See `GEOSTopologyPreserveSimplify_r`.
    package func simplify(tolerance: Double) throws -> GEOSObject {
        try unary("GEOSTopologyPreserveSimplify_r") { GEOSTopologyPreserveSimplify_r($0, $1, tolerance) }
    }

    /// This geometry with its vertices and segments snapped to `other`'s vertices within
    /// `tolerance`. See `GEOSSnap_r`.
    package func snapped(to other: GEOSObject, tolerance: Double) throws -> GEOSObject {
        try binary(other, "GEOSSnap_r") { GEOSSnap_r($0, $1, $2, tolerance) }
    }

    /// Snaps coordinates to a grid of `gridSize`, keeping polygons valid. See `GEOSGeom_setPrecision_r`.
    package func reducingPrecision(gridSize: Double) throws -> GEOSObject {
        try unary("GEOSGeom_setPrecision_r") { GEOSGeom_setPrecision_r($0, $1, gridSize, 0) }
    }

    /// The part of the geometry inside a rectangle (fast, may be invalid on the rectangle's edge).
    /// See `GEOSClipByRect_r`.
    package func clipped(to rect: Envelope) throws -> GEOSObject {
        try unary("GEOSClipByRect_r") { GEOSClipByRect_r($0, $1, rect.minX, rect.minY, rect.maxX, rect.maxY) }
    }

    /// The Voronoi diagram of this geometry's vertices, as polygons (or only its edges), clipped
    /// to the envelope of `clip` when given. See `GEOSVoronoiDiagram_r`.
    package func voronoiDiagram(clip: GEOSObject? = nil, tolerance: Double = 0, onlyEdges: Bool = false) throws -> GEOSObject {
        try unary("GEOSVoronoiDiagram_r") { GEOSVoronoiDiagram_r($0, $1, clip?.pointer, tolerance, onlyEdges ? 1 : 0) }
    }

    /// Polygons formed by a set of noded lines. See `GEOSPolygonize_r`.
    package static func polygonize(_ lines: [GEOSObject], context: GEOSContext) throws -> GEOSObject {
        var pointers: [OpaquePointer?] = lines.map(\.pointer)
        let result = pointers.withUnsafeMutableBufferPointer { buffer in
            // Borrows the inputs; returns a new collection of polygons.
            buffer.baseAddress!.withMemoryRebound(to: Optional<OpaquePointer>.self, capacity: buffer.count) {
                GEOSPolygonize_r(context.handle, $0, UInt32(buffer.count))
            }
        }
        return try withExtendedLifetime(lines) { try context.adopt(result, "GEOSPolygonize_r") }
    }

    /// A collection that takes the parts over (the parts are released to GEOS).
    /// See `GEOSGeom_createCollection_r`.
    package static func collection(_ parts: [GEOSObject], type: CollectionType, context: GEOSContext) throws -> GEOSObject {
        var pointers: [OpaquePointer?] = parts.map { $0.release() }
        let typeID: GEOSGeomTypes = switch type {
        case .multiPoint: GEOS_MULTIPOINT
        case .multiLineString: GEOS_MULTILINESTRING
        case .multiPolygon: GEOS_MULTIPOLYGON
        case .geometryCollection: GEOS_GEOMETRYCOLLECTION
        }
        // Takes ownership of every part.
        let result = pointers.withUnsafeMutableBufferPointer {
            GEOSGeom_createCollection_r(context.handle, Int32(typeID.rawValue), $0.baseAddress, UInt32($0.count))
        }
        return try context.adopt(result, "GEOSGeom_createCollection_r")
    }

    // MARK: Measures between geometries

    /// See `GEOSDistance_r`.
    package func distance(to other: GEOSObject) throws -> Double {
        var value = 0.0
        // Returns 0 on exception.
        try context.check(GEOSDistance_r(handle, pointer, other.pointer, &value), "GEOSDistance_r")
        return value
    }

    // MARK: Predicates (2 on exception, 1 true, 0 false)

    /// See `GEOSIntersects_r`.
    package func intersects(_ other: GEOSObject) throws -> Bool { try relation(other, "GEOSIntersects_r", GEOSIntersects_r) }
    /// See `GEOSContains_r`.
    package func contains(_ other: GEOSObject) throws -> Bool { try relation(other, "GEOSContains_r", GEOSContains_r) }
    /// See `GEOSCovers_r`.
    package func covers(_ other: GEOSObject) throws -> Bool { try relation(other, "GEOSCovers_r", GEOSCovers_r) }
    /// See `GEOSWithin_r`.
    package func isWithin(_ other: GEOSObject) throws -> Bool { try relation(other, "GEOSWithin_r", GEOSWithin_r) }
    /// See `GEOSTouches_r`.
    package func touches(_ other: GEOSObject) throws -> Bool { try relation(other, "GEOSTouches_r", GEOSTouches_r) }
    /// See `GEOSOverlaps_r`.
    package func overlaps(_ other: GEOSObject) throws -> Bool { try relation(other, "GEOSOverlaps_r", GEOSOverlaps_r) }
    /// Topological equality. See `GEOSEquals_r`.
    package func isTopologicallyEqual(to other: GEOSObject) throws -> Bool { try relation(other, "GEOSEquals_r", GEOSEquals_r) }

    /// Whether the DE-9IM matrix of the pair matches `pattern`. See `GEOSRelatePattern_r`.
    package func relate(_ other: GEOSObject, pattern: String) throws -> Bool {
        try context.predicate(GEOSRelatePattern_r(handle, pointer, other.pointer, pattern), "GEOSRelatePattern_r")
    }
}
