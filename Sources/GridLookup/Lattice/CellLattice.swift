import CPrefetch

/// The fast path of a lookup: one uniform lattice of cells over the grids and micro-grids,
/// where most points are answered by one cell entry and the rest by one record beside it.
///
/// Every cell knows the grid and the micro-grid holding its bottom-right corner, nudged by
/// (ε, ε²) as the boundary rule nudges every point (see `PlanarLayer`), and the edges of either
/// layer that touch it. A point's face is the corner's face changed by every edge that the path
/// from the nudged point to the nudged corner crosses: east along the point's row to the cell's
/// east side, then south along that side to the corner.
///
/// - A cell that no edge touches answers at once: its entry is the micro-grid (the grid is the
///   micro-grid's), or the grid when there is no micro-grid to give.
/// - A cell whose edges are each shared by two faces keeps, per layer, the corner's face code
///   (face index + 1) and per edge the XOR of the codes of the faces on its two sides: crossing
///   the edge between A and B swaps one for the other, and XOR does that whatever the order of
///   the crossings, so the point's code is the corner's XORed with every crossed edge's.
///   The edges are stored in the record as Float32 coordinates relative to the cell's corner,
///   so that the record is all a lookup reads; each test on them carries an error bound, and a
///   point too close to call (micrometres from an edge, for city-sized cells) is decided again
///   exactly, from the edges' double coordinates in the layer.
/// - Any other cell (the coverage's boundary, overlaps, edges that do not match) keeps one
///   parity bit per candidate face and tests its edges exactly.
/// - Where the grid layer's edges in a cell are exactly the micro-grid edges between micro-grids
///   of different grids, the grid is derived from the micro-grid (its parent) and the record
///   holds the micro-grid layer only: a partition's grids are unions of their micro-grids.
///
/// Immutable once built, and read from any number of threads at once.
final class CellLattice: Sendable {
    let columns: Int
    let rows: Int
    let originX: Double
    let originY: Double
    let inverseCellWidth: Double
    let inverseCellHeight: Double
    /// Cell boundaries: column c spans columnX[c] ..< columnX[c + 1], row r spans rowY[r] ..< rowY[r + 1].
    let columnX: FrozenArray<Double>
    let rowY: FrozenArray<Double>
    /// One entry per cell, row-major. See `LatticeEntry`.
    let cells: FrozenArray<UInt32>
    /// The records of cells that edges touch. See `RecordHeader`.
    let records: FrozenArray<UInt32>
    /// The part of the Float32 filter's error bound that does not depend on an edge: the
    /// rounding of a point's offset from its cell's corner.
    let filterBase: Double

    init(lattice: Lattice, cells: [UInt32], records: [UInt32]) {
        columns = lattice.columns
        rows = lattice.rows
        originX = lattice.columnX[0]
        originY = lattice.rowY[0]
        inverseCellWidth = Double(columns) / (lattice.columnX[columns] - lattice.columnX[0])
        inverseCellHeight = Double(rows) / (lattice.rowY[rows] - lattice.rowY[0])
        columnX = FrozenArray(lattice.columnX)
        rowY = FrozenArray(lattice.rowY)
        self.cells = FrozenArray(cells)
        self.records = FrozenArray(records)
        filterBase = lattice.cellSize * 0x1p-22
    }

    deinit {
        columnX.deallocate()
        rowY.deallocate()
        cells.deallocate()
        records.deallocate()
    }

    var byteCount: Int { columnX.byteCount + rowY.byteCount + cells.byteCount + records.byteCount }

    /// The sub-cell (row-major from the south-west, `RecordHeader.subCells` per side) of cell
    /// (column, row) that holds (x, y), a point of that cell.
    @inline(__always)
    func subCell(_ x: Double, _ y: Double, _ column: Int, _ row: Int) -> Int {
        let side = Double(RecordHeader.subCells)
        // Clamped while a double (the cell's own width can differ from the mean in the last
        // bits), so that the conversions cannot trap.
        let sx = Int(min(max((x - columnX[column]) * inverseCellWidth * side, 0), side - 1))
        let sy = Int(min(max((y - rowY[row]) * inverseCellHeight * side, 0), side - 1))
        return sy &* RecordHeader.subCells &+ sx
    }

