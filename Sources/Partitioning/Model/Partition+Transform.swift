import Foundation
import GeometryEngine
import Projections

extension Partition {
    /// Brings every geometry (grids, micro-grids, road pieces) from the CRS `epsg` to `target`,
    /// on `threads` threads, each with its own transformer (PROJ objects are not shared).
    ///
    /// A vertex on a community's boundary goes back onto the boundary as the input drew it
    /// (`anchors`): a straight edge of the working CRS is slightly curved in the input's, so a
    /// vertex the engine put on a community edge (where a grid boundary meets it), transformed
    /// on its own, would land a millimetre off the input's edge and leave slivers between the
    /// grids and their community.
    /// - Throws: `ProjectionError` when PROJ cannot transform.
    /// With `anchors`, the vertices go back onto the input's edges even when `target` is the
    /// CRS the partition is in (the working coordinates were rounded: `WorkingDistrict.precision`).
    mutating func transform(to target: Int, threads: Int, anchors: BoundaryAnchors? = nil) throws {
        guard target != epsg || anchors != nil else { return }
        let source = epsg
        let grids = self.grids
        let roads = self.roadAssignments
        let chunks = max(1, min(threads, grids.count))
        let results = ResultBox<([Grid], [RoadAssignment])>(count: chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { _ in
            while let chunk = results.next() {
                let result = Result<([Grid], [RoadAssignment]), any Error> {
                    let transformer = source == target ? nil : try CoordinateTransformer(from: source, to: target)
                    var part = Array(grids[grids.count * chunk / chunks..<grids.count * (chunk + 1) / chunks])
                    func transformed(_ geometry: Geometry) throws -> Geometry {
                        let moved = try transformer?.transform(geometry) ?? geometry
                        guard let anchors else { return moved }
                        let source = geometry.coordinates
                        var index = 0
                        return moved.mapCoordinates { point in
                            defer { index += 1 }
                            return anchors.original(of: source[index]) ?? point
                        }
                    }
                    for g in part.indices {
                        part[g].geometry = try transformed(part[g].geometry)
                        for m in part[g].microGrids.indices {
                            part[g].microGrids[m].geometry = try transformed(part[g].microGrids[m].geometry)
                        }
                    }
                    var pieces = Array(roads[roads.count * chunk / chunks..<roads.count * (chunk + 1) / chunks])
                    for r in pieces.indices {
                        pieces[r].geometry = try transformer?.transform(pieces[r].geometry) ?? pieces[r].geometry
                    }
                    return (part, pieces)
                }
                _ = results.store(result, at: chunk)
            }
        }
        var transformedGrids: [Grid] = []
        var transformedRoads: [RoadAssignment] = []
        for result in results.all() {
            let (part, pieces) = try result.get()
            transformedGrids += part
            transformedRoads += pieces
        }
        self.grids = transformedGrids
        self.roadAssignments = transformedRoads
        epsg = target
    }
}

/// The communities' boundaries in the working CRS and as the input drew them, to put the
/// vertices that lie on them back onto the input's edges exactly.
struct BoundaryAnchors: Sendable {
    private struct Segment: Sendable {
        var a: XY, b: XY
        var originalA: XY, originalB: XY
    }

    private let segments: [Segment]
    private let index: EnvelopeIndex
    /// Within this distance (metres) of a boundary, a vertex is on it.
    private static let tolerance = 1e-6

    /// - Parameters:
    ///   - metric: each community's geometry in the working CRS.
    ///   - original: the same geometries as the input has them, vertex for vertex.
    init(metric: [Geometry], original: [Geometry]) {
        var segments: [Segment] = []
        for (m, o) in zip(metric, original) {
            let a = m.polygons.flatMap(\.rings), b = o.polygons.flatMap(\.rings)
            guard a.count == b.count else { continue }
            for (ring, originalRing) in zip(a, b) where ring.count == originalRing.count {
                for i in 0..<max(0, ring.count - 1) where ring[i] != ring[i + 1] {
                    segments.append(Segment(a: ring[i], b: ring[i + 1], originalA: originalRing[i], originalB: originalRing[i + 1]))
                }
            }
        }
        self.segments = segments
        index = EnvelopeIndex(segments.map { segment in
            Envelope(minX: min(segment.a.x, segment.b.x), minY: min(segment.a.y, segment.b.y),
                     maxX: max(segment.a.x, segment.b.x), maxY: max(segment.a.y, segment.b.y)).expanded(by: Self.tolerance)
        })
    }

    /// Where `point` (working CRS) lies on the input's boundary: the input's vertex when it is
    /// one, the same fraction along the input's edge when it is on one; nil when it is on none.
    func original(of point: XY) -> XY? {
        for candidate in index.query(Envelope(minX: point.x, minY: point.y, maxX: point.x, maxY: point.y)) {
            let segment = segments[candidate]
            if PlaneMath.distance(point, segment.a) <= Self.tolerance { return segment.originalA }
            if PlaneMath.distance(point, segment.b) <= Self.tolerance { return segment.originalB }
            let (t, distance) = PlaneMath.project(point, onSegment: segment.a, segment.b)
            if distance <= Self.tolerance {
                return XY(segment.originalA.x + t * (segment.originalB.x - segment.originalA.x),
                          segment.originalA.y + t * (segment.originalB.y - segment.originalA.y))
            }
        }
        return nil
    }
}
