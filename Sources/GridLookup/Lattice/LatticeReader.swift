import CPrefetch

/// The lattice and the micro-grids' parents as a batch reads them: raw pointers and constants
/// in one value that the compiler keeps in registers through the loop. Read through the
/// classes, every access first loaded the class's field, and the loop's calls into the lookup
/// saved and restored most registers for each point.
///
/// Valid while the index it was made from is alive: make it inside the index's own methods.
struct LatticeReader {
    let cells: UnsafePointer<UInt32>
    let records: UnsafePointer<UInt32>
    let columnX: UnsafePointer<Double>
    let rowY: UnsafePointer<Double>
    let parents: UnsafePointer<Int32>
    let columns: Int
    let rows: Int
    let originX: Double
    let originY: Double
    /// Sub-cells per unit of x and of y: the lattice is uniform, so one product gives both the
    /// column and the sub-cell column.
    let subCellsPerX: Double
    let subCellsPerY: Double
    let subCellColumns: Int
    let subCellRows: Int
    let filterMargin: Double

    init(_ lattice: CellLattice, parents: FrozenArray<Int32>) {
        cells = lattice.cells.address(0)
        records = lattice.records.address(0)
        columnX = lattice.columnX.address(0)
        rowY = lattice.rowY.address(0)
        self.parents = parents.address(0)
        columns = lattice.columns
        rows = lattice.rows
        originX = lattice.originX
        originY = lattice.originY
        subCellsPerX = lattice.inverseCellWidth * Double(RecordHeader.subCells)
        subCellsPerY = lattice.inverseCellHeight * Double(RecordHeader.subCells)
        subCellColumns = lattice.columns * RecordHeader.subCells
        subCellRows = lattice.rows * RecordHeader.subCells
        filterMargin = lattice.filterMargin
    }

    /// Where a point lies in the lattice: its cell, the sub-cell of it (row-major from the
    /// south-west) and, once read, the cell's entry. `column` -1: outside the lattice (or not
    /// finite). 16 bytes, so that a ring of them is a few cache lines.
    struct Place {
        var column: Int32
        var row: Int32
        var subCell: Int32
        var entry: UInt32
    }

    /// The place of (x, y), without its entry.
    ///
    /// The cell is decided exactly by the stored boundaries, as `CellLattice.cell` decides it.
    /// The sub-cell comes from the same product, so it may be a rounding off where the point is
    /// within a hair of a sub-cell boundary: the sub-cell tables allow for that (a sub-cell is
    /// marked touched by every edge within the lattice's margin of it, a millionth of a cell).
    @inline(__always)
    func place(_ x: Double, _ y: Double) -> Place {
        let outside = Place(column: -1, row: -1, subCell: 0, entry: 0)
        let side = RecordHeader.subCells
        let fx = (x - originX) * subCellsPerX
        let fy = (y - originY) * subCellsPerY
        // Also false for NaN; the bounds keep the conversions below in range.
        guard fx >= Double(-side), fx < Double(subCellColumns + side), fy >= Double(-side),
              fy < Double(subCellRows + side) else { return outside }
        let gx = min(max(Self.floor(fx), 0), subCellColumns &- 1)
        let gy = min(max(Self.floor(fy), 0), subCellRows &- 1)
        var column = gx &>> 3, sx = gx & 7
        if x < columnX[column] {
            column &-= 1
            sx = side &- 1
            if column < 0 { return outside }
        } else if x >= columnX[column &+ 1] {
            column &+= 1
            sx = 0
            if column >= columns { return outside }
        }
        var row = gy &>> 3, sy = gy & 7
        if y < rowY[row] {
            row &-= 1
            sy = side &- 1
            if row < 0 { return outside }
        } else if y >= rowY[row &+ 1] {
            row &+= 1
            sy = 0
            if row >= rows { return outside }
        }
        return Place(column: Int32(truncatingIfNeeded: column), row: Int32(truncatingIfNeeded: row),
                     subCell: Int32(truncatingIfNeeded: sy &* side &+ sx), entry: 0)
    }

