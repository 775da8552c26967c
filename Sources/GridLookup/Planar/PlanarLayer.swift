/// One layer of faces (the grids, or the micro-grids) as unique vertices and unique edges, each
/// edge knowing the faces it bounds; the boundary rule evaluated exactly against whole face
/// boundaries; and a coarse grid of edges for the slow paths (a point on the coverage's
/// boundary, the nearest face, the micro-grids of one grid).
///
/// ## The rule
///
/// A point p belongs to the face that contains the point p + (ε, ε²) for an infinitesimal ε > 0:
/// the point nudged east, and then (by far less) north. Such a nudged point is never on an edge,
/// so in a coverage (faces that meet edge to edge without overlapping) it lies in exactly one
/// face, or in none. It is the crossing-number (even-odd) test with half-open comparisons: an
/// edge counts for the ray from p to the east when `min(y) <= p.y < max(y)` and p lies strictly
/// west of it; the comparisons are exact (`orientation`), so the rule holds to the last bit.
/// Where faces overlap, the lowest face holding the nudged point is the answer.
///
/// Immutable once built, and read from any number of threads at once.
final class PlanarLayer: Sendable {
    /// Number of faces (their indexes are 0..<faceCount).
    let faceCount: Int
    /// Unique vertices, x and y interleaved.
    let vertices: FrozenArray<Double>
    /// Unique edges: start vertex, end vertex, and the XOR of the codes (index + 1) of the faces
    /// with this edge on their boundary (counted with multiplicity).
    let edges: FrozenArray<UInt32>
    /// The faces with each edge on their boundary: `edgeFaces[edgeFaceStart[e]..<edgeFaceStart[e + 1]]`.
    let edgeFaceStart: FrozenArray<UInt32>
    let edgeFaces: FrozenArray<UInt32>
    /// The edges of each face's boundary: `faceEdges[faceEdgeStart[f]..<faceEdgeStart[f + 1]]`.
    let faceEdgeStart: FrozenArray<UInt32>
    let faceEdges: FrozenArray<UInt32>
    /// The edges touching each cell of a coarse lattice, for the slow paths.
    let coarse: EdgeGrid

    init(_ topology: Topology, coarse: EdgeGrid) {
        faceCount = topology.faceCount
        vertices = FrozenArray(topology.vertices)
        edges = FrozenArray(topology.edges)
        edgeFaceStart = FrozenArray(topology.edgeFaceStart)
        edgeFaces = FrozenArray(topology.edgeFaces)
        faceEdgeStart = FrozenArray(topology.faceEdgeStart)
        faceEdges = FrozenArray(topology.faceEdges)
        self.coarse = coarse
    }

    /// The layer as a stored index gives it back, field for field (`StoredIndex`).
    init(faceCount: Int, vertices: FrozenArray<Double>, edges: FrozenArray<UInt32>, edgeFaceStart: FrozenArray<UInt32>,
         edgeFaces: FrozenArray<UInt32>, faceEdgeStart: FrozenArray<UInt32>, faceEdges: FrozenArray<UInt32>, coarse: EdgeGrid) {
        self.faceCount = faceCount
        self.vertices = vertices
        self.edges = edges
        self.edgeFaceStart = edgeFaceStart
        self.edgeFaces = edgeFaces
        self.faceEdgeStart = faceEdgeStart
        self.faceEdges = faceEdges
        self.coarse = coarse
    }

    deinit {
        vertices.deallocate()
        edges.deallocate()
        edgeFaceStart.deallocate()
        edgeFaces.deallocate()
        faceEdgeStart.deallocate()
        faceEdges.deallocate()
        coarse.deallocate()
    }

    var edgeCount: Int { edges.count / 3 }

    var byteCount: Int {
        vertices.byteCount + edges.byteCount + edgeFaceStart.byteCount + edgeFaces.byteCount + faceEdgeStart.byteCount
            + faceEdges.byteCount + coarse.byteCount
    }

    // MARK: - Exact predicates

