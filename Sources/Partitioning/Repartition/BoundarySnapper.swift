import GeometryEngine

/// Puts back onto the outlines of kept grids the vertices of re-built grids and micro-grids
/// that the trip through the working CRS left a few micrometres off them.
///
/// A re-built grid is cut in the working CRS out of the kept grids' transformed outlines, and
/// the cut adds vertices along those outlines. Brought back to a geographic CRS, such a vertex
/// lies on the image of a straight metric segment, which is not the straight segment in
/// degrees the kept grid has: micrometre slivers between them; and a vertex the transformation
/// put back onto a community's edge (`BoundaryAnchors`) may be centimetres from where the kept
/// grid has it. Each vertex within `tolerance`
/// of a kept outline is moved onto it (onto the vertex itself at a corner), so that the pieces
/// tile again to rounding.
struct BoundarySnapper {
    private var segments: [(a: XY, b: XY)] = []
    private var cells: [Cell: [Int]] = [:]
    /// The outlines' vertices, by cell.
    private var vertices: [Cell: [XY]] = [:]
    private let cellSize: Double
    private let tolerance: Double

    private struct Cell: Hashable {
        var x: Int
        var y: Int
    }

    /// - Parameters:
    ///   - outlines: the kept grids, in the CRS of the geometries to snap.
    ///   - tolerance: how far off an outline a vertex may be and still be moved onto it.
    init(outlines: [Geometry], tolerance: Double) {
        self.tolerance = tolerance
        cellSize = tolerance * 200
        for polygon in outlines.flatMap(\.polygons) {
            for ring in polygon.rings where ring.count > 1 {
                for i in 0..<(ring.count - 1) {
                    let a = ring[i], b = ring[i + 1]
                    vertices[cell(a), default: []].append(a)
                    let index = segments.count
                    segments.append((a, b))
                    let low = cell(XY(min(a.x, b.x) - tolerance, min(a.y, b.y) - tolerance))
                    let high = cell(XY(max(a.x, b.x) + tolerance, max(a.y, b.y) + tolerance))
                    guard high.x - low.x < 10_000, high.y - low.y < 10_000 else { continue }
                    for x in low.x...high.x { for y in low.y...high.y { cells[Cell(x: x, y: y), default: []].append(index) } }
                }
            }
        }
    }

    var isEmpty: Bool { segments.isEmpty }

    private func cell(_ p: XY) -> Cell {
        Cell(x: Int((p.x / cellSize).rounded(.down)), y: Int((p.y / cellSize).rounded(.down)))
    }

    /// The point on the nearest outline within the tolerance, or `p` itself.
    func snapped(_ p: XY) -> XY {
        guard let candidates = cells[cell(p)] else { return p }
        var best: (point: XY, distance: Double)?
        for index in candidates {
            let (a, b) = segments[index]
            let dx = b.x - a.x, dy = b.y - a.y
            let squared = dx * dx + dy * dy
            let t = squared > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / squared : 0
            let q = t <= 0 ? a : t >= 1 ? b : XY(a.x + t * dx, a.y + t * dy)
            let distance = ((p.x - q.x) * (p.x - q.x) + (p.y - q.y) * (p.y - q.y)).squareRoot()
            if distance <= tolerance, best == nil || distance < best!.distance { best = (q, distance) }
        }
        // A vertex within the tolerance of an outline's vertex takes it exactly.
        if let q = best?.point {
            for index in candidates {
                for end in [segments[index].a, segments[index].b] where (end.x - q.x) * (end.x - q.x) + (end.y - q.y) * (end.y - q.y) <= tolerance * tolerance {
                    return end
                }
            }
        }
        return best?.point ?? p
    }

    /// The outlines' vertices within the tolerance of segment a-b (ends excluded), in order from a.
    private func vertices(along a: XY, _ b: XY) -> [XY] {
        let dx = b.x - a.x, dy = b.y - a.y
        let squared = dx * dx + dy * dy
        guard squared > 0 else { return [] }
        let low = cell(XY(min(a.x, b.x) - tolerance, min(a.y, b.y) - tolerance))
        let high = cell(XY(max(a.x, b.x) + tolerance, max(a.y, b.y) + tolerance))
        guard high.x - low.x < 1_000, high.y - low.y < 1_000 else { return [] }
        var found: [(t: Double, point: XY)] = []
        for x in low.x...high.x {
            for y in low.y...high.y {
                for w in vertices[Cell(x: x, y: y)] ?? [] where w != a && w != b {
                    let t = ((w.x - a.x) * dx + (w.y - a.y) * dy) / squared
                    guard t > 0, t < 1 else { continue }
                    let q = XY(a.x + t * dx, a.y + t * dy)
                    if ((w.x - q.x) * (w.x - q.x) + (w.y - q.y) * (w.y - q.y)).squareRoot() <= tolerance { found.append((t, w)) }
                }
            }
        }
        return found.sorted { $0.t < $1.t }.map(\.point)
    }

    /// `geometry` with its polygons' vertices snapped, and the outlines' vertices that lie on its
    /// edges inserted, so that both sides of a shared boundary have the same vertices
    /// (repeated vertices dropped).
    func snapped(_ geometry: Geometry) -> Geometry {
        func ring(_ points: [XY]) -> [XY] {
            let moved = points.map(snapped)
            var out: [XY] = []
            for (i, point) in moved.enumerated() {
                if i > 0 { for w in vertices(along: moved[i - 1], point) where out.last != w { out.append(w) } }
                if out.last != point { out.append(point) }
            }
            return out.count >= 4 ? out : points
        }
        switch geometry {
        case .polygon(let polygon): return .polygon(Polygon(rings: polygon.rings.map(ring)))
        case .multiPolygon(let polygons): return .multiPolygon(polygons.map { Polygon(rings: $0.rings.map(ring)) })
        default: return geometry
        }
    }
}
