import GeometryEngine

/// The cells: square in the units of the coordinates, over the faces' bounding box grown by
/// half a cell on each side, so that no vertex lies on the lattice's outer boundary.
struct Lattice: Sendable {
    var columns: Int
    var rows: Int
    var cellSize: Double
    var columnX: [Double]
    var rowY: [Double]
    /// What "touching a cell" allows for rounding when edges are rasterized (a cell may get an
    /// edge that misses it by this much, never lose one that touches it).
    var margin: Double

    static let maximumCells = 1 << 26

    init(bounds: Envelope?, edgeCount: Int, cellsPerEdge: Double) {
        let bounds = bounds ?? Envelope(minX: 0, minY: 0, maxX: 1, maxY: 1)
        let magnitude = max(abs(bounds.minX), abs(bounds.maxX), abs(bounds.minY), abs(bounds.maxY), 1)
        // A degenerate extent (one point, one line) still gets cells of a sane size.
        let width = max(bounds.width, magnitude * 1e-9)
        let height = max(bounds.height, magnitude * 1e-9)
        let targetCells = min(max(Double(edgeCount) * cellsPerEdge, 1), Double(Self.maximumCells))
        var size = (width * height / targetCells).squareRoot()
        size = max(size, max(width, height) / 65_536, magnitude * 1e-12)
        cellSize = size
        columns = Int(((width + size) / size).rounded(.up))
        rows = Int(((height + size) / size).rounded(.up))
        let originX = bounds.minX - size / 2
        let originY = bounds.minY - size / 2
        columnX = (0...columns).map { originX + Double($0) * size }
        rowY = (0...rows).map { originY + Double($0) * size }
        margin = size * 1e-6
    }

    init(origin: XY, cellSize: Double, columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
        self.cellSize = cellSize
        columnX = (0...columns).map { origin.x + Double($0) * cellSize }
        rowY = (0...rows).map { origin.y + Double($0) * cellSize }
        margin = cellSize * 1e-6
    }

    var cellCount: Int { columns * rows }

    /// The column whose span holds x, clamped to the lattice (approximate: for rasterizing).
    func clampedColumn(_ x: Double) -> Int {
        let value = ((x - columnX[0]) / cellSize).rounded(.down)
        return Int(min(max(value, 0), Double(columns - 1)))
    }

    func clampedRow(_ y: Double) -> Int {
        let value = ((y - rowY[0]) / cellSize).rounded(.down)
        return Int(min(max(value, 0), Double(rows - 1)))
    }
}

/// Faces turned into unique vertices and unique edges, each edge knowing its faces.
struct Topology: Sendable {
    var faceCount = 0
    var vertices: [Double] = []
    /// Per edge: start vertex, end vertex, XOR mask of face codes.
    var edges: [UInt32] = []
    var edgeFaceStart: [UInt32] = []
    var edgeFaces: [UInt32] = []
    var faceEdgeStart: [UInt32] = []
    var faceEdges: [UInt32] = []
    var bounds: Envelope?
    /// Per edge: whether it is shared by exactly two ring sides in opposite directions (two
    /// faces meeting along it, or one face on both sides), so that crossing it swaps one face
    /// for the other. Build state only.
    var isMatched: [Bool] = []

    var edgeCount: Int { edges.count / 3 }

