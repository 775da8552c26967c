import Foundation
import GeometryEngine

/// An exact point-in-grid index over a partition's grids and micro-grids: which grid, micro-grid
/// and community a point falls in, millions of times a second on each core.
///
/// Build it once from a grids GeoPackage (`init(contentsOf:)`) or from grids in memory; it is
/// immutable and `Sendable`, so one index answers every thread of a server or a batch.
///
/// ## Which grid a point belongs to
///
/// - A point strictly inside a grid belongs to that grid.
/// - A point on a boundary that several grids share belongs to exactly one of them: the grid
///   that contains the point moved an infinitesimal step east and then an even smaller step
///   north, p + (ε, ε²). So a point on a north-south or slanted edge belongs to the grid east of
///   the edge, a point on an east-west edge to the grid north of it, and a shared vertex to the
///   grid that holds the direction just north of east from it. This is the crossing-number test
///   with half-open comparisons (an edge counts when `min(y) <= y < max(y)` and the point lies
///   strictly west of it), evaluated with exact arithmetic, so the rule holds to the last bit of
///   the coordinates and every point of a coverage gets one answer.
/// - A point on the outer boundary of the coverage, where that nudged point is in no grid,
///   belongs to the grid (the first in file order if several) whose boundary passes through it.
/// - A point outside every grid but within the tolerance of one is `near` the nearest grid (ties
///   to the first in file order), with its distance in metres; farther away it is `outside`.
/// - Grids that overlap (a file that is not a coverage) answer in file order: the first grid
///   holding the nudged point.
///
/// The micro-grid is always one of the answered grid's micro-grids: the one holding the point
/// by the same rule; failing that (micro-grids that do not tile their grid exactly, a point on
/// the coverage's boundary or near it) the first with the point on its boundary, else the
/// nearest. The community is the grid's `communityCode`.
///
/// Coordinates are in the file's CRS (`epsg`); `LonLatConverter` brings WGS 84, GCJ-02 and BD-09
/// longitude/latitude there. Distances are metres on the ground: for a geographic CRS from the
/// WGS 84 ellipsoid's radii at the point's latitude, for a projected one from the projection's
/// scale factor around the point (measured through PROJ); within 0.01% at city scale.
public final class GridIndex: Sendable {
    /// What a lookup answers about a grid.
    public struct Grid: Hashable, Sendable {
        /// The 15-digit grid code.
        public var code: String
        /// The 12-digit code of the grid's community.
        public var communityCode: String
        /// `residential`, `dedicated` or `rural` (empty when the file does not say).
        public var kind: String

        public init(code: String, communityCode: String, kind: String = "") {
            self.code = code
            self.communityCode = communityCode
            self.kind = kind
        }
    }

    /// What a lookup answers about a micro-grid.
    public struct MicroGrid: Hashable, Sendable {
        /// The 17-digit micro-grid code.
        public var code: String
        /// The code of its grid, as the file gives it.
        public var gridCode: String

        public init(code: String, gridCode: String) {
            self.code = code
            self.gridCode = gridCode
        }
    }

    /// The grids, in file order: `PointLocation.grid` is a position in this array.
    public let grids: [Grid]
    /// The micro-grids, in file order: `PointLocation.microGrid` is a position in this array.
    public let microGrids: [MicroGrid]
    /// The EPSG code of the coordinates, nil when the file has none (taken to be metres).
    public let epsg: Int?

    let gridLayer: PlanarLayer
    let microGridLayer: PlanarLayer
    let lattice: CellLattice
    /// The grid of each micro-grid (-1 when its grid is unknown: never answered).
    let microGridParent: FrozenArray<Int32>
    /// The micro-grids of each grid: `gridChildren[gridChildStart[g]..<gridChildStart[g + 1]]`, ascending.
    let gridChildStart: FrozenArray<UInt32>
    let gridChildren: FrozenArray<Int32>
    let scale: MetricScale
    /// The memory of a stored index that the arrays above borrow from; nil for a built index.
    let block: StoredIndex.Block?
    /// Whether the index was read from the file or built, and how long that took.
    public let provenance: Provenance

