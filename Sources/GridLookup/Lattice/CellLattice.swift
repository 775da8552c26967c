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
    /// The margin of the Float32 edge tests: 2.5 times the most any number they compare can be
    /// off (see `crossesApproximately`).
    let filterMargin: Double

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
        // A point's offset from its cell's corner is off by at most a cell's 2⁻²² (its rounding),
        // a stored number (within 1.125 cells of the corner) by that and its Float32 rounding.
        filterMargin = 2.5 * (2 * lattice.cellSize * 0x1p-22)
    }

    /// The lattice as a stored index gives it back, field for field (`StoredIndex`).
    init(columns: Int, rows: Int, originX: Double, originY: Double, inverseCellWidth: Double, inverseCellHeight: Double,
         columnX: FrozenArray<Double>, rowY: FrozenArray<Double>, cells: FrozenArray<UInt32>, records: FrozenArray<UInt32>,
         filterMargin: Double) {
        self.columns = columns
        self.rows = rows
        self.originX = originX
        self.originY = originY
        self.inverseCellWidth = inverseCellWidth
        self.inverseCellHeight = inverseCellHeight
        self.columnX = columnX
        self.rowY = rowY
        self.cells = cells
        self.records = records
        self.filterMargin = filterMargin
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
/// - XOR: `[corner code]` then per edge seven words (`EdgeWord`): five Float32 numbers for the
///   approximate tests, the XOR of the edge's face codes, and the edge's index in its layer;
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

/// How an edge of an XOR part reads: seven words. The numbers are Float32, relative to the
/// cell's bottom-right corner, of the edge clipped to the cell grown by an eighth of a cell
/// (`RecordBuilder.edgeWords`).
enum EdgeWord {
    static let count = 7
    /// The lower end's y, the upper end's y, the lower end's x.
    static let lowerY = 0, upperY = 1, lowerX = 2
    /// dx/dy along the edge (0 for a horizontal edge).
    static let inverseSlope = 3
    /// The height at which the edge crosses the cell's east side above the nudged corner; +∞
    /// when it does not, or only above the cell.
    static let eastSideY = 4
    /// The XOR of the codes of the faces on either side.
    static let faces = 5
    /// The edge's index in its layer, for the exact tests.
    static let index = 6
    static let largestIndex = Int(UInt32.max)
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
        let test = Self.approximateXORCode(records.address(position), count, x - right, y - bottom, filterMargin)
        if test.unsure != 0 { return exactXORFace(position, count, x, y, right, bottom, layer) }
        return Int32(bitPattern: test.code) &- 1
    }

    /// The code of an XOR part starting at `part` with `count` edges, for the point at (qx, qy)
    /// from the cell's bottom-right corner, by the Float32 tests; valid when `unsure` is 0.
    @inline(__always)
    static func approximateXORCode(_ part: UnsafePointer<UInt32>, _ count: Int, _ qx: Double, _ qy: Double,
                                   _ margin: Double) -> (code: UInt32, unsure: UInt32) {
        var code = part[0]
        var unsure: UInt32 = 0
        var edge = part + 1
        for _ in 0..<count {
            // Two vector loads: the faces' word arrives with the east side's height, so the
            // compiler cannot turn the masked XOR below into a branch around a load of its own
            // (it did, and the branch, as good as random, was mispredicted half the time).
            let numbers = UnsafeRawPointer(edge).loadUnaligned(as: SIMD4<Float>.self)
            let tail = UnsafeRawPointer(edge + EdgeWord.eastSideY).loadUnaligned(as: SIMD2<UInt32>.self)
            let test = crossesApproximately(Double(numbers[EdgeWord.lowerY]), Double(numbers[EdgeWord.upperY]),
                                            Double(numbers[EdgeWord.lowerX]), Double(numbers[EdgeWord.inverseSlope]),
                                            Double(Float(bitPattern: tail[0])), qx, qy, margin)
            code ^= tail[EdgeWord.faces - EdgeWord.eastSideY] & (0 &- test.crossing)
            unsure |= test.unsure
            edge += EdgeWord.count
        }
        return (code, unsure)
    }

    /// The same, every edge tested exactly on its double coordinates.
    @inline(never)
    func exactXORFace(_ position: Int, _ count: Int, _ x: Double, _ y: Double, _ right: Double, _ bottom: Double,
                      _ layer: PlanarLayer) -> Int32 {
        var code = records[position]
        var word = position + 1
        for _ in 0..<count {
            let edge = Int(records[word + EdgeWord.index])
            if layer.crosses(edge, x, y, right, bottom) { code ^= records[word + EdgeWord.faces] }
            word += EdgeWord.count
        }
        return Int32(bitPattern: code) &- 1
    }

    /// Whether an edge crosses the path from the nudged point q to the nudged corner (the
    /// origin): `PlanarLayer.crosses` on the numbers of `EdgeWord`, each of which, like q, is
    /// within half of `margin` of its true value.
    ///
    /// - East leg: the edge spans the point's height (lowerY < qy < upperY) and its x there,
    ///   lowerX + (qy - lowerY) · inverseSlope, lies in (qx, 0]. That x is off by at most
    ///   1.25 · margin · (1 + |inverseSlope|): the numbers' errors, the height's times the slope.
    /// - South leg: the edge crosses the east side below the point: eastSideY < qy.
    ///
    /// - Returns: `crossing` 1 when it crosses and 0 when not, valid when `unsure` is 0; `unsure`
    ///   1 when a test is too close to call (not finite numbers included).
    @inline(__always)
    static func crossesApproximately(_ lowerY: Double, _ upperY: Double, _ lowerX: Double, _ inverseSlope: Double,
                                     _ eastSideY: Double, _ qx: Double, _ qy: Double, _ margin: Double)
        -> (crossing: UInt32, unsure: UInt32) {
        let below = lowerY - qy, above = upperY - qy
        let spans = bit(below < -margin) & bit(above > margin)
        let outsideRow = bit(below > margin) | bit(above < -margin)
        let xAtRow = lowerX + (qy - lowerY) * inverseSlope
        let slack = 1.25 * margin * (1 + abs(inverseSlope))
        // x(qy) > qx (the point is west of the edge) and x(qy) <= 0 (not beyond the east side).
        let within = bit(xAtRow > qx + slack) & bit(xAtRow < -slack)
        let outsideLeg = bit(xAtRow < qx - slack) | bit(xAtRow > slack)
        let east = spans & within
        let eastUnsure = ~(east | outsideRow | outsideLeg) & 1
        let south = bit(eastSideY < qy - margin)
        let southUnsure = ~(south | bit(eastSideY > qy + margin)) & 1
        return (east ^ south, eastUnsure | southUnsure)
    }

    /// 1 for true, 0 for false.
    @inline(__always)
    static func bit(_ condition: Bool) -> UInt32 {
        condition ? 1 : 0
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
