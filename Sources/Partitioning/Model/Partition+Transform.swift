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
    mutating func transform(to target: Int, threads: Int, anchors: BoundaryAnchors? = nil) throws {
        guard target != epsg else { return }
        let source = epsg
        let grids = self.grids
        let roads = self.roadAssignments
        let chunks = max(1, min(threads, grids.count))
        let results = ResultBox<([Grid], [RoadAssignment])>(count: chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { _ in
            while let chunk = results.next() {
                let result = Result<([Grid], [RoadAssignment]), any Error> {
                    let transformer = try CoordinateTransformer(from: source, to: target)
                    var part = Array(grids[grids.count * chunk / chunks..<grids.count * (chunk + 1) / chunks])
                    func transformed(_ geometry: Geometry) throws -> Geometry {
                        let moved = try transformer.transform(geometry)
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
                        pieces[r].geometry = try transformer.transform(pieces[r].geometry)
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
    private let buckets: [Int64: [Int32]]
    private let size: Double
    /// Within this distance (metres) of a boundary, a vertex is on it.
    private let tolerance = 1e-6

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
        // Cells about a mean edge long, and no edge across more than 500 of them.
        let lengths = segments.map { PlaneMath.distance($0.a, $0.b) }
        let size = max(lengths.reduce(0, +) / Double(max(1, lengths.count)), (lengths.max() ?? 0) / 500, 1)
        var buckets: [Int64: [Int32]] = [:]
        for (index, segment) in segments.enumerated() {
            let x0 = Self.cell(min(segment.a.x, segment.b.x), size), x1 = Self.cell(max(segment.a.x, segment.b.x), size)
            let y0 = Self.cell(min(segment.a.y, segment.b.y), size), y1 = Self.cell(max(segment.a.y, segment.b.y), size)
            for x in x0...x1 { for y in y0...y1 { buckets[Self.key(x, y), default: []].append(Int32(index)) } }
        }
        self.segments = segments
        self.buckets = buckets
        self.size = size
    }

    /// Where `point` (working CRS) lies on the input's boundary: the input's vertex when it is
    /// one, the same fraction along the input's edge when it is on one; nil when it is on none.
    func original(of point: XY) -> XY? {
        guard let candidates = buckets[Self.key(Self.cell(point.x, size), Self.cell(point.y, size))] else { return nil }
        for index in candidates {
            let segment = segments[Int(index)]
            if PlaneMath.distance(point, segment.a) <= tolerance { return segment.originalA }
            if PlaneMath.distance(point, segment.b) <= tolerance { return segment.originalB }
            let (t, distance) = RoadSplitter.project(point, segment.a, segment.b)
            if distance <= tolerance {
                return XY(segment.originalA.x + t * (segment.originalB.x - segment.originalA.x),
                          segment.originalA.y + t * (segment.originalB.y - segment.originalA.y))
            }
        }
        return nil
    }

    private static func cell(_ value: Double, _ size: Double) -> Int { Int((value / size).rounded(.down)) }
    private static func key(_ x: Int, _ y: Int) -> Int64 { Int64(x) << 32 ^ Int64(UInt32(truncatingIfNeeded: y)) }
}