    /// Lattice cells per unique edge of the micro-grids (or of the grids, without
    /// micro-grids) when the caller does not choose: the balance of memory and speed measured
    /// in docs/performance.md.
    public static let defaultCellsPerEdge = 1.5

    /// Builds the index.
    ///
    /// - Parameters:
    ///   - gridGeometries: one per grid, in the same order: a Polygon or MultiPolygon (other
    ///     polygonal geometries are read for their polygons; an empty one is never answered).
    ///   - microGrids: each names its grid by `gridCode`; one whose grid is not among `grids`
    ///     is never answered.
    ///   - epsg: the CRS of the coordinates, for metric distances; nil for metres.
    ///   - cellsPerEdge: lattice cells per unique edge: more is faster and bigger
    ///     (`defaultCellsPerEdge` when nil).
    ///   - concurrently: whether the build uses two threads (the default) or the caller's alone,
    ///     as a server does while it answers requests on the other cores.
    /// - Throws: `ProjectionError` when `epsg` is not a CRS PROJ can bring to WGS 84.
    public convenience init(grids: [Grid], gridGeometries: [Geometry], microGrids: [MicroGrid] = [],
                            microGridGeometries: [Geometry] = [], epsg: Int?, cellsPerEdge: Double? = nil,
                            concurrently: Bool = true) throws {
        try self.init(grids: grids, gridGeometries: gridGeometries, microGrids: microGrids,
                      microGridGeometries: microGridGeometries, epsg: epsg,
                      lattice: .automatic(cellsPerEdge: cellsPerEdge ?? Self.defaultCellsPerEdge), concurrently: concurrently)
    }

    /// How the lattice is chosen: sized from the edges, or given (tests put edges on cell boundaries).
    enum LatticeChoice {
        case automatic(cellsPerEdge: Double)
        case fixed(origin: XY, cellSize: Double, columns: Int, rows: Int)
    }

    init(grids: [Grid], gridGeometries: [Geometry], microGrids: [MicroGrid], microGridGeometries: [Geometry],
         epsg: Int?, lattice choice: LatticeChoice, concurrently: Bool = true,
         loadStarted: Double? = nil, reason: String? = nil) throws {
        let buildStarted = monotonicSeconds()
        precondition(grids.count == gridGeometries.count, "one geometry per grid")
        precondition(microGrids.count == microGridGeometries.count, "one geometry per micro-grid")
        // The two layers are independent until the lattice: build them on two cores.
        let topologies = concurrentMap([gridGeometries.map(\.polygons), microGridGeometries.map(\.polygons)], concurrently: concurrently) {
            Topology(faces: $0)
        }
        let gridTopology = topologies[0], microTopology = topologies[1]

        var gridByCode: [String: Int32] = [:]
        for (index, grid) in grids.enumerated() where gridByCode[grid.code] == nil {
            gridByCode[grid.code] = Int32(index)
        }
        let parents = microGrids.map { gridByCode[$0.gridCode] ?? -1 }
        var childCount = [UInt32](repeating: 0, count: grids.count + 1)
        for parent in parents where parent >= 0 { childCount[Int(parent) + 1] += 1 }
        for g in 0..<grids.count { childCount[g + 1] += childCount[g] }
        var children = [Int32](repeating: 0, count: Int(childCount[grids.count]))
        var fill = childCount
        for (micro, parent) in parents.enumerated() where parent >= 0 {
            children[Int(fill[Int(parent)])] = Int32(micro)
            fill[Int(parent)] += 1
        }

        let bounds = [gridTopology.bounds, microTopology.bounds].compactMap { $0 }.reduce(Envelope?.none) { $0?.union($1) ?? $1 }
        let hasMicroGrids = microTopology.edgeCount > 0
        let primary = hasMicroGrids ? microTopology : gridTopology
        let latticeShape: Lattice
        switch choice {
        case .automatic(let cellsPerEdge):
            latticeShape = Lattice(bounds: bounds, edgeCount: primary.edgeCount, cellsPerEdge: cellsPerEdge)
        case .fixed(let origin, let cellSize, let columns, let rows):
            latticeShape = Lattice(origin: origin, cellSize: cellSize, columns: columns, rows: rows)
        }
        let layers = concurrentMap(hasMicroGrids ? [gridTopology, microTopology] : [gridTopology], concurrently: concurrently) {
            CellLattice.LayerCells($0, on: latticeShape)
        }
        lattice = CellLattice.build(latticeShape, grids: layers[0], microGrids: hasMicroGrids ? layers[1] : nil,
                                    parents: parents, concurrently: concurrently)
        // Coarse cells, about two edges each, for searching around a point.
        let coarseGrids = concurrentMap([gridTopology, microTopology], concurrently: concurrently) { topology in
            topology.edgeGrid(Lattice(bounds: bounds, edgeCount: topology.edgeCount, cellsPerEdge: 0.5))
        }
        gridLayer = PlanarLayer(gridTopology, coarse: coarseGrids[0])
        microGridLayer = PlanarLayer(microTopology, coarse: coarseGrids[1])
        microGridParent = FrozenArray(parents)
        gridChildStart = FrozenArray(childCount)
        gridChildren = FrozenArray(children)
        scale = try MetricScale(epsg: epsg, bounds: gridTopology.bounds)
        self.grids = grids
        self.microGrids = microGrids
        self.epsg = epsg
        block = nil
        let now = monotonicSeconds()
        provenance = Provenance(source: .built, reason: reason, seconds: now - (loadStarted ?? buildStarted),
                                buildSeconds: now - buildStarted)
    }