    /// The cell holding (x, y), as column and row, or nil outside the lattice (or not finite).
    @inline(__always)
    func cell(_ x: Double, _ y: Double) -> (column: Int, row: Int)? {
        let fx = (x - originX) * inverseCellWidth
        let fy = (y - originY) * inverseCellHeight
        // Also false for NaN.
        guard fx >= -1, fx < Double(columns + 1), fy >= -1, fy < Double(rows + 1) else { return nil }
        // The estimate can be one off on a boundary; the stored boundaries decide exactly.
        var column = min(max(Int(fx), 0), columns - 1)
        if x < columnX[column] {
            column -= 1
            if column < 0 { return nil }
        } else if x >= columnX[column + 1] {
            column += 1
            if column >= columns { return nil }
        }
        var row = min(max(Int(fy), 0), rows - 1)
        if y < rowY[row] {
            row -= 1
            if row < 0 { return nil }
        } else if y >= rowY[row + 1] {
            row += 1
            if row >= rows { return nil }
        }
        return (column, row)
    }
}

// MARK: - Prefetching

extension CellLattice {
    /// Starts loading the entry of cell (column, row) into the cache; see `GridIndex.locate`'s batches.
    @inline(__always)
    func prefetchEntry(_ column: Int, _ row: Int) {
        gridweave_prefetch(cells.address(row &* columns &+ column))
    }

    /// Starts loading the first two cache lines of the record of `entry` (its header, sub-cell
    /// table and codes, and the first edges).
    @inline(__always)
    func prefetchRecord(_ entry: UInt32) {
        // Without a branch on the entry, whose kind the processor cannot guess: an entry
        // without a record prefetches offset 0, which is harmless.
        let offset = Int(entry & LatticeEntry.offsetMask) & (0 &- Int(entry >> 31))
        let first = UnsafeRawPointer(records.address(offset))
        gridweave_prefetch(first)
        gridweave_prefetch(first + 64)
    }
}

/// How a cell entry reads: the two high bits give the kind.
enum LatticeEntry {
    /// `00`: the code of the micro-grid holding the whole cell (its grid is the micro-grid's);
    /// 0 for a cell in no grid.
    static let microGrid: UInt32 = 0
    /// `01`: the code of the grid holding the whole cell, with no micro-grid to give there.
    static let grid: UInt32 = 1
    /// `1x`: the offset of the cell's record (31 bits).
    static let recordFlag: UInt32 = 0x8000_0000
    static let codeMask: UInt32 = 0x3FFF_FFFF
    static let offsetMask: UInt32 = 0x7FFF_FFFF
    static let largestCode = Int(codeMask)
}

/// The first word of a record: how its grid part and its micro-grid part are stored.
///
/// Layout: `[header] [grid part] [micro-grid part]`, where a part is
/// - derived (grid part only, no words): the grid is the parent of the micro-grid found;
/// - none (micro-grid part only, no words): the file has no micro-grids;
/// - immediate: `[code]`, the face holding the whole cell (0 for none);
/// - XOR: `[corner code]` then per edge six words: the lower end's x and y and the upper end's
///   x and y as Float32 relative to the cell's bottom-right corner, the XOR of the edge's face
///   codes, and the edge's index in its layer with two flags in the high bits (`EdgeFlags`);
/// - parity: `[k, n]`, then when k <= 64 the corner's parity bits (two words, low first), the k
///   candidate faces ascending, and per edge its index and the candidates it toggles (two
///   words); when k > 64, the k candidates and the n edge indexes (each candidate is then tested
///   against its whole boundary).
///
/// With the sub-cell flag (a derived grid and an XOR micro-grid part), the micro-grid part
/// begins with a table over an 8 × 8 split of the cell (row-major from the south-west, 2 bits
/// per sub-cell, 16 to a word: four words), then three micro-grid codes. An entry 0...2 says
/// that no edge touches that sub-cell and gives its code; 3 says to test the edges.
struct RecordHeader {
    enum Kind: UInt32 {
        case derivedOrNone = 0, immediate = 1, xor = 2, parity = 3
    }

    static let maximumXOREdges = 0x1FFF
    static let subCellFlag: UInt32 = 1 << 30
    /// Sub-cells per side.
    static let subCells = 8
    /// Words of the sub-cell table, then the words of the table and its three codes.
    static let subCellTableWords = subCells * subCells / 16
    static let subCellWords = subCellTableWords + 3

    var word: UInt32

    init(word: UInt32) {
        self.word = word
    }

    init(grid: Kind, gridEdges: Int, micro: Kind, microEdges: Int, subCells: Bool) {
        word = grid.rawValue | micro.rawValue << 2 | UInt32(gridEdges) << 4 | UInt32(microEdges) << 17
            | (subCells ? Self.subCellFlag : 0)
    }

    /// The bits that say a record is the common one of a partition (a derived grid, XOR
    /// micro-grids, a sub-cell table) and what they hold then.
    static let commonMask: UInt32 = 0xF | subCellFlag
    static let common: UInt32 = Kind.derivedOrNone.rawValue | Kind.xor.rawValue << 2 | subCellFlag