    init(faces: [[Polygon]]) {
        faceCount = faces.count
        var vertexTable = VertexTable(capacity: faces.reduce(0) { $0 + $1.reduce(0) { $0 + $1.rings.reduce(0) { $0 + $1.count } } })
        var edgeTable = EdgeTable(capacity: vertexTable.capacity)
        // One entry per side of a ring: (edge, face, direction).
        var sideEdge: [UInt32] = []
        var sideFace: [UInt32] = []
        var sideForward: [Bool] = []
        var ringIDs: [UInt32] = []
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        for (face, polygons) in faces.enumerated() {
            for polygon in polygons {
                for (ringNumber, ring) in polygon.rings.enumerated() {
                    ringIDs.removeAll(keepingCapacity: true)
                    for point in ring {
                        let id = vertexTable.insert(point, into: &vertices)
                        if ringIDs.last != id { ringIDs.append(id) }
                        minX = min(minX, point.x); maxX = max(maxX, point.x)
                        minY = min(minY, point.y); maxY = max(maxY, point.y)
                    }
                    if ringIDs.count > 1, ringIDs.first == ringIDs.last { ringIDs.removeLast() }
                    guard ringIDs.count >= 2 else { continue }
                    // Exteriors counterclockwise and holes clockwise, so that a face lies left of its sides.
                    let area = signedArea(ringIDs)
                    let reversed = ringNumber == 0 ? area < 0 : area > 0
                    for k in 0..<ringIDs.count {
                        let a = ringIDs[k], b = ringIDs[(k + 1) % ringIDs.count]
                        guard a != b else { continue }
                        let edge = edgeTable.insert(a, b, into: &edges)
                        sideEdge.append(edge)
                        sideFace.append(UInt32(face))
                        sideForward.append((a < b) != reversed)
                    }
                }
            }
        }
        if minX <= maxX { bounds = Envelope(minX: minX, minY: minY, maxX: maxX, maxY: maxY) }

        let edgeCount = edges.count / 3
        // Sides grouped by edge, and by face.
        edgeFaceStart = [UInt32](repeating: 0, count: edgeCount + 1)
        for edge in sideEdge { edgeFaceStart[Int(edge) + 1] += 1 }
        for e in 0..<edgeCount { edgeFaceStart[e + 1] += edgeFaceStart[e] }
        edgeFaces = [UInt32](repeating: 0, count: sideEdge.count)
        var forwardCount = [UInt8](repeating: 0, count: edgeCount)
        var fill = edgeFaceStart
        for side in sideEdge.indices {
            let edge = Int(sideEdge[side])
            edgeFaces[Int(fill[edge])] = sideFace[side]
            fill[edge] += 1
            edges[3 * edge + 2] ^= sideFace[side] + 1
            if sideForward[side] { forwardCount[edge] &+= 1 }
        }
        isMatched = (0..<edgeCount).map { edgeFaceStart[$0 + 1] - edgeFaceStart[$0] == 2 && forwardCount[$0] == 1 }

        faceEdgeStart = [UInt32](repeating: 0, count: faces.count + 1)
        for face in sideFace { faceEdgeStart[Int(face) + 1] += 1 }
        for f in 0..<faces.count { faceEdgeStart[f + 1] += faceEdgeStart[f] }
        faceEdges = [UInt32](repeating: 0, count: sideEdge.count)
        fill = faceEdgeStart
        for side in sideEdge.indices {
            let face = Int(sideFace[side])
            faceEdges[Int(fill[face])] = sideEdge[side]
            fill[face] += 1
        }
    }

    private func signedArea(_ ring: [UInt32]) -> Double {
        // Relative to the first vertex, so that large coordinates lose no digits.
        let x0 = vertices[Int(ring[0]) * 2], y0 = vertices[Int(ring[0]) * 2 + 1]
        var sum = 0.0
        for k in 0..<ring.count {
            let a = Int(ring[k]) * 2, b = Int(ring[(k + 1) % ring.count]) * 2
            sum += (vertices[a] - x0) * (vertices[b + 1] - y0) - (vertices[b] - x0) * (vertices[a + 1] - y0)
        }
        return sum / 2
    }

    /// The two faces of a matched edge (the same face twice for an edge inside one face).
    func faces(ofEdge edge: Int) -> (UInt32, UInt32) {
        let first = Int(edgeFaceStart[edge])
        return (edgeFaces[first], edgeFaces[first + 1])
    }

    /// The edges touching each cell of a lattice, kept for searches around a point.
    func edgeGrid(_ lattice: Lattice) -> EdgeGrid {
        let (start, list) = cellEdges(lattice)
        return EdgeGrid(lattice: lattice, start: start, list: list)
    }

    @inline(__always)
    func endpoints(_ edge: Int) -> (ax: Double, ay: Double, bx: Double, by: Double) {
        let a = Int(edges[3 * edge]) * 2, b = Int(edges[3 * edge + 1]) * 2
        return (vertices[a], vertices[a + 1], vertices[b], vertices[b + 1])
    }

    // MARK: Edges per cell

