extension CellLattice {
    /// What the build needs of one layer on the lattice: its topology, the edges touching each
    /// cell, and the faces holding each cell's nudged corner.
    struct LayerCells: Sendable {
        let topology: Topology
        let cellEdges: (start: [UInt32], edges: [UInt32])
        let corners: (codes: [UInt32], overlaps: [Int: [UInt32]])

        init(_ topology: Topology, on lattice: Lattice) {
            self.topology = topology
            cellEdges = topology.cellEdges(lattice)
            corners = topology.cornerFaces(lattice)
        }
    }

    /// Builds the entries and records of every cell (see the type's documentation).
    ///
    /// - Parameters:
    ///   - parents: the grid of each micro-grid (-1 when unknown).
    ///   - concurrently: the two halves of the rows on two threads, or both on the caller's.
    static func build(_ lattice: Lattice, grids: LayerCells, microGrids: LayerCells?, parents: [Int32],
                      concurrently: Bool = true) -> CellLattice {
        // Two halves of the rows on two cores; the second half's offsets move up after the first's records.
        let middle = lattice.rows / 2 * lattice.columns
        let halves = concurrentMap([0..<middle, middle..<lattice.cellCount], concurrently: concurrently) { cells in
            var builder = RecordBuilder(lattice: lattice, grids: grids, microGrids: microGrids, parents: parents)
            let entries = cells.map { builder.entry($0) }
            return (entries: entries, records: builder.records)
        }
        var cells = halves[0].entries
        cells.reserveCapacity(lattice.cellCount)
        let shift = UInt32(halves[0].records.count)
        cells.append(contentsOf: halves[1].entries.lazy.map { $0 & LatticeEntry.recordFlag != 0 ? $0 + shift : $0 })
        var records = halves[0].records
        records.append(contentsOf: halves[1].records)
        // Padding, so that a lookup may read ahead of any record without a bounds check.
        records.append(contentsOf: repeatElement(0, count: 16))
        return CellLattice(lattice: lattice, cells: cells, records: records)
    }
}

/// How one layer answers in one cell.
private enum Part {
    /// The face code (index + 1, 0 for none) of the whole cell.
    case immediate(UInt32)
    /// Corner code and matched edges: `edges[range]` of the layer's cell edges.
    case xor(corner: UInt32, range: Range<Int>)
    /// Anything else: edges `range`, and the faces holding the corner.
    case parity(holding: [UInt32], range: Range<Int>)
    /// No micro-grid layer.
    case none
}

private struct RecordBuilder {
    let lattice: Lattice
    let grids: CellLattice.LayerCells
    let microGrids: CellLattice.LayerCells?
    let parents: [Int32]
    var records: [UInt32] = []
    /// Scratch: the ends and masks of one cell's edges.
    private var ends: [(ax: Double, ay: Double, bx: Double, by: Double, mask: UInt32)] = []

    init(lattice: Lattice, grids: CellLattice.LayerCells, microGrids: CellLattice.LayerCells?, parents: [Int32]) {
        self.lattice = lattice
        self.grids = grids
        self.microGrids = microGrids
        self.parents = parents
        records.reserveCapacity((grids.cellEdges.edges.count + (microGrids?.cellEdges.edges.count ?? 0)) * 3)
    }

    /// The parent grid code (index + 1) of a micro-grid code; 0 for none.
    func parentCode(_ microCode: UInt32) -> UInt32 {
        microCode == 0 ? 0 : UInt32(bitPattern: parents[Int(microCode) - 1] &+ 1)
    }

