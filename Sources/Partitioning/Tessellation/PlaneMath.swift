import GeometryEngine

/// Plane geometry on the value model, for the hot loops that need no GEOS call.
enum PlaneMath {
    /// Signed area of a closed ring: positive when counter-clockwise. Taken about the ring's
    /// first vertex: about the origin, the products of coordinates in the millions (projected
    /// metres) leave an error of about 10⁻⁴ m², more than a sliver's whole area.
    static func signedArea(_ ring: [XY]) -> Double {
        guard ring.count > 2 else { return 0 }
        let origin = ring[0]
        var sum = 0.0
        for i in 1..<(ring.count - 1) {
            let a = ring[i], b = ring[i + 1]
            sum += (a.x - origin.x) * (b.y - origin.y) - (b.x - origin.x) * (a.y - origin.y)
        }
        return sum / 2
    }

    /// Whether `point` lies inside the closed `ring` (crossing number; a point on it may go either way).
    static func isInside(_ point: XY, ring: [XY]) -> Bool {
        var inside = false
        for i in 0..<max(0, ring.count - 1) {
            let a = ring[i], b = ring[i + 1]
            if (a.y > point.y) != (b.y > point.y),
               point.x < a.x + (point.y - a.y) / (b.y - a.y) * (b.x - a.x) {
                inside.toggle()
            }
        }
        return inside
    }

    /// Area of a polygon (holes subtracted).
    static func area(_ polygon: Polygon) -> Double {
        guard let exterior = polygon.rings.first else { return 0 }
        return abs(signedArea(exterior)) - polygon.rings.dropFirst().reduce(0) { $0 + abs(signedArea($1)) }
    }

    static func length(_ ring: [XY]) -> Double {
        guard ring.count > 1 else { return 0 }
        var sum = 0.0
        for i in 0..<(ring.count - 1) { sum += distance(ring[i], ring[i + 1]) }
        return sum
    }

    /// Centroid of a polygon's area (of its exterior ring's vertices when it has none).
    static func centroid(_ polygon: Polygon) -> XY {
        var cx = 0.0, cy = 0.0, total = 0.0
        for (index, ring) in polygon.rings.enumerated() where ring.count > 2 {
            let orientation: Double = (signedArea(ring) >= 0) == (index == 0) ? 1 : -1
            for i in 0..<(ring.count - 1) {
                let cross = (ring[i].x * ring[i + 1].y - ring[i + 1].x * ring[i].y) * orientation
                cx += (ring[i].x + ring[i + 1].x) * cross
                cy += (ring[i].y + ring[i + 1].y) * cross
                total += cross
            }
        }
        guard abs(total) > 1e-12 else {
            let points = polygon.exterior
            guard !points.isEmpty else { return XY(0, 0) }
            return XY(points.reduce(0) { $0 + $1.x } / Double(points.count), points.reduce(0) { $0 + $1.y } / Double(points.count))
        }
        return XY(cx / (3 * total), cy / (3 * total))
    }

    static func distance(_ a: XY, _ b: XY) -> Double { ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot() }

    /// Distance from `p` to the segment `a`-`b`.
    static func distance(_ p: XY, toSegment a: XY, _ b: XY) -> Double {
        project(p, onSegment: a, b).distance
    }

    /// Where `p` projects on the segment `a`-`b` (0 at `a`, 1 at `b`), and its distance to it.
    @inline(__always)
    static func project(_ p: XY, onSegment a: XY, _ b: XY) -> (t: Double, distance: Double) {
        let dx = b.x - a.x, dy = b.y - a.y
        let lengthSquared = dx * dx + dy * dy
        guard lengthSquared > 0 else { return (0, distance(p, a)) }
        let t = Swift.max(0, Swift.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / lengthSquared))
        return (t, distance(p, XY(a.x + t * dx, a.y + t * dy)))
    }
}

/// Nearest-site lookups over a uniform bucket grid.
struct SiteIndex {
    private let origin: XY
    private let cell: Double
    private let columns: Int
    private let rows: Int
    private var buckets: [[Int]]
    let sites: [XY]

    init(_ sites: [XY], cell: Double) {
        self.sites = sites
        let envelope = Envelope(of: sites) ?? Envelope(minX: 0, minY: 0, maxX: 0, maxY: 0)
        origin = XY(envelope.minX, envelope.minY)
        self.cell = cell
        columns = Swift.max(1, Int(envelope.width / cell) + 1)
        rows = Swift.max(1, Int(envelope.height / cell) + 1)
        buckets = Array(repeating: [], count: columns * rows)
        for (index, site) in sites.enumerated() { buckets[bucket(site)].append(index) }
    }

    private func column(_ x: Double) -> Int { Swift.min(columns - 1, Swift.max(0, Int((x - origin.x) / cell))) }
    private func row(_ y: Double) -> Int { Swift.min(rows - 1, Swift.max(0, Int((y - origin.y) / cell))) }
    private func bucket(_ p: XY) -> Int { row(p.y) * columns + column(p.x) }

    /// The index of the site nearest to `p` (the lowest index among equals).
    func nearest(to p: XY) -> Int? {
        guard !sites.isEmpty else { return nil }
        let c0 = column(p.x), r0 = row(p.y)
        var best: (index: Int, distance: Double)?
        var ring = 0
        while true {
            for r in (r0 - ring)...(r0 + ring) where r >= 0 && r < rows {
                for c in (c0 - ring)...(c0 + ring) where c >= 0 && c < columns {
                    guard abs(r - r0) == ring || abs(c - c0) == ring else { continue }
                    for index in buckets[r * columns + c] {
                        let d = PlaneMath.distance(p, sites[index])
                        if best == nil || d < best!.distance || (d == best!.distance && index < best!.index) { best = (index, d) }
                    }
                }
            }
            // Every site within `ring` cells has been seen; the best is final once it is closer than the next ring.
            if let best, best.distance <= Double(ring) * cell { return best.index }
            if ring > columns + rows { return best?.index }
            ring += 1
        }
    }

    /// The index of the site inside `ring`: of a Voronoi cell, its generator. The site nearest
    /// the cell's centroid is not always it: a long cell, as those of samples along a straight
    /// wall reaching far into a courtyard, has its centroid nearer another site.
    func site(inside ring: [XY]) -> Int? {
        guard let envelope = Envelope(of: ring) else { return nil }
        for r in row(envelope.minY)...row(envelope.maxY) {
            for c in column(envelope.minX)...column(envelope.maxX) {
                for index in buckets[r * columns + c] where PlaneMath.isInside(sites[index], ring: ring) { return index }
            }
        }
        return nil
    }
}