    /// Calls `body` with every cell whose closed rectangle the edge may touch (a superset).
    private func forEachCell(of edge: Int, _ lattice: Lattice, _ body: (Int) -> Void) {
        let (ax, ay, bx, by) = endpoints(edge)
        let m = lattice.margin
        let lowY = min(ay, by) - m, highY = max(ay, by) + m
        let lowX = min(ax, bx) - m, highX = max(ax, bx) + m
        let firstRow = lattice.clampedRow(lowY), lastRow = lattice.clampedRow(highY)
        for row in firstRow...lastRow {
            var x0 = lowX, x1 = highX
            if firstRow != lastRow && ay != by {
                // The part of the edge in this row's band (grown by the margin).
                let bandLow = max(lattice.rowY[row] - m, lowY)
                let bandHigh = min(lattice.rowY[row + 1] + m, highY)
                let slope = (bx - ax) / (by - ay)
                let xa = ax + (bandLow - ay) * slope, xb = ax + (bandHigh - ay) * slope
                x0 = max(min(xa, xb) - m, lowX)
                x1 = min(max(xa, xb) + m, highX)
                if x0 > x1 { continue }
            }
            let rowStart = row * lattice.columns
            for column in lattice.clampedColumn(x0)...lattice.clampedColumn(x1) {
                body(rowStart + column)
            }
        }
    }

    /// The edges touching each cell: `edges[start[c]..<start[c + 1]]`.
    func cellEdges(_ lattice: Lattice) -> (start: [UInt32], edges: [UInt32]) {
        var start = [UInt32](repeating: 0, count: lattice.cellCount + 1)
        for edge in 0..<edgeCount {
            forEachCell(of: edge, lattice) { start[$0 + 1] += 1 }
        }
        for c in 0..<lattice.cellCount { start[c + 1] += start[c] }
        var list = [UInt32](repeating: 0, count: Int(start[lattice.cellCount]))
        var fill = start
        for edge in 0..<edgeCount {
            forEachCell(of: edge, lattice) { cell in
                list[Int(fill[cell])] = UInt32(edge)
                fill[cell] += 1
            }
        }
        return (start, list)
    }

    // MARK: Faces at the cell corners

    /// The faces holding each cell's bottom-right corner nudged by (ε, ε²): the code (face + 1)
    /// of the only one, 0 for none; cells where several faces overlap are listed apart.
    ///
    /// One sweep per row line: the edges crossing the line y = rowY[r] (half-open, as the rule
    /// counts them), each placed exactly between two column boundaries, then toggled into the
    /// set of faces from the east end of the line to the west.
    func cornerFaces(_ lattice: Lattice) -> (codes: [UInt32], overlaps: [Int: [UInt32]]) {
        let columns = lattice.columns, rows = lattice.rows
        // Edges by the row lines they cross.
        var lineStart = [UInt32](repeating: 0, count: rows + 1)
        func forEachLine(of edge: Int, _ body: (Int) -> Void) {
            let (_, ay, _, by) = endpoints(edge)
            let low = min(ay, by), high = max(ay, by)
            guard low < high else { return }
            // Lines r with low <= rowY[r] < high.
            var first = lattice.clampedRow(low)
            while first > 0 && lattice.rowY[first - 1] >= low { first -= 1 }
            while first < rows && lattice.rowY[first] < low { first += 1 }
            var line = first
            while line < rows && lattice.rowY[line] < high {
                body(line)
                line += 1
            }
        }
        for edge in 0..<edgeCount { forEachLine(of: edge) { lineStart[$0 + 1] += 1 } }
        for r in 0..<rows { lineStart[r + 1] += lineStart[r] }
        var lineEdges = [UInt32](repeating: 0, count: Int(lineStart[rows]))
        var fill = lineStart
        for edge in 0..<edgeCount {
            forEachLine(of: edge) { line in
                lineEdges[Int(fill[line])] = UInt32(edge)
                fill[line] += 1
            }
        }

        var codes = [UInt32](repeating: 0, count: lattice.cellCount)
        var overlaps: [Int: [UInt32]] = [:]
        var crossings: [(boundary: Int, edge: UInt32)] = []
        var holding: [UInt32] = []
        for row in 0..<rows {
            let y = lattice.rowY[row]
            crossings.removeAll(keepingCapacity: true)
            for k in Int(lineStart[row])..<Int(lineStart[row + 1]) {
                let edge = Int(lineEdges[k])
                let (ax, ay, bx, by) = endpoints(edge)
                let lowerIsA = ay < by
                let lx = lowerIsA ? ax : bx, ly = lowerIsA ? ay : by
                let ux = lowerIsA ? bx : ax, uy = lowerIsA ? by : ay
                // Whether column boundary X lies strictly west of the edge's crossing with the line.
                func isWest(_ X: Double) -> Bool {
                    if X < min(lx, ux) { return true }
                    if X >= max(lx, ux) { return false }
                    return orientation(lx, ly, ux, uy, X, y) > 0
                }
                let estimate = lx + (y - ly) * (ux - lx) / (uy - ly)
                // The last boundary strictly west of the crossing (-1 for none).
                let position = ((estimate - lattice.columnX[0]) / lattice.cellSize).rounded(.down)
                var boundary = Int(min(max(position, -1), Double(columns)))
                while boundary + 1 <= columns && isWest(lattice.columnX[boundary + 1]) { boundary += 1 }
                while boundary >= 0 && !isWest(lattice.columnX[boundary]) { boundary -= 1 }
                // It counts for the corners of the cells c with columnX[c + 1] west of it.
                if boundary >= 1 { crossings.append((boundary, UInt32(edge))) }
            }
            crossings.sort { $0.boundary > $1.boundary }
            holding.removeAll(keepingCapacity: true)
            var next = 0
            for column in stride(from: columns - 1, through: 0, by: -1) {
                while next < crossings.count && crossings[next].boundary >= column + 1 {
                    let edge = Int(crossings[next].edge)
                    for k in Int(edgeFaceStart[edge])..<Int(edgeFaceStart[edge + 1]) {
                        let face = edgeFaces[k]
                        if let index = holding.firstIndex(of: face) {
                            holding.remove(at: index)
                        } else {
                            holding.append(face)
                        }
                    }
                    next += 1
                }
                let cell = row * columns + column
                switch holding.count {
                case 0: break
                case 1: codes[cell] = holding[0] + 1
                default: overlaps[cell] = holding.sorted()
                }
            }
        }
        return (codes, overlaps)
    }

}