    func part(_ layer: CellLattice.LayerCells, _ cell: Int) -> Part {
        let range = Int(layer.cellEdges.start[cell])..<Int(layer.cellEdges.start[cell + 1])
        let overlap = layer.corners.overlaps.isEmpty ? nil : layer.corners.overlaps[cell]
        let corner = layer.corners.codes[cell]
        if range.isEmpty && overlap == nil { return .immediate(corner) }
        if overlap == nil, range.count <= RecordHeader.maximumXOREdges,
           range.allSatisfy({ edge in
               let e = Int(layer.cellEdges.edges[edge])
               return layer.topology.isMatched[e] && e <= EdgeWord.largestIndex
           }) {
            return .xor(corner: corner, range: range)
        }
        return .parity(holding: overlap ?? (corner == 0 ? [] : [corner - 1]), range: range)
    }

    mutating func entry(_ cell: Int) -> UInt32 {
        let grid = part(grids, cell)
        let micro = microGrids.map { part($0, cell) } ?? .none
        let derived = isDerived(grid, micro, cell)
        switch (grid, micro) {
        case (.immediate(0), _):
            return 0
        case (.immediate, .immediate(let code)) where derived && code != 0 && Int(code) <= LatticeEntry.largestCode:
            return LatticeEntry.microGrid << 30 | code
        case (.immediate(let code), .none), (.immediate(let code), .immediate(0)):
            if Int(code) <= LatticeEntry.largestCode { return LatticeEntry.grid << 30 | code }
        default:
            break
        }
        let offset = UInt32(records.count)
        let gridKind: RecordHeader.Kind
        var gridEdges = 0
        switch grid {
        case _ where derived: gridKind = .derivedOrNone
        case .immediate: gridKind = .immediate
        case .xor(_, let range): gridKind = .xor; gridEdges = range.count
        default: gridKind = .parity
        }
        let microKind: RecordHeader.Kind
        var microEdges = 0
        switch micro {
        case .none: microKind = .derivedOrNone
        case .immediate: microKind = .immediate
        case .xor(_, let range): microKind = .xor; microEdges = range.count
        case .parity: microKind = .parity
        }
        var subCells = false
        if derived, let microGrids, case .xor(let corner, let range) = micro {
            subCells = true
            records.append(RecordHeader(grid: gridKind, gridEdges: gridEdges, micro: microKind, microEdges: microEdges,
                                        subCells: true).word)
            appendSubCellTable(microGrids, cell, corner, range)
        }
        if !subCells {
            records.append(RecordHeader(grid: gridKind, gridEdges: gridEdges, micro: microKind, microEdges: microEdges,
                                        subCells: false).word)
        }
        if !derived { append(grid, grids, cell) }
        if let microGrids { append(micro, microGrids, cell) }
        return LatticeEntry.recordFlag | offset
    }

    /// Whether, everywhere in the cell, the grid by the rule is the parent of the micro-grid by
    /// the rule: the grid corner is the micro corner's parent, and the grid edges touching the
    /// cell are exactly the micro-grid edges there between micro-grids of different grids.
    func isDerived(_ grid: Part, _ micro: Part, _ cell: Int) -> Bool {
        guard let microGrids else { return false }
        let microEdges = microGrids.cellEdges.edges, gridEdges = grids.cellEdges.edges
        switch (grid, micro) {
        case (.immediate(let gridCode), .immediate(let microCode)):
            return gridCode != 0 && parentCode(microCode) == gridCode
        case (.immediate(let gridCode), .xor(let corner, let range)):
            guard gridCode != 0, parentCode(corner) == gridCode else { return false }
            return range.allSatisfy { k in
                let faces = microGrids.topology.faces(ofEdge: Int(microEdges[k]))
                return parents[Int(faces.0)] == parents[Int(faces.1)]
            }
        case (.xor(let gridCorner, let gridRange), .xor(let microCorner, let microRange)):
            guard parentCode(microCorner) == gridCorner else { return false }
            var boundaryEdges = 0
            for k in microRange {
                let edge = Int(microEdges[k])
                let faces = microGrids.topology.faces(ofEdge: edge)
                let (p, q) = (parents[Int(faces.0)], parents[Int(faces.1)])
                guard p != q else { continue }
                boundaryEdges += 1
                let ends = microGrids.topology.endpoints(edge)
                let matched = gridRange.contains { g in
                    let gridEdge = Int(gridEdges[g])
                    let other = grids.topology.endpoints(gridEdge)
                    let sameEnds = (ends.ax == other.ax && ends.ay == other.ay && ends.bx == other.bx && ends.by == other.by)
                        || (ends.ax == other.bx && ends.ay == other.by && ends.bx == other.ax && ends.by == other.ay)
                    guard sameEnds else { return false }
                    let gridFaces = grids.topology.faces(ofEdge: gridEdge)
                    return (Int32(gridFaces.0) == p && Int32(gridFaces.1) == q) || (Int32(gridFaces.0) == q && Int32(gridFaces.1) == p)
                }
                guard matched else { return false }
            }
            return boundaryEdges == gridRange.count
        default:
            return false
        }
    }