    /// ⌊v⌋ for |v| < 2⁵⁰, or one less when v is an integer, without the checks of `Int(_:)`:
    /// adding 1.5 · 2⁵² rounds v - 0.5 to an integer, which the low bits then hold. (One less
    /// puts a point on a sub-cell boundary in the sub-cell beside it, which holds it as well.)
    @inline(__always)
    static func floor(_ v: Double) -> Int {
        let magic: Double = 0x1.8p52
        return Int(truncatingIfNeeded: Int64(bitPattern: ((v - 0.5) + magic).bitPattern &- magic.bitPattern))
    }

    @inline(__always)
    func entry(_ place: Place) -> UInt32 {
        cells[Int(place.row) &* columns &+ Int(place.column)]
    }

    @inline(__always)
    func prefetchEntry(_ place: Place) {
        gridweave_prefetch(cells + (Int(place.row) &* columns &+ Int(place.column)))
    }

    /// Starts loading the first two cache lines of the record of `entry` (its header, sub-cell
    /// table and codes, and the first edges).
    @inline(__always)
    func prefetchRecord(_ entry: UInt32) {
        // Without a branch on the entry, whose kind the processor cannot guess: an entry
        // without a record prefetches offset 0, which is harmless.
        let offset = Int(entry & LatticeEntry.offsetMask) & (0 &- Int(entry >> 31))
        let first = UnsafeRawPointer(records + offset)
        gridweave_prefetch(first)
        gridweave_prefetch(first + 64)
    }

    /// What the common cases say about a point at `place` (its entry read): the micro-grid
    /// when the entry or the record's sub-cell table answers, `needsEdgeTests` when the point
    /// is in a common record's sub-cell that edges touch, `needsGeneralPath` for everything
    /// else (other records, grids without micro-grids, no face).
    @inline(__always)
    func quickMicroGrid(_ place: Place) -> Int32 {
        let entry = place.entry
        if entry & LatticeEntry.recordFlag == 0 {
            // A micro-grid's code (kind 00, not 0) answers; a grid's or none goes the general way.
            return entry &- 1 < LatticeEntry.codeMask ? Int32(bitPattern: entry) &- 1 : Self.needsGeneralPath
        }
        let offset = Int(entry & LatticeEntry.offsetMask)
        guard records[offset] & RecordHeader.commonMask == RecordHeader.common else { return Self.needsGeneralPath }
        let subCell = Int(place.subCell)
        let table = offset &+ 1
        let code = Int(truncatingIfNeeded: records[table &+ subCell &>> 4] &>> UInt32(truncatingIfNeeded: 2 &* (subCell & 15)) & 3)
        guard code != 3 else { return Self.needsEdgeTests }
        let micro = Int32(bitPattern: records[table &+ RecordHeader.subCellTableWords &+ code]) &- 1
        return micro >= 0 ? micro : Self.needsGeneralPath
    }

    /// The micro-grid of a point at `place` that `quickMicroGrid` sent to the edge tests, by
    /// the record's Float32 tests: `needsGeneralPath` when one is too close to call (or the
    /// point is in no micro-grid).
    @inline(never)
    func edgeTestedMicroGrid(_ x: Double, _ y: Double, _ place: Place) -> Int32 {
        let offset = Int(place.entry & LatticeEntry.offsetMask)
        let edges = RecordHeader(word: records[offset]).microEdges
        let test = CellLattice.approximateXORCode(records + (offset &+ 1 &+ RecordHeader.subCellWords), edges,
                                                  x - columnX[Int(place.column) &+ 1], y - rowY[Int(place.row)], filterMargin)
        return test.unsure == 0 && test.code != 0 ? Int32(bitPattern: test.code) &- 1 : Self.needsGeneralPath
    }

    static let needsEdgeTests: Int32 = -2
    static let needsGeneralPath: Int32 = -3
}