    /// Whether edge `edge` crosses the path from the nudged point (px, py) + (ε, ε²) east to
    /// x = right + ε, then south to y = bottom + ε² (the path from a point of a lattice cell to
    /// the cell's nudged bottom-right corner). Exact.
    @inline(__always)
    func crosses(_ edge: Int, _ px: Double, _ py: Double, _ right: Double, _ bottom: Double) -> Bool {
        let a = Int(edges[3 * edge]) &* 2
        let b = Int(edges[3 * edge + 1]) &* 2
        return Self.crosses(vertices[a], vertices[a + 1], vertices[b], vertices[b + 1], px, py, right, bottom)
    }

    /// `crosses(_:_:_:_:_:)` for the edge (ax, ay) – (bx, by).
    @inline(__always)
    static func crosses(_ ax: Double, _ ay: Double, _ bx: Double, _ by: Double,
                        _ px: Double, _ py: Double, _ right: Double, _ bottom: Double) -> Bool {
        var odd = false
        // East leg, at height py + ε²: the edge spans it when exactly one end is above py, and
        // crosses it where px < x(py) <= right.
        if (ay > py) != (by > py) {
            let lowerIsA = ay < by
            let lx = lowerIsA ? ax : bx, ly = lowerIsA ? ay : by
            let ux = lowerIsA ? bx : ax, uy = lowerIsA ? by : ay
            let minX = min(lx, ux), maxX = max(lx, ux)
            if maxX >= px && minX <= right {
                // x(py) > px: p is strictly west of the upward edge.
                if minX > px || orientation(lx, ly, ux, uy, px, py) > 0 {
                    // x(py) <= right: (right, py) is on it or east of it.
                    if maxX <= right || orientation(lx, ly, ux, uy, right, py) <= 0 {
                        odd.toggle()
                    }
                }
            }
        }
        // South leg, at x = right + ε: the edge spans it when exactly one end is east of right,
        // and crosses it where y(right) + ε·slope lies between bottom + ε² and py + ε².
        if (ax > right) != (bx > right) {
            let leftIsA = ax < bx
            let lx = leftIsA ? ax : bx, ly = leftIsA ? ay : by
            let rx = leftIsA ? bx : ax, ry = leftIsA ? by : ay
            if isAbove(lx, ly, rx, ry, right, bottom) && !isAbove(lx, ly, rx, ry, right, py) {
                odd.toggle()
            }
        }
        return odd
    }

    /// Whether the west-to-east edge (lx, ly) → (rx, ry), which spans x = x0 + ε, crosses that
    /// line above (x0, y0) + (ε, ε²): y(x0) > y0, or y(x0) == y0 and the edge rises.
    @inline(__always)
    static func isAbove(_ lx: Double, _ ly: Double, _ rx: Double, _ ry: Double, _ x0: Double, _ y0: Double) -> Bool {
        if min(ly, ry) > y0 { return true }
        if max(ly, ry) < y0 { return false }
        let side = orientation(lx, ly, rx, ry, x0, y0)
        return side < 0 || (side == 0 && ry > ly)
    }

    /// Whether face `face` holds (x, y) by the rule, tested against its whole boundary: the
    /// crossing number of the ray from (x, y) + (ε, ε²) to the east.
    func contains(face: Int, _ x: Double, _ y: Double) -> Bool {
        var odd = false
        for k in Int(faceEdgeStart[face])..<Int(faceEdgeStart[face + 1]) {
            let edge = Int(faceEdges[k])
            let a = Int(edges[3 * edge]) * 2, b = Int(edges[3 * edge + 1]) * 2
            let ax = vertices[a], ay = vertices[a + 1], bx = vertices[b], by = vertices[b + 1]
            guard (ay > y) != (by > y) else { continue }
            if ax > x && bx > x {
                odd.toggle()
            } else if ax > x || bx > x {
                let lowerIsA = ay < by
                if lowerIsA ? orientation(ax, ay, bx, by, x, y) > 0 : orientation(bx, by, ax, ay, x, y) > 0 {
                    odd.toggle()
                }
            }
        }
        return odd
    }