    /// The sub-cell table of an XOR part: per sub-cell that no edge touches, the code of the
    /// face holding it, among at most three codes; 3 elsewhere.
    ///
    /// Untouched sub-cells that share a side have no edge between them, so they hold the same
    /// face: one exact evaluation (at a sub-cell's centre) per connected group of them.
    mutating func appendSubCellTable(_ layer: CellLattice.LayerCells, _ cell: Int, _ corner: UInt32, _ range: Range<Int>) {
        let column = cell % lattice.columns, row = cell / lattice.columns
        let left = lattice.columnX[column], right = lattice.columnX[column + 1]
        let bottom = lattice.rowY[row], top = lattice.rowY[row + 1]
        let n = RecordHeader.subCells
        let width = (right - left) / Double(n), height = (top - bottom) / Double(n)
        let m = lattice.margin
        var touched: UInt64 = 0
        for k in range {
            let (ax, ay, bx, by) = layer.topology.endpoints(Int(layer.cellEdges.edges[k]))
            touched |= Self.subCellsTouched(ax, ay, bx, by, left: left, bottom: bottom, width: width, height: height,
                                            side: n, margin: m)
        }
        func code(atSubCell subCell: Int) -> UInt32 {
            let cx = left + (Double(subCell % n) + 0.5) * width, cy = bottom + (Double(subCell / n) + 0.5) * height
            var code = corner
            for k in range {
                let edge = Int(layer.cellEdges.edges[k])
                let (ax, ay, bx, by) = layer.topology.endpoints(edge)
                if PlanarLayer.crosses(ax, ay, bx, by, cx, cy, right, bottom) { code ^= layer.topology.edges[3 * edge + 2] }
            }
            return code
        }
        var entries = [UInt32](repeating: 3, count: n * n)
        var codes: [UInt32] = []
        var done = touched
        var stack: [Int] = []
        for seed in 0..<(n * n) where done & (1 << UInt64(seed)) == 0 {
            let value = code(atSubCell: seed)
            var entry: UInt32 = 3
            if let known = codes.firstIndex(of: value) {
                entry = UInt32(known)
            } else if codes.count < 3 {
                codes.append(value)
                entry = UInt32(codes.count - 1)
            }
            stack.append(seed)
            done |= 1 << UInt64(seed)
            while let subCell = stack.popLast() {
                entries[subCell] = entry
                let sx = subCell % n, sy = subCell / n
                for (nx, ny) in [(sx - 1, sy), (sx + 1, sy), (sx, sy - 1), (sx, sy + 1)] where nx >= 0 && nx < n && ny >= 0 && ny < n {
                    let neighbour = ny * n + nx
                    if done & (1 << UInt64(neighbour)) == 0 {
                        done |= 1 << UInt64(neighbour)
                        stack.append(neighbour)
                    }
                }
            }
        }
        for word in 0..<RecordHeader.subCellTableWords {
            var value: UInt32 = 0
            for k in 0..<16 { value |= entries[word * 16 + k] << UInt32(2 * k) }
            records.append(value)
        }
        while codes.count < 3 { codes.append(0) }
        records.append(contentsOf: codes)
    }