    /// The index as a stored index gives it back (`StoredIndex.decode`): its arrays borrow from `block`.
    init(grids: [Grid], microGrids: [MicroGrid], epsg: Int?, gridLayer: PlanarLayer, microGridLayer: PlanarLayer,
         lattice: CellLattice, microGridParent: FrozenArray<Int32>, gridChildStart: FrozenArray<UInt32>,
         gridChildren: FrozenArray<Int32>, scale: MetricScale, block: StoredIndex.Block, provenance: Provenance) {
        self.grids = grids
        self.microGrids = microGrids
        self.epsg = epsg
        self.gridLayer = gridLayer
        self.microGridLayer = microGridLayer
        self.lattice = lattice
        self.microGridParent = microGridParent
        self.gridChildStart = gridChildStart
        self.gridChildren = gridChildren
        self.scale = scale
        self.block = block
        self.provenance = provenance
    }

    /// Where an index came from: the grids file's stored index, or a build.
    public struct Provenance: Hashable, Sendable, CustomStringConvertible {
        public enum Source: String, Hashable, Sendable {
            /// Read from the table `gridweave_lookup_index` of the grids file (`GridIndex.storedIndexTable`).
            case stored
            /// Built from the grids' geometries.
            case built
        }

        public var source: Source
        /// Why the stored index was not used, when the index was built from a file: none stored,
        /// stored for other grids (the file was edited), another format version, damaged.
        public var reason: String?
        /// Seconds from the start of the load to a ready index: reading the file, checking the
        /// stored index's fingerprint and reading it, or building.
        public var seconds: Double
        /// Of which building (0 for a stored index).
        public var buildSeconds: Double

        public init(source: Source, reason: String? = nil, seconds: Double, buildSeconds: Double = 0) {
            self.source = source
            self.reason = reason
            self.seconds = seconds
            self.buildSeconds = buildSeconds
        }

        public var description: String {
            let time = String(format: "%.3f s", seconds)
            switch source {
            case .stored: return "stored index read in \(time)"
            case .built: return "index built in \(time)" + (reason.map { " (\($0))" } ?? "")
            }
        }
    }

    deinit {
        microGridParent.deallocate()
        gridChildStart.deallocate()
        gridChildren.deallocate()
    }

    /// Bytes the index holds for lookups (lattice, edges, vertices; not the code strings).
    public var byteCount: Int {
        lattice.byteCount + gridLayer.byteCount + microGridLayer.byteCount + microGridParent.byteCount
            + gridChildStart.byteCount + gridChildren.byteCount
    }