    /// Whether (x, y) lies exactly on edge `edge` (its ends included).
    func isOnEdge(_ edge: Int, _ x: Double, _ y: Double) -> Bool {
        let a = Int(edges[3 * edge]) * 2, b = Int(edges[3 * edge + 1]) * 2
        let ax = vertices[a], ay = vertices[a + 1], bx = vertices[b], by = vertices[b + 1]
        guard x >= min(ax, bx), x <= max(ax, bx), y >= min(ay, by), y <= max(ay, by) else { return false }
        return orientation(ax, ay, bx, by, x, y) == 0
    }

    /// The distance in metres from (x, y) to edge `edge`, with `scale` metres per unit of x and y.
    func distance(toEdge edge: Int, _ x: Double, _ y: Double, scale: (x: Double, y: Double)) -> Double {
        let a = Int(edges[3 * edge]) * 2, b = Int(edges[3 * edge + 1]) * 2
        let ax = (vertices[a] - x) * scale.x, ay = (vertices[a + 1] - y) * scale.y
        let bx = (vertices[b] - x) * scale.x, by = (vertices[b + 1] - y) * scale.y
        let dx = bx - ax, dy = by - ay
        let lengthSquared = dx * dx + dy * dy
        var t = lengthSquared > 0 ? -(ax * dx + ay * dy) / lengthSquared : 0
        t = min(max(t, 0), 1)
        let cx = ax + t * dx, cy = ay + t * dy
        return (cx * cx + cy * cy).squareRoot()
    }

    /// Calls `body` with every face that has `edge` on its boundary.
    @inline(__always)
    func forEachFace(ofEdge edge: Int, _ body: (Int32) -> Void) {
        for k in Int(edgeFaceStart[edge])..<Int(edgeFaceStart[edge + 1]) {
            body(Int32(bitPattern: edgeFaces[k]))
        }
    }

    // MARK: - Slow paths

    /// The lowest face with (x, y) exactly on its boundary, or -1.
    func lowestFace(withBoundaryThrough x: Double, _ y: Double) -> Int32 {
        guard let cell = coarse.cell(x, y) else { return -1 }
        var best: Int32 = -1
        coarse.forEachEdge(column: cell.column, row: cell.row) { edge in
            guard isOnEdge(edge, x, y) else { return }
            forEachFace(ofEdge: edge) { face in
                if best < 0 || face < best { best = face }
            }
        }
        return best
    }

    /// The face nearest to (x, y) within `tolerance` metres, and its distance; ties go to the
    /// lowest face. `scale` is metres per unit at the point; `reach` the tolerance in units of x
    /// and y (a little more than tolerance / scale, to be safe).
    func nearestFace(_ x: Double, _ y: Double, tolerance: Double, scale: (x: Double, y: Double),
                     reach: (x: Double, y: Double)) -> (face: Int32, distance: Double)? {
        guard x.isFinite, y.isFinite else { return nil }
        let columns = coarse.columnRange(x - reach.x, x + reach.x)
        let rows = coarse.rowRange(y - reach.y, y + reach.y)
        guard !columns.isEmpty, !rows.isEmpty else { return nil }
        var bestFace: Int32 = -1
        var bestDistance = Double.infinity
        for row in rows {
            for column in columns {
                coarse.forEachEdge(column: column, row: row) { edge in
                    let distance = self.distance(toEdge: edge, x, y, scale: scale)
                    guard distance <= tolerance, distance <= bestDistance else { return }
                    forEachFace(ofEdge: edge) { face in
                        if distance < bestDistance || (distance == bestDistance && face < bestFace) {
                            bestDistance = distance
                            bestFace = face
                        }
                    }
                }
            }
        }
        return bestFace >= 0 ? (bestFace, bestDistance) : nil
    }