    /// The first five words of an edge of an XOR part (see `EdgeWord`) for the edge (ax, ay) –
    /// (bx, by) in cell (column, row): Float32 numbers relative to the cell's bottom-right
    /// corner, for the approximate tests of `CellLattice.crossesApproximately`.
    ///
    /// The edge is clipped to the cell grown by an eighth of a cell on every side. Only the part
    /// of the edge in the cell meets a path of the cell (east along the point's row, south along
    /// the east side), and an end the clipping makes is an eighth of a cell from every such
    /// path, so the tests answer as on the whole edge. Clipped, every number is within 1.125
    /// cells of the corner, which bounds its rounding to Float32 by one constant.
    static func edgeWords(_ ax: Double, _ ay: Double, _ bx: Double, _ by: Double, column: Int, row: Int,
                          lattice: Lattice) -> [UInt32] {
        let left = lattice.columnX[column], right = lattice.columnX[column + 1]
        let bottom = lattice.rowY[row], top = lattice.rowY[row + 1]
        let grow = lattice.cellSize / 8
        // The lower end first; relative to the corner.
        let lowerIsA = ay <= by
        let lx = (lowerIsA ? ax : bx) - right, ly = (lowerIsA ? ay : by) - bottom
        let ux = (lowerIsA ? bx : ax) - right, uy = (lowerIsA ? by : ay) - bottom
        // dx/dy along the edge: x(y) = lx + (y - ly) * inverseSlope. A horizontal edge never
        // spans a row, so its slope is never used.
        let inverseSlope = uy > ly ? (ux - lx) / (uy - ly) : 0
        // Liang-Barsky: the parameters t in [0, 1] of the part inside the grown cell.
        var t0 = 0.0, t1 = 1.0
        let dx = ux - lx, dy = uy - ly
        for (p, q) in [(-dx, lx - (left - right - grow)), (dx, grow - lx), (-dy, ly + grow), (dy, top - bottom + grow - ly)] {
            if p == 0 {
                if q < 0 { t0 = 1; t1 = 0 }
            } else {
                let t = q / p
                if p < 0 { t0 = max(t0, t) } else { t1 = min(t1, t) }
            }
        }
        var clipped = (lx: 0.0, ly: -lattice.cellSize, uy: -lattice.cellSize)
        if t0 <= t1 {
            clipped = (lx + t0 * dx, ly + t0 * dy, ly + t1 * dy)
        }
        // Where the edge crosses the east side (x = right + ε) above the nudged corner: its
        // height there, when the south leg can meet it within the cell; +∞ when it never can.
        var eastSideY = Double.infinity
        if (ax > right) != (bx > right) {
            let westIsA = ax < bx
            let (wx, wy, ex, ey) = westIsA ? (ax, ay, bx, by) : (bx, by, ax, ay)
            if PlanarLayer.isAbove(wx, wy, ex, ey, right, bottom) {
                let height = (wy - bottom) + (right - wx) * ((ey - wy) / (ex - wx))
                if height <= top - bottom + grow { eastSideY = max(height, 0) }
            }
        }
        return [Float(clipped.ly).bitPattern, Float(clipped.uy).bitPattern, Float(clipped.lx).bitPattern,
                Float(inverseSlope).bitPattern, Float(eastSideY).bitPattern]
    }