    /// What the index holds.
    public struct Statistics: Hashable, Sendable, CustomStringConvertible {
        /// Unique vertices and unique edges of the grids and of the micro-grids (an edge two
        /// polygons share counts once).
        public var gridVertices: Int
        public var gridEdges: Int
        public var microGridVertices: Int
        public var microGridEdges: Int
        /// Lattice cells, and how they answer: at once (no edge touches them), from a record
        /// of XOR parts, or from a record with a parity part; and how many records give the
        /// grid as the micro-grid's parent.
        public var cells: Int
        public var immediateCells: Int
        public var xorCells: Int
        public var parityCells: Int
        public var derivedCells: Int
        /// Bytes of the lattice (entries and records), and of the whole index.
        public var latticeBytes: Int
        public var byteCount: Int

        public var description: String {
            "grids \(gridVertices) vertices, \(gridEdges) edges; micro-grids \(microGridVertices) vertices, "
                + "\(microGridEdges) edges; \(cells) cells (\(immediateCells) immediate, \(xorCells) XOR, "
                + "\(parityCells) parity, \(derivedCells) derived); lattice \(latticeBytes) bytes, index \(byteCount) bytes"
        }
    }

    /// What the index holds.
    public var statistics: Statistics {
        let kinds = lattice.cellKinds
        return Statistics(
            gridVertices: gridLayer.vertices.count / 2, gridEdges: gridLayer.edgeCount,
            microGridVertices: microGridLayer.vertices.count / 2, microGridEdges: microGridLayer.edgeCount,
            cells: lattice.cells.count, immediateCells: kinds.immediate, xorCells: kinds.xor, parityCells: kinds.parity,
            derivedCells: kinds.derived, latticeBytes: lattice.byteCount, byteCount: byteCount)
    }

    /// The default tolerance for `near`, in metres.
    public static let defaultTolerance = 50.0

    // MARK: - Locating

    /// Where `point` (in the file's CRS) falls: see the type's documentation for the rule.
    ///
    /// - Parameter tolerance: metres within which a point outside every grid is `near` the
    ///   nearest one. A point with a coordinate that is not finite is `outside`.
    @inline(__always)
    public func locate(_ point: XY, tolerance: Double = GridIndex.defaultTolerance) -> PointLocation {
        let x = point.x, y = point.y
        let (grid, micro) = faces(x, y)
        if grid >= 0 {
            return PointLocation(.inside, grid: grid, microGrid: micro, metres: 0)
        }
        return locateOutsideTheRule(x, y, tolerance: tolerance)
    }

