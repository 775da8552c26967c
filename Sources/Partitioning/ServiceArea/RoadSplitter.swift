import Foundation
import GeometryEngine

/// Cuts roads at grid boundaries and tells, for every piece, whose service area it lies in:
/// the interior of one grid, a boundary two (or more) grids share, or no grid at all.
///
/// Pure plane geometry on the value model, in the metric working CRS, so that it runs on every
/// core without GEOS. A road is cut where it crosses a grid's ring and where a ring's vertex
/// comes within `tolerance` of it (where a boundary joins or leaves the road); each piece is
/// then classified by its midpoint. Grids built along a road share an edge with it only up to
/// the rounding of noding, so "on a boundary" means within `tolerance` (1 cm) of it.
struct RoadSplitter: Sendable {
    /// Where a piece lies.
    enum Place: Hashable, Sendable {
        /// Inside one grid (index into the grids given).
        case interior(Int)
        /// Along a boundary of these grids (ascending indices; two, or more at a junction).
        case shared([Int])
        /// Farther than the tolerance from every grid.
        case outside
    }

    /// A stretch of one road part between two cuts.
    struct Piece: Sendable {
        var road: Int
        var part: Int
        /// Distance along the part where the piece starts, for ordering.
        var start: Double
        var length: Double
        var points: [XY]
        var place: Place
    }

    /// One grid's rings (closed), for the point tests.
    private struct Shape: Sendable {
        var rings: [[XY]]
        var envelope: Envelope
    }

    private let shapes: [Shape]
    private let index: EnvelopeIndex
    let tolerance: Double

    /// - Parameter grids: one polygonal geometry per grid, in a metric CRS.
    init(grids: [Geometry], tolerance: Double = 0.01) {
        shapes = grids.map { geometry in
            let rings = geometry.polygons.flatMap(\.rings).filter { $0.count > 3 }
            let envelope = Envelope(of: rings.joined()) ?? Envelope(minX: 0, minY: 0, maxX: 0, maxY: 0)
            return Shape(rings: rings, envelope: envelope)
        }
        index = EnvelopeIndex(shapes.map(\.envelope))
        self.tolerance = tolerance
    }

    /// The pieces of road `road` (its index, for the pieces), from its line strings.
    func pieces(of geometry: Geometry, road: Int) -> [Piece] {
        var pieces: [Piece] = []
        for (part, raw) in geometry.lineStrings.enumerated() {
            var line: [XY] = []
            for point in raw where line.last != point { line.append(point) }
            guard line.count > 1, let envelope = Envelope(of: line) else { continue }
            let candidates = index.query(envelope.expanded(by: tolerance))
            var cumulative = [0.0]
            for k in 1..<line.count { cumulative.append(cumulative[k - 1] + PlaneMath.distance(line[k - 1], line[k])) }
            let total = cumulative[cumulative.count - 1]
            guard total > 0 else { continue }

            var cuts = [0.0, total]
            for k in 0..<(line.count - 1) {
                let a = line[k], b = line[k + 1]
                let segmentLength = cumulative[k + 1] - cumulative[k]
                guard segmentLength > 0 else { continue }
                let box = Envelope(minX: min(a.x, b.x), minY: min(a.y, b.y), maxX: max(a.x, b.x), maxY: max(a.y, b.y))
                    .expanded(by: tolerance)
                for g in candidates where shapes[g].envelope.intersects(box) {
                    for ring in shapes[g].rings {
                        for e in 0..<(ring.count - 1) {
                            let p = ring[e], q = ring[e + 1]
                            if max(p.x, q.x) < box.minX || min(p.x, q.x) > box.maxX
                                || max(p.y, q.y) < box.minY || min(p.y, q.y) > box.maxY { continue }
                            // A ring vertex on (or within the tolerance of) the road: a boundary joins or leaves it.
                            let (t, d) = PlaneMath.project(p, onSegment: a, b)
                            if d <= tolerance { cuts.append(cumulative[k] + t * segmentLength) }
                            // A proper crossing.
                            let o1 = Self.cross(a, b, p), o2 = Self.cross(a, b, q)
                            let o3 = Self.cross(p, q, a), o4 = Self.cross(p, q, b)
                            if (o1 > 0 && o2 < 0 || o1 < 0 && o2 > 0) && (o3 > 0 && o4 < 0 || o3 < 0 && o4 > 0) {
                                cuts.append(cumulative[k] + o3 / (o3 - o4) * segmentLength)
                            }
                        }
                    }
                }
            }
            cuts.sort()
            var stops: [Double] = []
            for cut in cuts where cut >= 0 && cut <= total {
                if let last = stops.last, cut - last < 1e-7 { continue }
                stops.append(cut)
            }
            if let last = stops.last, total - last > 0, total - last < 1e-7 { stops[stops.count - 1] = total }
            if stops.last != total { stops.append(total) }

            for s in 0..<(stops.count - 1) {
                let u = stops[s], v = stops[s + 1]
                guard v > u else { continue }
                let points = Self.substring(line, cumulative, from: u, to: v)
                let middle = Self.point(line, cumulative, at: (u + v) / 2)
                pieces.append(Piece(road: road, part: part, start: u, length: v - u, points: points,
                                    place: place(of: middle, among: candidates)))
            }
        }
        return Self.merged(pieces)
    }