    /// The sub-cells (bit sy * side + sx) whose rectangles, grown by `margin`, the segment may
    /// touch: a superset, as for the cells.
    static func subCellsTouched(_ ax: Double, _ ay: Double, _ bx: Double, _ by: Double, left: Double, bottom: Double,
                                width: Double, height: Double, side: Int, margin m: Double) -> UInt64 {
        let lowY = min(ay, by) - m, highY = max(ay, by) + m
        let lowX = min(ax, bx) - m, highX = max(ax, bx) + m
        func clamp(_ value: Double) -> Int { Int(min(max(value, 0), Double(side - 1))) }
        let firstRow = clamp(((lowY - bottom) / height).rounded(.down)), lastRow = clamp(((highY - bottom) / height).rounded(.down))
        guard highY >= bottom - m, lowY <= bottom + Double(side) * height + m,
              highX >= left - m, lowX <= left + Double(side) * width + m else { return 0 }
        var mask: UInt64 = 0
        for row in firstRow...lastRow {
            var x0 = lowX, x1 = highX
            if ay != by {
                let bandLow = max(bottom + Double(row) * height - m, lowY)
                let bandHigh = min(bottom + Double(row + 1) * height + m, highY)
                guard bandLow <= bandHigh else { continue }
                let slope = (bx - ax) / (by - ay)
                let xa = ax + (bandLow - ay) * slope, xb = ax + (bandHigh - ay) * slope
                x0 = max(min(xa, xb) - m, lowX)
                x1 = min(max(xa, xb) + m, highX)
                if x0 > x1 { continue }
            }
            let first = clamp(((x0 - left) / width).rounded(.down)), last = clamp(((x1 - left) / width).rounded(.down))
            if x1 < left - m || x0 > left + Double(side) * width + m { continue }
            for column in first...last { mask |= 1 << UInt64(row * side + column) }
        }
        return mask
    }

    mutating func append(_ part: Part, _ layer: CellLattice.LayerCells, _ cell: Int) {
        switch part {
        case .none:
            break
        case .immediate(let code):
            records.append(code)
        case .xor(let corner, let range):
            records.append(corner)
            let column = cell % lattice.columns, row = cell / lattice.columns
            for k in range {
                let edge = Int(layer.cellEdges.edges[k])
                let (ax, ay, bx, by) = layer.topology.endpoints(edge)
                records.append(contentsOf: Self.edgeWords(ax, ay, bx, by, column: column, row: row, lattice: lattice))
                records.append(layer.topology.edges[3 * edge + 2])
                records.append(UInt32(edge))
            }
        case .parity(let holding, let range):
            var candidates = holding
            for k in range {
                let edge = Int(layer.cellEdges.edges[k])
                let faces = layer.topology.edgeFaces[Int(layer.topology.edgeFaceStart[edge])..<Int(layer.topology.edgeFaceStart[edge + 1])]
                candidates.append(contentsOf: faces)
            }
            candidates.sort()
            var unique: [UInt32] = []
            for face in candidates where unique.last != face { unique.append(face) }
            records.append(UInt32(unique.count))
            records.append(UInt32(range.count))
            if unique.count <= 64 {
                func bit(_ face: UInt32) -> UInt64 {
                    // `unique` is sorted and holds every face asked for here.
                    var low = 0, high = unique.count - 1
                    while low < high {
                        let middle = (low + high) / 2
                        if unique[middle] < face { low = middle + 1 } else { high = middle }
                    }
                    return 1 << UInt64(low)
                }
                let parity = holding.reduce(UInt64(0)) { $0 ^ bit($1) }
                records.append(UInt32(truncatingIfNeeded: parity))
                records.append(UInt32(truncatingIfNeeded: parity >> 32))
                records.append(contentsOf: unique)
                for k in range {
                    let edge = Int(layer.cellEdges.edges[k])
                    var toggles: UInt64 = 0
                    for side in Int(layer.topology.edgeFaceStart[edge])..<Int(layer.topology.edgeFaceStart[edge + 1]) {
                        toggles ^= bit(layer.topology.edgeFaces[side])
                    }
                    records.append(UInt32(edge))
                    records.append(UInt32(truncatingIfNeeded: toggles))
                    records.append(UInt32(truncatingIfNeeded: toggles >> 32))
                }
            } else {
                records.append(contentsOf: unique)
                records.append(contentsOf: range.map { layer.cellEdges.edges[$0] })
            }
        }
    }
}
