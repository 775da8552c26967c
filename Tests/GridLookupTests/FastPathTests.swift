import Foundation
import GeometryEngine
@testable import GridLookup
import Testing
import TestSupport

/// The fast paths of a lookup against the slow ones they stand in for: the Float32 edge tests
/// of a record against the exact tests on the edges' double coordinates, and the pipelined
/// batch against single lookups. Points on and a hair off every edge, where a wrong error
/// bound would show.
@Suite(.timeLimit(.minutes(10))) struct FastPathTests {
    static let coverage = Result {
        try Coverage.voronoi(gridCount: 60, microCount: 300, origin: XY(630_000, 3_440_000), side: 3_000, epsg: 4549, seed: 17)
    }

    /// An XOR part of a record: where it starts, how many edges it has, its layer.
    struct XORPart {
        var position: Int
        var edges: Int
        var layer: PlanarLayer
    }

    /// The XOR parts of the record of `cell` (grid part, then micro-grid part), read as
    /// `GridIndex.facesInRecord` reads them.
    static func xorParts(_ index: GridIndex, cell: Int) -> [XORPart] {
        let lattice = index.lattice
        let entry = lattice.cells[cell]
        guard entry & LatticeEntry.recordFlag != 0 else { return [] }
        let offset = Int(entry & LatticeEntry.offsetMask)
        let header = RecordHeader(word: lattice.records[offset])
        var parts: [XORPart] = []
        var position = offset + 1
        switch header.gridKind {
        case RecordHeader.Kind.immediate.rawValue: position += 1
        case RecordHeader.Kind.xor.rawValue:
            parts.append(XORPart(position: position, edges: header.gridEdges, layer: index.gridLayer))
            position += 1 + EdgeWord.count * header.gridEdges
        case RecordHeader.Kind.parity.rawValue: position += lattice.parityLength(position)
        default: break
        }
        if header.hasSubCells { position += RecordHeader.subCellWords }
        if header.microKind == RecordHeader.Kind.xor.rawValue {
            parts.append(XORPart(position: position, edges: header.microEdges, layer: index.microGridLayer))
        }
        return parts
    }

    /// Points in and around the cell: random ones, and for every edge of the part points on it
    /// (its ends among them), at its ends' heights, and off it by a few units in the last place
    /// up to a millimetre on either side.
    static func probes(_ index: GridIndex, _ part: XORPart, column: Int, row: Int, random: inout SplitMix64) -> [XY] {
        let lattice = index.lattice
        let left = lattice.columnX[column], right = lattice.columnX[column + 1]
        let bottom = lattice.rowY[row], top = lattice.rowY[row + 1]
        var points = (0..<8).map { _ in XY(random.uniform(left, right), random.uniform(bottom, top)) }
        points += [XY(left, bottom), XY(right, bottom), XY(left, top), XY(right.nextDown, top.nextDown)]
        for k in 0..<part.edges {
            let edge = Int(lattice.records[part.position + 1 + EdgeWord.count * k + EdgeWord.index])
            let a = Int(part.layer.edges[3 * edge]) * 2, b = Int(part.layer.edges[3 * edge + 1]) * 2
            let ax = part.layer.vertices[a], ay = part.layer.vertices[a + 1]
            let bx = part.layer.vertices[b], by = part.layer.vertices[b + 1]
            let length = hypot(bx - ax, by - ay)
            let (nx, ny) = (-(by - ay) / length, (bx - ax) / length)
            points += [XY(ax, ay), XY(bx, by), XY(left, ay), XY(right, by), XY(right.nextDown, ay)]
            for t in [0.0, 0.25, 0.5, 0.75, 1.0] + (0..<4).map({ _ in random.uniform(0, 1) }) {
                let on = XY(ax + t * (bx - ax), ay + t * (by - ay))
                points += [on, XY(on.x.nextUp, on.y), XY(on.x.nextDown, on.y), XY(on.x, on.y.nextUp), XY(on.x, on.y.nextDown)]
                for offset in [1e-9, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3] {
                    points += [XY(on.x + offset * nx, on.y + offset * ny), XY(on.x - offset * nx, on.y - offset * ny)]
                }
            }
        }
        // The part answers for its own cell only.
        return points.filter { $0.x >= left && $0.x < right && $0.y >= bottom && $0.y < top }
    }

    /// An irregular coverage in metres, and grids and micro-grids of squares in degrees (edges
    /// along cell boundaries and sub-cell boundaries, points exactly on them).
    static let coverages = ["voronoi", "squares", "fine squares"]

    static func coverage(_ name: String) throws -> Coverage {
        switch name {
        case "squares": Coverage.lattice(columns: 3, rows: 2, origin: XY(121.40, 31.20), size: 0.01, epsg: 4326)
        case "fine squares": Coverage.lattice(columns: 6, rows: 5, origin: XY(121.40, 31.20), size: 0.004, epsg: 4326)
        default: try Self.coverage.get()
        }
    }

    @Test(arguments: coverages)
    func float32EdgeTestsAnswerAsTheExactOnes(coverage: String) throws {
        let index = try Self.coverage(coverage).index()
        let lattice = index.lattice
        var random = SplitMix64(seed: 5)
        var tested = 0, mismatches = 0
        for cell in 0..<lattice.cells.count {
            let column = cell % lattice.columns, row = cell / lattice.columns
            let right = lattice.columnX[column + 1], bottom = lattice.rowY[row]
            for part in Self.xorParts(index, cell: cell) {
                for p in Self.probes(index, part, column: column, row: row, random: &random) {
                    let fast = lattice.xorFace(part.position, part.edges, p.x, p.y, right, bottom, part.layer)
                    let exact = lattice.exactXORFace(part.position, part.edges, p.x, p.y, right, bottom, part.layer)
                    tested += 1
                    if fast != exact {
                        mismatches += 1
                        if mismatches <= 5 { Issue.record("cell \(cell) (\(p.x), \(p.y)): Float32 \(fast), exact \(exact)") }
                    }
                }
            }
        }
        #expect(tested > (coverage == "voronoi" ? 100_000 : 1_000), "\(tested) points tested")
        #expect(mismatches == 0)
    }

    /// A batch finds a point's cell and sub-cell from one product and a single lookup from the
    /// cell's own boundaries: on every sub-cell boundary of cells with edges, a last place
    /// either side of it and a quarter of a sub-cell in, they agree. On squares, grid and micro-grid edges lie on those
    /// boundaries too.
    @Test(arguments: coverages)
    func batchesAnswerAsSingleLookupsOnCellAndSubCellBoundaries(coverage: String) throws {
        let index = try Self.coverage(coverage).index()
        let lattice = index.lattice
        let side = RecordHeader.subCells
        // Each sub-cell boundary, a last place either side, and a quarter of a sub-cell in.
        func lines(_ low: Double, _ high: Double) -> [Double] {
            (0...side).flatMap { s -> [Double] in
                let v = low + (high - low) * Double(s) / Double(side)
                let quarter = (high - low) / Double(4 * side)
                return [v, v.nextUp, v.nextDown, v - quarter, v + quarter]
            }
        }
        let withRecords = (0..<lattice.cells.count).filter { lattice.cells[$0] & LatticeEntry.recordFlag != 0 }
        // About 400 cells: 2,025 points each.
        let step = max(1, withRecords.count / 400)
        var points: [XY] = []
        for cell in stride(from: 0, to: withRecords.count, by: step).map({ withRecords[$0] }) {
            let column = cell % lattice.columns, row = cell / lattice.columns
            let xs = lines(lattice.columnX[column], lattice.columnX[column + 1])
            for y in lines(lattice.rowY[row], lattice.rowY[row + 1]) {
                points += xs.map { XY($0, y) }
            }
        }
        let single = points.map { index.locate($0) }
        let batch = index.locate(points, concurrently: false)
        var mismatches = 0
        for (k, p) in points.enumerated() where batch[k] != single[k] {
            mismatches += 1
            if mismatches <= 5 { Issue.record("(\(p.x), \(p.y)): batch \(batch[k]), single \(single[k])") }
        }
        #expect(points.count > 10_000, "\(points.count) points")
        #expect(mismatches == 0)
    }

    @Test func pipelinedBatchesAnswerAsSingleLookups() throws {
        let coverage = try Self.coverage.get()
        let index = try coverage.index()
        var random = SplitMix64(seed: 9)
        // Points on the micro-grids' vertices and edges, and random ones in and around the city.
        var points: [XY] = []
        for geometry in coverage.microGridGeometries.prefix(100) {
            let ring = geometry.coordinates
            for (p, q) in zip(ring, ring.dropFirst()) {
                points += [p, XY((p.x + q.x) / 2, (p.y + q.y) / 2)]
            }
        }
        while points.count < 20_000 {
            points.append(XY(random.uniform(629_900, 633_100), random.uniform(3_439_900, 3_443_100)))
        }
        // Far outside (the Voronoi cells reach somewhat beyond the square), and not finite.
        points += (0..<50).map { XY(620_000 - Double($0), 3_441_000) } + [XY(.nan, 3_441_000), XY(631_000, .infinity)]
        points.shuffle(using: &random)
        let single = points.map { index.locate($0) }
        // Batches shorter than, as long as and longer than the pipeline's reach.
        for count in [0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 1_000, points.count] {
            let batch = Array(points.prefix(count))
            #expect(index.locate(batch, concurrently: false) == Array(single.prefix(count)), "\(count) points")
        }
        #expect(index.locate(points) == single)
        #expect(single.contains { $0.status == .inside } && single.contains { $0.status == .outside })
    }
}