    /// Locates every point of `points` into `results` (same count). Splits a large batch across
    /// the processor's cores.
    public func locate(_ points: UnsafeBufferPointer<XY>, into results: UnsafeMutableBufferPointer<PointLocation>,
                       tolerance: Double = GridIndex.defaultTolerance, concurrently: Bool = true) {
        precondition(results.count >= points.count, "one result per point")
        let count = points.count
        let workers = concurrently ? ProcessInfo.processInfo.activeProcessorCount : 1
        guard workers > 1, count >= 16_384, let pointBase = points.baseAddress, let resultBase = results.baseAddress else {
            locateSerially(points, into: results, tolerance: tolerance)
            return
        }
        // Chunks of at least 8k points, a few per core so that a slow chunk (points near edges)
        // does not leave a core idle.
        let chunks = min(workers * 4, max(1, count / 8_192))
        let source = SendablePointer(pointBase), target = SendablePointer(resultBase)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = count * chunk / chunks, end = count * (chunk + 1) / chunks
            locateSerially(UnsafeBufferPointer(start: source.pointer + start, count: end - start),
                           into: UnsafeMutableBufferPointer(start: target.pointer + start, count: end - start),
                           tolerance: tolerance)
        }
    }

    /// Locates every point of `points`: the same answers as `locate(_:tolerance:)` one by one.
    public func locate(_ points: [XY], tolerance: Double = GridIndex.defaultTolerance,
                       concurrently: Bool = true) -> [PointLocation] {
        [PointLocation](unsafeUninitializedCapacity: points.count) { results, initialized in
            points.withUnsafeBufferPointer { locate($0, into: results, tolerance: tolerance, concurrently: concurrently) }
            initialized = points.count
        }
    }

    /// How far ahead of the point being answered the batch loop reaches: the cell entry of the
    /// point `lookahead` places on is prefetched, and the record of the point half as far on
    /// (its entry has arrived by then). Random points miss the cache on both; about a hundred
    /// nanoseconds each, so the distance covers a few answers' worth of work.
    private static let lookahead = 16

    /// Locates `points` one after the other, software-pipelined: while point i is answered, the
    /// entry of point i + lookahead and the record of point i + lookahead / 2 are on their way.
    ///
    /// The common cases (an entry or a sub-cell table that names the micro-grid) are answered
    /// in the loop itself through a `LatticeReader`; edge tests and every other case are calls.
    private func locateSerially(_ points: UnsafeBufferPointer<XY>, into results: UnsafeMutableBufferPointer<PointLocation>,
                                tolerance: Double) {
        guard let target = results.baseAddress else { return }
        let count = points.count
        let ahead = Self.lookahead, half = Self.lookahead / 2
        let reader = LatticeReader(lattice, parents: microGridParent)
        // A ring of the places of the points in flight.
        let ring = 2 * ahead, mask = ring - 1
        withExtendedLifetime(self) {
            withUnsafeTemporaryAllocation(of: LatticeReader.Place.self, capacity: ring) { places in
                /// Stage 1: the point's place, and a prefetch of its cell's entry.
                @inline(__always) func findPlace(_ i: Int) {
                    let p = points[i]
                    let place = reader.place(p.x, p.y)
                    places[i & mask] = place
                    if place.column >= 0 { reader.prefetchEntry(place) }
                }
                /// Stage 2: the entry, and a prefetch of the record it points to.
                @inline(__always) func readEntry(_ i: Int) {
                    let slot = i & mask
                    guard places[slot].column >= 0 else { return }
                    let entry = reader.entry(places[slot])
                    places[slot].entry = entry
                    reader.prefetchRecord(entry)
                }
                for i in 0..<min(ahead, count) { findPlace(i) }
                for i in 0..<min(half, count) { readEntry(i) }
                for i in 0..<count {
                    if i &+ ahead < count { findPlace(i &+ ahead) }
                    if i &+ half < count { readEntry(i &+ half) }
                    let p = points[i], place = places[i & mask]
                    var micro = LatticeReader.needsGeneralPath
                    if place.column >= 0 {
                        micro = reader.quickMicroGrid(place)
                        if micro == LatticeReader.needsEdgeTests { micro = reader.edgeTestedMicroGrid(p.x, p.y, place) }
                    }
                    let grid = micro >= 0 ? reader.parents[Int(micro)] : -1
                    if grid >= 0 {
                        (target + i).initialize(to: PointLocation(.inside, grid: grid, microGrid: micro, metres: 0))
                    } else {
                        (target + i).initialize(to: generalLocation(p.x, p.y, place, tolerance: tolerance))
                    }
                }
            }
        }
    }

    /// The answer for a point that the common cases do not settle: `locate(_:tolerance:)`'s,
    /// from the place already found.
    @inline(never)
    private func generalLocation(_ x: Double, _ y: Double, _ place: LatticeReader.Place, tolerance: Double) -> PointLocation {
        if place.column >= 0 {
            let (grid, micro) = faces(x, y, Int(place.column), Int(place.row), place.entry)
            if grid >= 0 { return PointLocation(.inside, grid: grid, microGrid: micro, metres: 0) }
        }
        return locateOutsideTheRule(x, y, tolerance: tolerance)
    }

    /// The grid and micro-grid of (x, y) by the rule (the nudged point): grid -1 when it is in
    /// no grid. The micro-grid is one of the grid's (or -1 when the grid has none).
    @inline(__always)
    func faces(_ x: Double, _ y: Double) -> (grid: Int32, microGrid: Int32) {
        guard let (column, row) = lattice.cell(x, y) else { return (-1, -1) }
        return faces(x, y, column, row, lattice.cells[row &* lattice.columns &+ column])
    }

    /// The same, for the point in cell (column, row) whose entry is `entry`.
    @inline(__always)
    func faces(_ x: Double, _ y: Double, _ column: Int, _ row: Int, _ entry: UInt32) -> (grid: Int32, microGrid: Int32) {
        if entry & LatticeEntry.recordFlag != 0 {
            return facesInCommonRecord(Int(entry & LatticeEntry.offsetMask), x, y, column, row)
        }
        let code = entry & LatticeEntry.codeMask
        if entry >> 30 == LatticeEntry.microGrid {
            guard code != 0 else { return (-1, -1) }
            let micro = Int32(bitPattern: code) &- 1
            return (microGridParent[Int(micro)], micro)
        }
        let grid = Int32(bitPattern: code) &- 1
        return (grid, microGridFallback(x, y, in: grid))
    }

    /// `facesInRecord` for the record nearly every cell of a partition has (a derived grid, XOR
    /// micro-grids, a sub-cell table), with nothing else on its path; any other record there.
    @inline(__always)
    private func facesInCommonRecord(_ offset: Int, _ x: Double, _ y: Double, _ column: Int, _ row: Int)
        -> (grid: Int32, microGrid: Int32) {
        let header = lattice.records[offset]
        guard header & RecordHeader.commonMask == RecordHeader.common else { return facesInRecord(offset, x, y, column, row) }
        let table = offset &+ 1
        let subCell = lattice.subCell(x, y, column, row)
        let entry = Int(truncatingIfNeeded: lattice.records[table &+ subCell &>> 4] &>> UInt32(truncatingIfNeeded: 2 &* (subCell & 15)) & 3)
        let micro: Int32
        if entry != 3 {
            // No edge touches the sub-cell: its micro-grid is one of the record's three.
            micro = Int32(bitPattern: lattice.records[table &+ RecordHeader.subCellTableWords &+ entry]) &- 1
        } else {
            let right = lattice.columnX[column &+ 1], bottom = lattice.rowY[row]
            micro = lattice.xorFace(table &+ RecordHeader.subCellWords, RecordHeader(word: header).microEdges, x, y, right, bottom,
                                    microGridLayer)
        }
        guard micro >= 0 else { return (-1, -1) }
        // Derived: the grid is the micro-grid's parent.
        let grid = microGridParent[Int(micro)]
        return grid >= 0 ? (grid, micro) : (-1, -1)
    }

    @inline(never)
    private func facesInRecord(_ offset: Int, _ x: Double, _ y: Double, _ column: Int, _ row: Int) -> (grid: Int32, microGrid: Int32) {
        let header = RecordHeader(word: lattice.records[offset])
        let right = lattice.columnX[column + 1], bottom = lattice.rowY[row]
        var position = offset + 1
        var grid: Int32 = -1
        switch header.gridKind {
        case RecordHeader.Kind.immediate.rawValue:
            grid = Int32(bitPattern: lattice.records[position]) &- 1
            position += 1
        case RecordHeader.Kind.xor.rawValue:
            grid = lattice.xorFace(position, header.gridEdges, x, y, right, bottom, gridLayer)
            position += 1 + EdgeWord.count * header.gridEdges
        case RecordHeader.Kind.parity.rawValue:
            grid = lattice.parityFace(position, x, y, right, bottom, gridLayer, AnyFace())
            position += lattice.parityLength(position)
        default:
            break
        }
        var micro: Int32 = -1
        if header.hasSubCells {
            // Derived grid: the sub-cell may answer without testing an edge.
            let subCell = lattice.subCell(x, y, column, row)
            let entry = Int((lattice.records[position + subCell >> 4] >> UInt32(2 * (subCell & 15))) & 3)
            if entry != 3 {
                micro = Int32(bitPattern: lattice.records[position + RecordHeader.subCellTableWords + entry]) &- 1
                guard micro >= 0 else { return (-1, -1) }
                let grid = microGridParent[Int(micro)]
                return grid >= 0 ? (grid, micro) : (-1, -1)
            }
            position += RecordHeader.subCellWords
        }
        switch header.microKind {
        case RecordHeader.Kind.immediate.rawValue:
            micro = Int32(bitPattern: lattice.records[position]) &- 1
        case RecordHeader.Kind.xor.rawValue:
            micro = lattice.xorFace(position, header.microEdges, x, y, right, bottom, microGridLayer)
        case RecordHeader.Kind.parity.rawValue:
            guard grid >= 0 else { return (-1, -1) }
            micro = lattice.parityFace(position, x, y, right, bottom, microGridLayer,
                                       ChildOf(parents: microGridParent, parent: grid))
        default:
            break
        }
        if header.gridKind == RecordHeader.Kind.derivedOrNone.rawValue {
            grid = micro >= 0 ? microGridParent[Int(micro)] : -1
        }
        guard grid >= 0 else { return (-1, -1) }
        if micro < 0 || microGridParent[Int(micro)] != grid {
            micro = microGridFallback(x, y, in: grid)
        }
        return (grid, micro)
    }

    /// Among `grid`'s micro-grids: the one holding the point by the rule, else the first with
    /// the point on its boundary, else the nearest; -1 when the grid has none.
    @inline(never)
    func microGridFallback(_ x: Double, _ y: Double, in grid: Int32) -> Int32 {
        let first = Int(gridChildStart[Int(grid)]), end = Int(gridChildStart[Int(grid) + 1])
        guard first < end else { return -1 }
        let children = (first..<end).lazy.map { self.gridChildren[$0] }
        return microGridLayer.bestFace(among: children, x, y, scale: scale.at(x, y))?.face ?? -1
    }

    /// The point is in no grid by the rule: on the coverage's outer boundary, near, or outside.
    @inline(never)
    func locateOutsideTheRule(_ x: Double, _ y: Double, tolerance: Double) -> PointLocation {
        guard x.isFinite, y.isFinite else { return .outside }
        let touched = gridLayer.lowestFace(withBoundaryThrough: x, y)
        if touched >= 0 {
            return PointLocation(.inside, grid: touched, microGrid: microGridFallback(x, y, in: touched), metres: 0)
        }
        guard tolerance > 0 else { return .outside }
        let metresPerUnit = scale.at(x, y)
        // A little more than the tolerance, so that the scale's change across it never hides an edge.
        let reach = (x: tolerance / metresPerUnit.x * 1.05, y: tolerance / metresPerUnit.y * 1.05)
        guard let (grid, distance) = gridLayer.nearestFace(x, y, tolerance: tolerance, scale: metresPerUnit, reach: reach) else {
            return .outside
        }
        return PointLocation(.near, grid: grid, microGrid: microGridFallback(x, y, in: grid), metres: distance)
    }
}

