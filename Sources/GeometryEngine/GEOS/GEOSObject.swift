import CGEOS

/// Owns one `GEOSGeometry*`: created by a GEOS call, destroyed once in `deinit`.
///
/// Keeps its `GEOSContext` alive. Not `Sendable`: see the thread-safety rule on `GEOSContext`.
package final class GEOSObject {
    package let context: GEOSContext
    package let pointer: OpaquePointer
    private var owns = true

    /// Wraps a geometry that the caller owns and hands over.
    ///
    /// Never inlined, so that a `GEOSObject` is always a heap object: Swift 6.3.1's optimizer
    /// miscompiles a stack-promoted one. In `Geometry.isValid()` it put the object on the stack
    /// without initialising its header, merged the two inlined deinits (valid, invalid) into one
    /// block, and then freed the stack slot with `swift_deallocClassInstance`: a crash or a
    /// `free()` of a stack address in release builds only. `tools/release-smoke` checks the
    /// release binary for such frees.
    @inline(never)
    package init(context: GEOSContext, owning pointer: OpaquePointer) {
        self.context = context
        self.pointer = pointer
    }

    deinit {
        if owns { GEOSGeom_destroy_r(context.handle, pointer) }
    }

    /// Gives up ownership, for a C call that takes it (such as `GEOSGeom_createCollection_r`).
    /// The object must not be used afterwards.
    package func release() -> OpaquePointer {
        precondition(owns, "GEOSObject released twice")
        owns = false
        return pointer
    }
}

@available(*, unavailable)
extension GEOSObject: Sendable {}

// MARK: - From and to the value model

extension GEOSObject {
    /// Builds the GEOS geometry of `geometry` in `context`.
    /// - Throws: `GeometryError` when GEOS rejects it (a ring of fewer than four points, an unclosed ring).
    package convenience init(_ geometry: Geometry, context: GEOSContext) throws {
        let pointer = try GEOSBuilder(context: context).make(geometry)
        self.init(context: context, owning: pointer)
    }

    /// Reads the geometry back into the value model.
    package func geometry() throws -> Geometry {
        try GEOSReader(context: context).read(pointer)
    }
}

/// Builds raw GEOS geometries; every intermediate is destroyed on failure.
private struct GEOSBuilder {
    let context: GEOSContext
    var handle: GEOSContextHandle_t { context.handle }

    func sequence(_ points: [XY]) throws -> OpaquePointer {
        let seq = points.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: Double.self) { doubles in
                // XY is two Doubles laid out x, y: the interleaved buffer GEOS expects.
                GEOSCoordSeq_copyFromBuffer_r(handle, doubles.baseAddress, UInt32(points.count), 0, 0)
            }
        }
        guard let seq else { throw context.error("GEOSCoordSeq_copyFromBuffer_r") }
        return seq
    }

    func ring(_ points: [XY]) throws -> OpaquePointer {
        let seq = try sequence(points)
        // Takes ownership of seq, also on failure.
        guard let ring = GEOSGeom_createLinearRing_r(handle, seq) else { throw context.error("GEOSGeom_createLinearRing_r") }
        return ring
    }

    func polygon(_ polygon: Polygon) throws -> OpaquePointer {
        guard !polygon.isEmpty else {
            guard let empty = GEOSGeom_createEmptyPolygon_r(handle) else { throw context.error("GEOSGeom_createEmptyPolygon_r") }
            return empty
        }
        let shell = try ring(polygon.rings[0])
        var holes: [OpaquePointer?] = []
        holes.reserveCapacity(polygon.rings.count - 1)
        do {
            for hole in polygon.rings.dropFirst() { holes.append(try ring(hole)) }
        } catch {
            GEOSGeom_destroy_r(handle, shell)
            holes.forEach { GEOSGeom_destroy_r(handle, $0) }
            throw error
        }
        // Takes ownership of the shell and the holes (not of the array).
        let made = holes.withUnsafeMutableBufferPointer {
            GEOSGeom_createPolygon_r(handle, shell, $0.baseAddress, UInt32($0.count))
        }
        guard let made else { throw context.error("GEOSGeom_createPolygon_r") }
        return made
    }

    func collection(_ type: GEOSGeomTypes, _ parts: [Geometry]) throws -> OpaquePointer {
        var made: [OpaquePointer?] = []
        made.reserveCapacity(parts.count)
        do {
            for part in parts { made.append(try make(part)) }
        } catch {
            made.forEach { GEOSGeom_destroy_r(handle, $0) }
            throw error
        }
        // Takes ownership of the parts.
        let collection = made.withUnsafeMutableBufferPointer {
            GEOSGeom_createCollection_r(handle, Int32(type.rawValue), $0.baseAddress, UInt32($0.count))
        }
        guard let collection else { throw context.error("GEOSGeom_createCollection_r") }
        return collection
    }

    func make(_ geometry: Geometry) throws -> OpaquePointer {
        switch geometry {
        case .point(let p):
            guard let point = GEOSGeom_createPointFromXY_r(handle, p.x, p.y) else { throw context.error("GEOSGeom_createPointFromXY_r") }
            return point
        case .lineString(let points):
            let seq = try sequence(points)
            guard let line = GEOSGeom_createLineString_r(handle, seq) else { throw context.error("GEOSGeom_createLineString_r") }
            return line
        case .polygon(let p):
            return try polygon(p)
        case .multiPoint(let points):
            return try collection(GEOS_MULTIPOINT, points.map { .point($0) })
        case .multiLineString(let lines):
            return try collection(GEOS_MULTILINESTRING, lines.map { .lineString($0) })
        case .multiPolygon(let polygons):
            return try collection(GEOS_MULTIPOLYGON, polygons.map { .polygon($0) })
        case .geometryCollection(let parts):
            return try collection(GEOS_GEOMETRYCOLLECTION, parts)
        }
    }
}