    @inline(__always) var gridKind: UInt32 { word & 3 }
    @inline(__always) var microKind: UInt32 { (word >> 2) & 3 }
    @inline(__always) var gridEdges: Int { Int((word >> 4) & 0x1FFF) }
    @inline(__always) var microEdges: Int { Int((word >> 17) & 0x1FFF) }
    @inline(__always) var hasSubCells: Bool { word & Self.subCellFlag != 0 }
}

/// Flags kept with an edge of an XOR part (in the high bits of its index word).
enum EdgeFlags {
    /// The edge crosses the cell's east side (x = right + ε) north of the nudged corner: the
    /// part of the south leg's test that does not depend on the point, decided exactly.
    static let crossesEastSide: UInt32 = 1 << 28
    /// The lower end is also the western one.
    static let lowerIsWest: UInt32 = 1 << 29
    static let indexMask: UInt32 = 0x0FFF_FFFF
    static let largestIndex = Int(indexMask)
}

// MARK: - Reading records

extension CellLattice {
    /// The face of an XOR part at `position` with `count` edges, for the point (x, y) in the
    /// cell with bottom-right corner (right, bottom); -1 for none.
    ///
    /// Every edge is tested without a branch on the point: which way a test goes is as good as
    /// random from one point to the next, and a wrong guess costs more than the arithmetic.
    /// When any test is too close to call, all are decided again exactly.
    @inline(__always)
    func xorFace(_ position: Int, _ count: Int, _ x: Double, _ y: Double, _ right: Double, _ bottom: Double,
                 _ layer: PlanarLayer) -> Int32 {
        let qx = x - right, qy = y - bottom
        var code = records[position]
        var unsure: UInt32 = 0
        var word = position + 1
        for _ in 0..<count {
            let ax = Double(Float(bitPattern: records[word])), ay = Double(Float(bitPattern: records[word + 1]))
            let bx = Double(Float(bitPattern: records[word + 2])), by = Double(Float(bitPattern: records[word + 3]))
            let test = Self.crossesApproximately(ax, ay, bx, by, qx, qy, records[word + 5], filterBase)
            code ^= records[word + 4] & (0 &- test.crossing)
            unsure |= test.unsure
            word += 6
        }
        if unsure != 0 { return exactXORFace(position, count, x, y, right, bottom, layer) }
        return Int32(bitPattern: code) &- 1
    }

    /// The same, every edge tested exactly on its double coordinates.
    @inline(never)
    func exactXORFace(_ position: Int, _ count: Int, _ x: Double, _ y: Double, _ right: Double, _ bottom: Double,
                      _ layer: PlanarLayer) -> Int32 {
        var code = records[position]
        var word = position + 1
        for _ in 0..<count {
            let edge = Int(records[word + 5] & EdgeFlags.indexMask)
            if layer.crosses(edge, x, y, right, bottom) { code ^= records[word + 4] }
            word += 6
        }
        return Int32(bitPattern: code) &- 1
    }

    /// Whether an edge crosses the path from the nudged point q to the nudged corner (the
    /// origin): `PlanarLayer.crosses` on coordinates relative to the corner, in Float32 with an
    /// error bound. a is the lower end. Every coordinate here is within δ of its true value.
    ///
    /// - Returns: `crossing` 1 when it crosses and 0 when not, valid when `unsure` is 0; `unsure`
    ///   1 when a test is too close to call.
    @inline(__always)
    static func crossesApproximately(_ ax: Double, _ ay: Double, _ bx: Double, _ by: Double, _ qx: Double, _ qy: Double,
                                     _ flags: UInt32, _ base: Double) -> (crossing: UInt32, unsure: UInt32) {
        let delta = base + max(max(abs(ax), abs(ay)), max(abs(bx), abs(by))) * 0x1p-22
        let margin = 2 * delta
        let minX = min(ax, bx), maxX = max(ax, bx)
        // The orientations of (a, b, q) and of (a, b, (0, qy)): 1 in `left` when certainly
        // positive (the point is left of the upward edge), 1 in `right` when certainly negative.
        let pointSide = orientationSigns(ax, ay, bx, by, qx, qy, delta)
        let eastSide = orientationSigns(ax, ay, bx, by, 0, qy, delta)
        // East leg, at height qy: the edge spans it when exactly one end is above.
        let da = ay - qy, db = by - qy
        let spans = bit(da < -margin) & bit(db > margin)
        let spansUnsure = ~(bit(da > margin) | bit(db < -margin) | spans) & 1
        // x(qy) > qx, or x(qy) < qx; x(qy) <= 0, or x(qy) > 0.
        let west = bit(minX > qx + margin) | pointSide.left
        let notWest = bit(maxX < qx - margin) | pointSide.right
        let notBeyond = bit(maxX < -margin) | eastSide.right
        let beyond = bit(minX > margin) | eastSide.left
        let east = spans & west & notBeyond
        let eastUnsure = spansUnsure
            | spans & ((~(west | notWest) & ~beyond) | (~(notBeyond | beyond) & ~notWest)) & 1
        // South leg: crosses the east side above the corner (decided exactly when the record
        // was built) and below the point: y(0) < qy. From the west end, that is (0, qy) left of
        // the edge; a is the west end when the lower end is also the western one.
        let flagged = flags >> 28 & 1
        let lowerIsWest = flags >> 29 & 1
        let below = bit(by < qy - margin) | (eastSide.left & lowerIsWest) | (eastSide.right & ~lowerIsWest & 1)
        let above = bit(ay > qy + margin) | (eastSide.right & lowerIsWest) | (eastSide.left & ~lowerIsWest & 1)
        let south = flagged & below
        let southUnsure = flagged & ~(below | above) & 1
        return (east ^ south, eastUnsure | southUnsure)
    }

