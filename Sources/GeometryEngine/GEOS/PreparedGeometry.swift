import CGEOS

/// A geometry prepared for many predicate tests against it (`GEOSPrepare_r`).
///
/// Keeps the geometry it was prepared from alive: GEOS's prepared geometry borrows it.
package final class PreparedGeometry {
    package let base: GEOSObject
    private let pointer: OpaquePointer
    private var context: GEOSContext { base.context }

    package init(_ base: GEOSObject) throws {
        guard let pointer = GEOSPrepare_r(base.context.handle, base.pointer) else { throw base.context.error("GEOSPrepare_r") }
        self.base = base
        self.pointer = pointer
    }

    deinit {
        GEOSPreparedGeom_destroy_r(base.context.handle, pointer)
    }

    private func test(_ other: GEOSObject, _ name: String,
                      _ call: (GEOSContextHandle_t, OpaquePointer, OpaquePointer) -> CChar) throws -> Bool {
        precondition(other.context === context, "GEOS objects from different contexts")
        // Returns 2 on exception, 1 on true, 0 on false.
        return try context.predicate(call(context.handle, pointer, other.pointer), name)
    }

    /// See `GEOSPreparedContains_r`.
    package func contains(_ other: GEOSObject) throws -> Bool { try test(other, "GEOSPreparedContains_r", GEOSPreparedContains_r) }
    /// See `GEOSPreparedContainsProperly_r`.
    package func containsProperly(_ other: GEOSObject) throws -> Bool { try test(other, "GEOSPreparedContainsProperly_r", GEOSPreparedContainsProperly_r) }
    /// See `GEOSPreparedCovers_r`.
    package func covers(_ other: GEOSObject) throws -> Bool { try test(other, "GEOSPreparedCovers_r", GEOSPreparedCovers_r) }
    /// See `GEOSPreparedIntersects_r`.
    package func intersects(_ other: GEOSObject) throws -> Bool { try test(other, "GEOSPreparedIntersects_r", GEOSPreparedIntersects_r) }
    /// See `GEOSPreparedWithin_r`.
    package func isWithin(_ other: GEOSObject) throws -> Bool { try test(other, "GEOSPreparedWithin_r", GEOSPreparedWithin_r) }
    /// See `GEOSPreparedTouches_r`.
    package func touches(_ other: GEOSObject) throws -> Bool { try test(other, "GEOSPreparedTouches_r", GEOSPreparedTouches_r) }

    /// See `GEOSPreparedDistance_r`.
    package func distance(to other: GEOSObject) throws -> Double {
        var value = 0.0
        // Returns 0 on exception.
        try context.check(GEOSPreparedDistance_r(context.handle, pointer, other.pointer, &value), "GEOSPreparedDistance_r")
        return value
    }
}

@available(*, unavailable)
extension PreparedGeometry: Sendable {}