// MARK: - Hash tables for the build

/// Unique vertices by their exact coordinates (open addressing; -0 and +0 are one vertex).
private struct VertexTable {
    private var keys: [UInt64]
    private var values: [UInt32]
    private let mask: Int
    var capacity: Int { keys.count / 2 }

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: 0, count: size * 2)
        values = [UInt32](repeating: .max, count: size)
        mask = size - 1
    }

    mutating func insert(_ point: XY, into vertices: inout [Double]) -> UInt32 {
        let x = point.x == 0 ? 0 : point.x, y = point.y == 0 ? 0 : point.y
        let kx = x.bitPattern, ky = y.bitPattern
        var slot = Int(truncatingIfNeeded: (kx &* 0x9E37_79B9_7F4A_7C15 ^ (ky &+ 0x632B_E59B_D9B4_E019) &* 0xC2B2_AE3D_27D4_EB4F) >> 17) & mask
        while values[slot] != .max {
            if keys[2 * slot] == kx && keys[2 * slot + 1] == ky { return values[slot] }
            slot = (slot + 1) & mask
        }
        let id = UInt32(vertices.count / 2)
        keys[2 * slot] = kx
        keys[2 * slot + 1] = ky
        values[slot] = id
        vertices.append(x)
        vertices.append(y)
        return id
    }
}

/// Unique undirected edges by their vertex pair (open addressing).
private struct EdgeTable {
    private var keys: [UInt64]
    private var values: [UInt32]
    private let mask: Int

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: 0, count: size)
        values = [UInt32](repeating: .max, count: size)
        mask = size - 1
    }

    /// The edge between a and b, appended to `edges` (a, b, mask 0) when new.
    mutating func insert(_ a: UInt32, _ b: UInt32, into edges: inout [UInt32]) -> UInt32 {
        let key = UInt64(min(a, b)) << 32 | UInt64(max(a, b))
        var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
        while values[slot] != .max {
            if keys[slot] == key { return values[slot] }
            slot = (slot + 1) & mask
        }
        let id = UInt32(edges.count / 3)
        keys[slot] = key
        values[slot] = id
        edges.append(min(a, b))
        edges.append(max(a, b))
        edges.append(0)
        return id
    }
}
