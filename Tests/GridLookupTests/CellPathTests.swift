import GeometryEngine
@testable import GridLookup
import Testing

/// The lattice path (cells, XOR and parity records) against the rule evaluated on each face's
/// whole boundary, on coordinates that put vertices, edges and points exactly on cell
/// boundaries and corners: every tie the exact predicates and the half-open rule must break.
@Suite(.timeLimit(.minutes(10))) struct CellPathTests {
    /// Faces on an integer lattice: 4 × 4 squares, every other one cut along a diagonal into two
    /// triangles (alternating directions), a square with a square hole and its enclave, and
    /// last an overlapping square over the middle.
    static func faces(overlap: Bool) -> [[Polygon]] {
        func ring(_ points: [(Double, Double)]) -> [XY] { (points + [points[0]]).map { XY($0.0, $0.1) } }
        var faces: [[Polygon]] = []
        for j in 0..<5 {
            for i in 0..<6 {
                let x = Double(4 * i), y = Double(4 * j)
                switch (i + j) % 3 {
                case 0:
                    faces.append([Polygon(exterior: ring([(x, y), (x + 4, y), (x + 4, y + 4), (x, y + 4)]))])
                case 1:
                    faces.append([Polygon(exterior: ring([(x, y), (x + 4, y), (x + 4, y + 4)]))])
                    faces.append([Polygon(exterior: ring([(x, y), (x + 4, y + 4), (x, y + 4)]))])
                default:
                    faces.append([Polygon(exterior: ring([(x + 4, y), (x + 4, y + 4), (x, y + 4)]))])
                    faces.append([Polygon(exterior: ring([(x, y), (x + 4, y), (x, y + 4)]))])
                }
            }
        }
        // A square with a hole (clockwise or not: the index normalizes), and the enclave in it.
        faces.append([Polygon(exterior: ring([(24, 0), (32, 0), (32, 8), (24, 8)]), holes: [ring([(26, 2), (26, 6), (30, 6), (30, 2)])])])
        faces.append([Polygon(exterior: ring([(26, 2), (30, 2), (30, 6), (26, 6)]))])
        if overlap {
            faces.append([Polygon(exterior: ring([(7, 5), (13, 5), (13, 11), (7, 11)]))])
        }
        return faces
    }

    /// The grid of each face of `faces(overlap:)`: the 4 × 4 square it lies in (both triangles
    /// of a cut square share one), the holed square, its enclave, the overlapping square.
    static func squares(of faces: [[Polygon]]) -> (grids: [[Polygon]], parents: [Int]) {
        var grids: [[Polygon]] = []
        var parents: [Int] = []
        var byCorner: [XY: Int] = [:]
        for face in faces {
            let ring = face[0].exterior
            let minX = ring.map(\.x).min()!, minY = ring.map(\.y).min()!, maxX = ring.map(\.x).max()!, maxY = ring.map(\.y).max()!
            let key = XY(minX, minY)
            if let grid = byCorner[key], face[0].holes.isEmpty, maxX - minX == 4 {
                parents.append(grid)
                continue
            }
            let grid = grids.count
            if maxX - minX == 4 { byCorner[key] = grid }
            grids.append(maxX - minX == 4 && ring.count == 4
                ? [Polygon(exterior: [XY(minX, minY), XY(maxX, minY), XY(maxX, maxY), XY(minX, maxY), XY(minX, minY)])]
                : face)
            parents.append(grid)
        }
        return (grids, parents)
    }

    static func index(grids: [[Polygon]], microGrids: [[Polygon]] = [], parents: [Int] = [],
                      origin: XY, cellSize: Double) throws -> GridIndex {
        let columns = Int((34 - origin.x) / cellSize) + 1, rows = Int((22 - origin.y) / cellSize) + 1
        let gridRecords = grids.indices.map { GridIndex.Grid(code: "g\($0)", communityCode: "c") }
        return try GridIndex(
            grids: gridRecords, gridGeometries: grids.map { .multiPolygon($0) },
            microGrids: microGrids.indices.map { GridIndex.MicroGrid(code: "m\($0)", gridCode: "g\(parents[$0])") },
            microGridGeometries: microGrids.map { .multiPolygon($0) }, epsg: nil,
            lattice: .fixed(origin: origin, cellSize: cellSize, columns: columns, rows: rows))
    }

    /// The rule, face by face over whole boundaries: the lowest face holding the nudged point.
    static func bruteForce(_ layer: PlanarLayer, _ x: Double, _ y: Double, where accept: (Int) -> Bool = { _ in true }) -> Int32 {
        for face in 0..<layer.faceCount where accept(face) && layer.contains(face: face, x, y) { return Int32(face) }
        return -1
    }

    static let lattices: [(origin: XY, cellSize: Double)] = [
        (XY(-2, -2), 2.0),    // every vertex on a cell corner, diagonals through corners
        (XY(-1, -1), 1.0),
        (XY(-1, -1), 3.0),    // boundaries cut edges at integers
        (XY(-0.5, -0.5), 0.5),
        (XY(-4, -4), 8.0),    // many edges per cell
    ]

    @Test(arguments: lattices)
    func latticeAnswersEqualTheRuleOnEveryTie(origin: XY, cellSize: Double) throws {
        for overlap in [false, true] {
            let faces = Self.faces(overlap: overlap)
            let index = try Self.index(grids: faces, origin: origin, cellSize: cellSize)
            let kinds = index.lattice.cellKinds
            if cellSize <= 3 { #expect(kinds.xor > 0 && kinds.parity > 0, "\(kinds)") }
            var mismatches = 0
            // Every quarter-integer point: on vertices, edges, diagonals, cell boundaries and corners.
            for k in -4...136 {
                for l in -4...88 {
                    let x = Double(k) / 4, y = Double(l) / 4
                    let expected = Self.bruteForce(index.gridLayer, x, y)
                    let answer = index.faces(x, y).grid
                    if answer != expected {
                        mismatches += 1
                        if mismatches < 5 { Issue.record("(\(x), \(y)) overlap \(overlap): lattice \(answer), rule \(expected)") }
                    }
                }
            }
            #expect(mismatches == 0)
        }
    }

    @Test(arguments: lattices)
    func microGridsAnswerByTheRuleWithinTheirGrid(origin: XY, cellSize: Double) throws {
        let faces = Self.faces(overlap: false)
        let (grids, parents) = Self.squares(of: faces)
        let index = try Self.index(grids: grids, microGrids: faces, parents: parents, origin: origin, cellSize: cellSize)
        if cellSize <= 3 { #expect(index.lattice.cellKinds.derived > 0) }
        var mismatches = 0
        for k in -4...136 {
            for l in -4...88 {
                let x = Double(k) / 4, y = Double(l) / 4
                let (grid, micro) = index.faces(x, y)
                let expectedGrid = Self.bruteForce(index.gridLayer, x, y)
                let expectedMicro = Self.bruteForce(index.microGridLayer, x, y) { parents[$0] == Int(expectedGrid) }
                if grid != expectedGrid || (grid >= 0 && micro != expectedMicro) {
                    mismatches += 1
                    if mismatches < 5 {
                        Issue.record("(\(x), \(y)): lattice \(grid)/\(micro), rule \(expectedGrid)/\(expectedMicro)")
                    }
                }
            }
        }
        #expect(mismatches == 0)
    }

    @Test func aCoverageGivesEveryPointExactlyOneFace() throws {
        // Without the overlapping square the faces tile [0, 32] × [0, 20] except the gap east of
        // the holed square: each nudged point is in at most one face, so the lowest-index answer
        // is also the only one.
        let index = try Self.index(grids: Self.faces(overlap: false), origin: XY(-2, -2), cellSize: 2)
        let layer = index.gridLayer
        for k in 0..<128 {
            for l in 0..<80 {
                let x = Double(k) / 4, y = Double(l) / 4
                let holders = (0..<layer.faceCount).filter { layer.contains(face: $0, x, y) }
                let inTiling = x < 24 || y < 8
                #expect(holders.count == (inTiling ? 1 : 0), "(\(x), \(y)): \(holders)")
            }
        }
    }

    @Test func manyOverlappingFacesFallBackToWholeBoundaries() throws {
        // 70 copies of one square: more candidates than a parity bitmask holds.
        let square = Polygon(exterior: [XY(0, 0), XY(10, 0), XY(10, 10), XY(0, 10), XY(0, 0)])
        let shifted = Polygon(exterior: [XY(5, 5), XY(15, 5), XY(15, 15), XY(5, 15), XY(5, 5)])
        let faces = [[Polygon]](repeating: [square], count: 70) + [[shifted]]
        let index = try Self.index(grids: faces, origin: XY(-1, -1), cellSize: 4)
        #expect(index.faces(5, 5).grid == 0)
        #expect(index.faces(9.9, 9.9).grid == 0)
        #expect(index.faces(12, 12).grid == 70)
        #expect(index.faces(10, 12).grid == 70)
        #expect(index.faces(-1, 5).grid == -1)
    }

    @Test func orientationIsExactWhereTheFloatingPointDeterminantIsNot() {
        // Shewchuk's example: a near the line through b and c. The determinant is
        // 12 · (ay − ax), so its sign is the sign of j − i; the rounded one gets many wrong.
        let b = XY(12, 12), c = XY(24, 24)
        let ulp = 0.5.ulp
        var naiveWrong = 0
        for i in 0..<64 {
            for j in 0..<64 {
                let ax = 0.5 + Double(i) * ulp, ay = 0.5 + Double(j) * ulp
                let expected = j > i ? 1 : (j < i ? -1 : 0)
                #expect(orientation(ax, ay, b.x, b.y, c.x, c.y) == expected, "i \(i), j \(j)")
                #expect(orientation(b.x, b.y, ax, ay, c.x, c.y) == -expected)
                #expect(orientation(b.x, b.y, c.x, c.y, ax, ay) == expected)
                let naive = (ax - c.x) * (b.y - c.y) - (ay - c.y) * (b.x - c.x)
                if (naive > 0 ? 1 : (naive < 0 ? -1 : 0)) != expected { naiveWrong += 1 }
            }
        }
        #expect(naiveWrong > 100)
        // Large projected coordinates: points a hair off a long slanted line.
        let p = XY(640_123.456789, 3_456_789.012345), q = XY(641_987.654321, 3_457_321.098765)
        let t = 0.3125
        let on = XY(p.x + t * (q.x - p.x), p.y + t * (q.y - p.y))
        let above = XY(on.x, on.y.nextUp.nextUp.nextUp), below = XY(on.x, on.y.nextDown.nextDown.nextDown)
        #expect(orientation(p.x, p.y, q.x, q.y, above.x, above.y) == 1)
        #expect(orientation(p.x, p.y, q.x, q.y, below.x, below.y) == -1)
        #expect(orientation(0, 0, 1, 1, 3, 3) == 0)
    }
}