    /// Whose service area a point is in: the grid whose interior holds it farther than the
    /// tolerance from its boundary; else the grids within the tolerance.
    func place(of point: XY, among candidates: [Int]) -> Place {
        var near: [Int] = []
        var inside: Int?
        for g in candidates {
            let shape = shapes[g]
            guard shape.envelope.expanded(by: tolerance).contains(point) else { continue }
            var distance = Double.infinity
            var crossings = 0
            for ring in shape.rings {
                for e in 0..<(ring.count - 1) {
                    let p = ring[e], q = ring[e + 1]
                    distance = min(distance, PlaneMath.distance(point, toSegment: p, q))
                    if (p.y <= point.y) != (q.y <= point.y) {
                        let x = p.x + (point.y - p.y) / (q.y - p.y) * (q.x - p.x)
                        if point.x < x { crossings += 1 }
                    }
                }
            }
            if distance <= tolerance {
                near.append(g)
            } else if crossings % 2 == 1, inside == nil {
                inside = g
            }
        }
        if let inside { return .interior(inside) }
        if near.count == 1 { return .interior(near[0]) }
        if near.count > 1 { return .shared(near.sorted()) }
        return .outside
    }

    /// Consecutive pieces of the same road part in the same place, joined.
    private static func merged(_ pieces: [Piece]) -> [Piece] {
        var out: [Piece] = []
        for piece in pieces {
            if var last = out.last, last.road == piece.road, last.part == piece.part, last.place == piece.place,
               abs(last.start + last.length - piece.start) < 1e-6 {
                last.length += piece.length
                last.points += piece.points.dropFirst()
                out[out.count - 1] = last
            } else {
                out.append(piece)
            }
        }
        return out
    }

    /// Twice the signed area of (a, b, c): positive when c is left of a→b.
    @inline(__always)
    static func cross(_ a: XY, _ b: XY, _ c: XY) -> Double {
        (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
    }

    /// The point at distance `s` along `line`.
    static func point(_ line: [XY], _ cumulative: [Double], at s: Double) -> XY {
        var k = 0
        while k < line.count - 2, cumulative[k + 1] < s { k += 1 }
        let span = cumulative[k + 1] - cumulative[k]
        let t = span > 0 ? min(1, max(0, (s - cumulative[k]) / span)) : 0
        return XY(line[k].x + t * (line[k + 1].x - line[k].x), line[k].y + t * (line[k + 1].y - line[k].y))
    }

    /// The part of `line` between distances `u` and `v` along it.
    static func substring(_ line: [XY], _ cumulative: [Double], from u: Double, to v: Double) -> [XY] {
        var points = [point(line, cumulative, at: u)]
        for k in line.indices where cumulative[k] > u && cumulative[k] < v && line[k] != points[points.count - 1] {
            points.append(line[k])
        }
        let end = point(line, cumulative, at: v)
        if end != points[points.count - 1] { points.append(end) }
        if points.count == 1 { points.append(end) }
        return points
    }
}

/// Envelopes in buckets of a uniform grid, for "which envelopes meet this one".
struct EnvelopeIndex: Sendable {
    private let origin: XY
    private let size: Double
    private let columns: Int
    private let rows: Int
    private let buckets: [[Int]]
    private let envelopes: [Envelope]

    init(_ envelopes: [Envelope]) {
        self.envelopes = envelopes
        let bounds = envelopes.reduce(Envelope?.none) { $0?.union($1) ?? $1 } ?? Envelope(minX: 0, minY: 0, maxX: 1, maxY: 1)
        let mean = envelopes.isEmpty ? 1 : envelopes.reduce(0) { $0 + max($1.width, $1.height) } / Double(envelopes.count)
        let size = max(mean, max(bounds.width, bounds.height) / 2048, 1e-6)
        origin = XY(bounds.minX, bounds.minY)
        self.size = size
        columns = max(1, Int((bounds.width / size).rounded(.up)) + 1)
        rows = max(1, Int((bounds.height / size).rounded(.up)) + 1)
        var buckets = [[Int]](repeating: [], count: columns * rows)
        for (index, envelope) in envelopes.enumerated() {
            let (c0, r0, c1, r1) = Self.range(envelope, origin: origin, size: size, columns: columns, rows: rows)
            for r in r0...r1 { for c in c0...c1 { buckets[r * columns + c].append(index) } }
        }
        self.buckets = buckets
    }

    /// Indices of the envelopes that meet `envelope`, ascending.
    func query(_ envelope: Envelope) -> [Int] {
        let (c0, r0, c1, r1) = Self.range(envelope, origin: origin, size: size, columns: columns, rows: rows)
        if c0 == c1 && r0 == r1 {
            // One bucket (a point, a short piece): its indices are ascending already, no set needed.
            return buckets[r0 * columns + c0].filter { envelopes[$0].intersects(envelope) }
        }
        var found = Set<Int>()
        for r in r0...r1 {
            for c in c0...c1 {
                for index in buckets[r * columns + c] where envelopes[index].intersects(envelope) { found.insert(index) }
            }
        }
        return found.sorted()
    }

    private static func range(_ envelope: Envelope, origin: XY, size: Double, columns: Int, rows: Int) -> (Int, Int, Int, Int) {
        func clamp(_ value: Double, _ count: Int) -> Int { min(count - 1, max(0, Int(value.isFinite ? value : 0))) }
        return (clamp(((envelope.minX - origin.x) / size).rounded(.down), columns),
                clamp(((envelope.minY - origin.y) / size).rounded(.down), rows),
                clamp(((envelope.maxX - origin.x) / size).rounded(.down), columns),
                clamp(((envelope.maxY - origin.y) / size).rounded(.down), rows))
    }
}