/// A pointer handed to the workers of one `concurrentPerform`, each of which touches only its
/// own range of it.
struct SendablePointer<Pointee>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Pointee>

    init(_ pointer: UnsafeMutablePointer<Pointee>) {
        self.pointer = pointer
    }

    init(_ pointer: UnsafePointer<Pointee>) {
        self.pointer = UnsafeMutablePointer(mutating: pointer)
    }
}

/// `transform` applied to every element on as many threads as there are elements (for a few
/// large, independent jobs), or one after another on the caller's thread.
func concurrentMap<Element: Sendable, Result: Sendable>(_ elements: [Element], concurrently: Bool = true,
                                                        _ transform: @Sendable (Element) -> Result) -> [Result] {
    guard concurrently, elements.count > 1 else { return elements.map(transform) }
    let results = UnsafeMutableBufferPointer<Result?>.allocate(capacity: elements.count)
    results.initialize(repeating: nil)
    // Deinitialize before freeing: the results hold arrays, which would otherwise never be
    // released (about 25 MB per index build of a city; the server grew with every reload).
    defer {
        results.deinitialize()
        results.deallocate()
    }
    let target = SendablePointer(results.baseAddress!)
    DispatchQueue.concurrentPerform(iterations: elements.count) { index in
        target.pointer[index] = transform(elements[index])
    }
    return results.map { $0! }
}

/// Seconds on a monotonic clock, for durations.
func monotonicSeconds() -> Double {
    Double(DispatchTime.now().uptimeNanoseconds) / 1e9
}
