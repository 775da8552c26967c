import CGEOS

/// A GEOS STRtree over item numbers: insert envelopes with an index, then query by envelope or
/// for the nearest item. See `GEOSSTRtree_create_r`.
///
/// Items are stored as integers in the tree's `void*` slots (index + 1, so that 0 is never
/// stored as a null pointer). Since GEOS 3.9 the tree copies each envelope, so the geometries
/// inserted may be freed afterwards. The tree builds itself on the first query; inserting after
/// that is an error in GEOS.
package final class SpatialTree {
    private let context: GEOSContext
    private let pointer: OpaquePointer
    private var geometries: [GEOSObject] = [] // kept for nearest-neighbour distances
    private var queried = false

    package init(context: GEOSContext, nodeCapacity: Int = 10) throws {
        guard let pointer = GEOSSTRtree_create_r(context.handle, nodeCapacity) else { throw context.error("GEOSSTRtree_create_r") }
        self.context = context
        self.pointer = pointer
    }

    deinit {
        GEOSSTRtree_destroy_r(context.handle, pointer)
    }

    /// Inserts `geometry`'s envelope as item `index`. The geometry is kept for `nearest`.
    package func insert(_ geometry: GEOSObject, index: Int) {
        precondition(!queried, "SpatialTree: insert after the first query")
        precondition(index >= 0 && index == geometries.count, "SpatialTree: items are inserted as 0, 1, 2, ...")
        geometries.append(geometry)
        GEOSSTRtree_insert_r(context.handle, pointer, geometry.pointer, UnsafeMutableRawPointer(bitPattern: index + 1))
    }

    /// The items whose envelopes intersect `geometry`'s envelope, in ascending order.
    package func query(_ geometry: GEOSObject) -> [Int] {
        queried = true
        var found: [Int] = []
        withUnsafeMutablePointer(to: &found) { box in
            GEOSSTRtree_query_r(context.handle, pointer, geometry.pointer, { item, userData in
                guard let userData else { return }
                userData.assumingMemoryBound(to: [Int].self).pointee.append(Int(bitPattern: item) - 1)
            }, box)
        }
        return found.sorted()
    }

    /// The items whose envelopes intersect `envelope`, in ascending order.
    package func query(_ envelope: Envelope) throws -> [Int] {
        guard let rect = GEOSGeom_createRectangle_r(context.handle, envelope.minX, envelope.minY, envelope.maxX, envelope.maxY) else {
            throw context.error("GEOSGeom_createRectangle_r")
        }
        return query(GEOSObject(context: context, owning: rect))
    }

    /// The item nearest to `geometry` (by exact geometry distance), or nil for an empty tree.
    /// See `GEOSSTRtree_nearest_generic_r`.
    package func nearest(to geometry: GEOSObject) throws -> Int? {
        guard !geometries.isEmpty else { return nil }
        queried = true
        var state = NearestState(context: context.handle, geometries: geometries.map(\.pointer), query: geometry.pointer)
        let item = withUnsafeMutablePointer(to: &state) { statePointer in
            GEOSSTRtree_nearest_generic_r(
                context.handle, pointer, NearestState.querySentinel, geometry.pointer,
                { item1, item2, distance, userData in
                    guard let userData, let distance else { return 0 }
                    let state = userData.assumingMemoryBound(to: NearestState.self).pointee
                    // GEOS pairs the query item with tree items in either order.
                    guard let a = state.geometry(item1), let b = state.geometry(item2) else { return 0 }
                    // Returns 0 on exception, which makes GEOS stop the search with an error.
                    return GEOSDistance_r(state.context, a, b, distance)
                },
                statePointer
            )
        }
        guard let item else { throw context.error("GEOSSTRtree_nearest_generic_r") }
        return Int(bitPattern: item) - 1
    }
}

private struct NearestState {
    /// Stands for the query geometry among tree items (which are index + 1, never all ones).
    static var querySentinel: UnsafeRawPointer? { UnsafeRawPointer(bitPattern: -1) }

    let context: GEOSContextHandle_t
    let geometries: [OpaquePointer]
    let query: OpaquePointer

    func geometry(_ item: UnsafeRawPointer?) -> OpaquePointer? {
        guard let item else { return nil }
        if item == Self.querySentinel { return query }
        let index = Int(bitPattern: item) - 1
        return geometries.indices.contains(index) ? geometries[index] : nil
    }
}

@available(*, unavailable)
extension SpatialTree: Sendable {}