    /// Among `faces`, the one that holds (x, y) by the rule (the lowest if several); else the
    /// lowest with (x, y) exactly on its boundary; else the nearest (ties to the lowest).
    /// Tests each face against its whole boundary: for the few micro-grids of one grid.
    func bestFace(among faces: some Sequence<Int32>, _ x: Double, _ y: Double,
                  scale: (x: Double, y: Double)) -> (face: Int32, distance: Double)? {
        var held: Int32 = -1
        var touched: Int32 = -1
        var nearest: Int32 = -1
        var nearestDistance = Double.infinity
        for face in faces {
            if held >= 0 && face > held { continue }
            if contains(face: Int(face), x, y) {
                held = face
                continue
            }
            for k in Int(faceEdgeStart[Int(face)])..<Int(faceEdgeStart[Int(face) + 1]) {
                let edge = Int(faceEdges[k])
                if isOnEdge(edge, x, y) {
                    if touched < 0 || face < touched { touched = face }
                }
                let distance = self.distance(toEdge: edge, x, y, scale: scale)
                if distance < nearestDistance || (distance == nearestDistance && face < nearest) {
                    nearestDistance = distance
                    nearest = face
                }
            }
        }
        if held >= 0 { return (held, 0) }
        if touched >= 0 { return (touched, 0) }
        return nearest >= 0 ? (nearest, nearestDistance) : nil
    }
}

/// Which faces may answer a lookup.
protocol FaceFilter {
    func accepts(_ face: Int32) -> Bool
}

/// Every face.
struct AnyFace: FaceFilter {
    @inline(__always) func accepts(_ face: Int32) -> Bool { true }
}

/// The faces whose parent (the grid of a micro-grid) is `parent`.
struct ChildOf: FaceFilter {
    let parents: FrozenArray<Int32>
    let parent: Int32
    @inline(__always) func accepts(_ face: Int32) -> Bool { parents[Int(face)] == parent }
}

/// The edges touching each cell of a uniform lattice (a superset: rounding may add an edge that
/// misses a cell by a hair, never drop one that touches it), for searches around a point.
struct EdgeGrid: Sendable {
    let columns: Int
    let rows: Int
    let originX: Double
    let originY: Double
    let cellSize: Double
    let start: FrozenArray<UInt32>
    let list: FrozenArray<UInt32>

    init(lattice: Lattice, start: [UInt32], list: [UInt32]) {
        columns = lattice.columns
        rows = lattice.rows
        originX = lattice.columnX[0]
        originY = lattice.rowY[0]
        cellSize = lattice.cellSize
        self.start = FrozenArray(start)
        self.list = FrozenArray(list)
    }

    /// The grid as a stored index gives it back, field for field (`StoredIndex`).
    init(columns: Int, rows: Int, originX: Double, originY: Double, cellSize: Double, start: FrozenArray<UInt32>,
         list: FrozenArray<UInt32>) {
        self.columns = columns
        self.rows = rows
        self.originX = originX
        self.originY = originY
        self.cellSize = cellSize
        self.start = start
        self.list = list
    }

    func deallocate() {
        start.deallocate()
        list.deallocate()
    }

    var byteCount: Int { start.byteCount + list.byteCount }

    func cell(_ x: Double, _ y: Double) -> (column: Int, row: Int)? {
        let fx = ((x - originX) / cellSize).rounded(.down), fy = ((y - originY) / cellSize).rounded(.down)
        guard fx >= 0, fx < Double(columns), fy >= 0, fy < Double(rows) else { return nil }
        return (Int(fx), Int(fy))
    }

    func columnRange(_ low: Double, _ high: Double) -> Range<Int> {
        range(((low - originX) / cellSize).rounded(.down), ((high - originX) / cellSize).rounded(.down), columns)
    }

    func rowRange(_ low: Double, _ high: Double) -> Range<Int> {
        range(((low - originY) / cellSize).rounded(.down), ((high - originY) / cellSize).rounded(.down), rows)
    }

    /// Cells first...last grown by one for rounding and clamped; empty when off the lattice.
    private func range(_ first: Double, _ last: Double, _ count: Int) -> Range<Int> {
        // An infinite reach (a huge tolerance) covers the whole lattice.
        guard !first.isNaN, !last.isNaN, last >= -1, first <= Double(count) else { return 0..<0 }
        return Int(max(first - 1, 0))..<(Int(min(last + 1, Double(count - 1))) + 1)
    }

    @inline(__always)
    func forEachEdge(column: Int, row: Int, _ body: (Int) -> Void) {
        let cell = row * columns + column
        for k in Int(start[cell])..<Int(start[cell + 1]) { body(Int(list[k])) }
    }
}