    /// 1 for true, 0 for false.
    @inline(__always)
    static func bit(_ condition: Bool) -> UInt32 {
        condition ? 1 : 0
    }

    /// The sign of the orientation of (l, u, q) when every coordinate may be off by `delta`, as
    /// two bits: `left` 1 when certainly positive, `right` 1 when certainly negative, both 0
    /// when too close to call.
    @inline(__always)
    static func orientationSigns(_ lx: Double, _ ly: Double, _ ux: Double, _ uy: Double, _ qx: Double, _ qy: Double,
                                 _ delta: Double) -> (left: UInt32, right: UInt32) {
        let d1x = lx - qx, d1y = ly - qy, d2x = ux - qx, d2y = uy - qy
        let det = d1x * d2y - d1y * d2x
        // Each difference is off by at most 2δ, so each product by 2δ times the other factor
        // (and 4δ²); the slack covers the rounding of the products and of the bound itself.
        let bound = 2.5 * delta * (abs(d1x) + abs(d1y) + abs(d2x) + abs(d2y)) + 32 * delta * delta
        return (bit(det > bound), bit(det < -bound))
    }

    /// The face of a parity part at `position` for (x, y); -1 for none. Only faces `filter`
    /// accepts answer.
    func parityFace(_ position: Int, _ x: Double, _ y: Double, _ right: Double, _ bottom: Double, _ layer: PlanarLayer,
                    _ filter: some FaceFilter) -> Int32 {
        let candidates = Int(records[position])
        let edgeCount = Int(records[position + 1])
        guard candidates <= 64 else {
            // Too many faces overlap here for a bitmask: test each against its whole boundary.
            for k in 0..<candidates {
                let face = Int32(bitPattern: records[position + 2 + k])
                if filter.accepts(face) && layer.contains(face: Int(face), x, y) { return face }
            }
            return -1
        }
        var parity = UInt64(records[position + 2]) | UInt64(records[position + 3]) << 32
        let firstCandidate = position + 4
        var edgeWord = firstCandidate + candidates
        for _ in 0..<edgeCount {
            let edge = Int(records[edgeWord])
            if layer.crosses(edge, x, y, right, bottom) {
                parity ^= UInt64(records[edgeWord + 1]) | UInt64(records[edgeWord + 2]) << 32
            }
            edgeWord += 3
        }
        while parity != 0 {
            let face = Int32(bitPattern: records[firstCandidate + parity.trailingZeroBitCount])
            if filter.accepts(face) { return face }
            parity &= parity - 1
        }
        return -1
    }

    /// The number of words of the parity part at `position`.
    func parityLength(_ position: Int) -> Int {
        let candidates = Int(records[position]), edgeCount = Int(records[position + 1])
        return candidates <= 64 ? 4 + candidates + 3 * edgeCount : 2 + candidates + edgeCount
    }

    /// How the cells answer: at once, by a record of XOR parts only, or with a parity part.
    var cellKinds: (immediate: Int, xor: Int, parity: Int, derived: Int) {
        var counts = (immediate: 0, xor: 0, parity: 0, derived: 0)
        for cell in 0..<cells.count {
            let entry = cells[cell]
            guard entry & LatticeEntry.recordFlag != 0 else {
                counts.immediate += 1
                continue
            }
            let header = RecordHeader(word: records[Int(entry & LatticeEntry.offsetMask)])
            if header.gridKind == RecordHeader.Kind.parity.rawValue || header.microKind == RecordHeader.Kind.parity.rawValue {
                counts.parity += 1
            } else {
                counts.xor += 1
            }
            if header.gridKind == RecordHeader.Kind.derivedOrNone.rawValue { counts.derived += 1 }
        }
        return counts
    }
}