/// Reads raw GEOS geometries (borrowed, never freed here) into the value model.
private struct GEOSReader {
    let context: GEOSContext
    var handle: GEOSContextHandle_t { context.handle }

    func points(_ sequence: OpaquePointer?) throws -> [XY] {
        guard let sequence else { throw context.error("GEOSGeom_getCoordSeq_r") }
        var size: UInt32 = 0
        try context.check(GEOSCoordSeq_getSize_r(handle, sequence, &size), "GEOSCoordSeq_getSize_r")
        var status: Int32 = 1
        let result = [XY](unsafeUninitializedCapacity: Int(size)) { buffer, initialized in
            buffer.withMemoryRebound(to: Double.self) { doubles in
                // Returns 0 on exception.
                status = GEOSCoordSeq_copyToBuffer_r(handle, sequence, doubles.baseAddress, 0, 0)
            }
            initialized = status == 0 ? 0 : Int(size)
        }
        try context.check(status, "GEOSCoordSeq_copyToBuffer_r")
        return result
    }

    func ring(_ ring: OpaquePointer?) throws -> [XY] {
        guard let ring else { throw context.error("GEOSGetExteriorRing_r") }
        return try points(GEOSGeom_getCoordSeq_r(handle, ring))
    }

    func polygon(_ pointer: OpaquePointer) throws -> Polygon {
        if GEOSisEmpty_r(handle, pointer) == 1 { return Polygon(rings: []) }
        var rings = [try ring(GEOSGetExteriorRing_r(handle, pointer))]
        let holes = GEOSGetNumInteriorRings_r(handle, pointer)
        guard holes >= 0 else { throw context.error("GEOSGetNumInteriorRings_r") }
        for i in 0..<holes {
            rings.append(try ring(GEOSGetInteriorRingN_r(handle, pointer, i)))
        }
        return Polygon(rings: rings)
    }

    func parts(_ pointer: OpaquePointer) throws -> [OpaquePointer] {
        let count = GEOSGetNumGeometries_r(handle, pointer)
        guard count >= 0 else { throw context.error("GEOSGetNumGeometries_r") }
        return try (0..<count).map {
            guard let part = GEOSGetGeometryN_r(handle, pointer, $0) else { throw context.error("GEOSGetGeometryN_r") }
            return part
        }
    }

    func read(_ pointer: OpaquePointer) throws -> Geometry {
        let type = GEOSGeomTypeId_r(handle, pointer)
        switch type {
        case Int32(GEOS_POINT.rawValue):
            if GEOSisEmpty_r(handle, pointer) == 1 { return .multiPoint([]) }
            return .point(try points(GEOSGeom_getCoordSeq_r(handle, pointer))[0])
        case Int32(GEOS_LINESTRING.rawValue), Int32(GEOS_LINEARRING.rawValue):
            return .lineString(try points(GEOSGeom_getCoordSeq_r(handle, pointer)))
        case Int32(GEOS_POLYGON.rawValue):
            return .polygon(try polygon(pointer))
        case Int32(GEOS_MULTIPOINT.rawValue):
            return .multiPoint(try parts(pointer).map { try points(GEOSGeom_getCoordSeq_r(handle, $0))[0] })
        case Int32(GEOS_MULTILINESTRING.rawValue):
            return .multiLineString(try parts(pointer).map { try points(GEOSGeom_getCoordSeq_r(handle, $0)) })
        case Int32(GEOS_MULTIPOLYGON.rawValue):
            return .multiPolygon(try parts(pointer).map(polygon))
        case Int32(GEOS_GEOMETRYCOLLECTION.rawValue):
            return .geometryCollection(try parts(pointer).map(read))
        default:
            throw GeometryError(.unsupported, operation: "GEOSGeomTypeId_r", message: "geometry type \(type)")
        }
    }
}
