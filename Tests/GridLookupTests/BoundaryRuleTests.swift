import TestSupport
import GeometryEngine
import GridLookup
import Testing

/// The index against GEOS, and the boundary rule on points whose answer is known exactly.
@Suite(.timeLimit(.minutes(10))) struct BoundaryRuleTests {
    /// 6 × 5 grids of 0.004° around Shanghai, in WGS 84 lon/lat.
    static let lattice = Coverage.lattice(columns: 6, rows: 5, origin: XY(121.40, 31.20), size: 0.004, epsg: 4326)

    /// The fine lattice's coordinates (grid corners at even k, micro-grid corners at odd k).
    static func fineX(_ k: Int) -> Double { 121.40 + Double(k) * 0.004 / 2 }
    static func fineY(_ k: Int) -> Double { 31.20 + Double(k) * 0.004 / 2 }

    @Test func randomPointsAgreeWithGEOSContains() throws {
        let coverage = Self.lattice
        let index = try coverage.index()
        let oracle = try GEOSOracle(coverage.gridGeometries)
        let extent = coverage.extent
        var random = SplitMix64(seed: 1)
        var inside = 0
        for _ in 0..<20_000 {
            let p = XY(random.uniform(extent.minX, extent.maxX), random.uniform(extent.minY, extent.maxY))
            let location = index.locate(p, tolerance: 0)
            let holders = try oracle.containing(p)
            #expect(holders.count <= 1)
            if let holder = holders.first {
                inside += 1
                #expect(location.status == .inside && location.grid == holder, "\(p): \(location), GEOS says \(holder)")
            } else {
                #expect(try oracle.covering(p).contains(location.grid ?? -1), "\(p) on a boundary: \(location)")
            }
        }
        #expect(inside > 19_900)
    }

    @Test func sharedVerticesAndEdgesBelongToTheGridNorthEastOfThem() throws {
        let coverage = Self.lattice
        let index = try coverage.index()
        let oracle = try GEOSOracle(coverage.gridGeometries)
        let microOracle = try GEOSOracle(coverage.microGridGeometries)
        let columns = 6, rows = 5
        var checked = 0
        // Every vertex of the fine lattice: grid corners, edge midpoints, micro-grid corners.
        for k in 0...2 * columns {
            for l in 0...2 * rows {
                let p = XY(Self.fineX(k), Self.fineY(l))
                let covering = try oracle.covering(p)
                let location = index.locate(p)
                #expect(location.status == .inside)
                let grid = try #require(location.grid)
                #expect(covering.contains(grid), "\(p) is not in the grid answered")
                // The point nudged north-east is in grid (k / 2, l / 2), when there is one.
                let expected = k < 2 * columns && l < 2 * rows ? (l / 2) * columns + k / 2 : covering.min()!
                #expect(grid == expected, "vertex (\(k), \(l)): grid \(grid), expected \(expected)")
                let micro = try #require(location.microGrid)
                #expect(index.microGrids[micro].gridCode == index.grids[grid].code)
                #expect(try microOracle.covering(p).contains(micro))
                if k < 2 * columns && l < 2 * rows {
                    // Micro-grid 2 × 2 block order: south-west, south-east, north-west, north-east.
                    #expect(micro == expected * 4 + (l % 2) * 2 + (k % 2))
                }
                checked += 1
            }
        }
        #expect(checked == 13 * 11)
    }

    @Test func pointsExactlyOnAxisParallelEdges() throws {
        let coverage = Self.lattice
        let index = try coverage.index()
        let oracle = try GEOSOracle(coverage.gridGeometries)
        var random = SplitMix64(seed: 2)
        for _ in 0..<2_000 {
            // On a north-south grid edge (x exactly a grid column boundary) at a random height.
            let i = Int(random.next() % 5) + 1, j = Int(random.next() % 5)
            let vertical = XY(Self.fineX(2 * i), random.uniform(Self.fineY(2 * j), Self.fineY(2 * j + 2)))
            let location = index.locate(vertical)
            #expect(try oracle.containing(vertical).isEmpty)
            #expect(try oracle.covering(vertical).contains(location.grid ?? -1))
            // East of the edge, unless the point is a vertex (then north-east).
            #expect(location.grid == j * 6 + i || vertical.y == Self.fineY(2 * j), "\(vertical): \(location)")
            // On an east-west edge at a random position: the grid north of it.
            let i2 = Int(random.next() % 6), j2 = Int(random.next() % 4) + 1
            let horizontal = XY(random.uniform(Self.fineX(2 * i2), Self.fineX(2 * i2 + 2)), Self.fineY(2 * j2))
            let location2 = index.locate(horizontal)
            #expect(location2.grid == j2 * 6 + i2 || horizontal.x == Self.fineX(2 * i2), "\(horizontal): \(location2)")
        }
    }

    @Test func singleAndBatchLookupsGiveTheSameAnswers() throws {
        let coverage = Self.lattice
        let index = try coverage.index()
        var points: [XY] = []
        for k in 0...12 { for l in 0...10 { points.append(XY(Self.fineX(k), Self.fineY(l))) } }
        var random = SplitMix64(seed: 3)
        let extent = coverage.extent.expanded(by: 0.002)
        while points.count < 50_000 {
            points.append(XY(random.uniform(extent.minX, extent.maxX), random.uniform(extent.minY, extent.maxY)))
        }
        let batch = index.locate(points)
        let serial = index.locate(points, concurrently: false)
        let single = points.map { index.locate($0) }
        #expect(batch == single)
        #expect(serial == single)
        #expect(Set(single.map(\.status)) == [.inside, .near, .outside])
    }

    @Test func irregularCoverageAgreesWithGEOSNearItsEdgesToTheLastBit() throws {
        let coverage = try Coverage.voronoi(gridCount: 40, microCount: 200, origin: XY(640_000, 3_456_000), side: 3_000,
                                            epsg: 4549, seed: 7)
        let index = try coverage.index()
        let oracle = try GEOSOracle(coverage.gridGeometries)
        let microOracle = try GEOSOracle(coverage.microGridGeometries)
        var random = SplitMix64(seed: 8)
        var onEdge = 0, nearEdge = 0
        var checks = 0
        func check(_ p: XY) throws {
            checks += 1
            let location = index.locate(p, tolerance: 0)
            let holders = try oracle.containing(p)
            if let holder = holders.first {
                #expect(location.grid == holder, "\(p): \(location), GEOS says \(holder)")
                nearEdge += 1
            } else {
                let covering = try oracle.covering(p)
                if covering.isEmpty {
                    #expect(location.status == .outside)
                    return
                }
                onEdge += 1
                #expect(covering.contains(location.grid ?? -1), "\(p): \(location), GEOS covers \(covering)")
            }
            if let grid = location.grid {
                let micro = try #require(location.microGrid)
                #expect(index.microGrids[micro].gridCode == index.grids[grid].code)
                #expect(try microOracle.covering(p).contains(micro), "\(p): micro-grid \(micro) does not cover it")
            }
        }
        // Points on the segments of every micro-grid, as close to them as doubles allow: within
        // one unit in the last place, on either side or exactly on them.
        for geometry in coverage.microGridGeometries {
            for ring in geometry.polygons[0].rings {
                for k in 0..<ring.count - 1 {
                    let a = ring[k], b = ring[k + 1]
                    let t = random.uniform(0, 1)
                    try check(XY(a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)))
                    try check(a)
                }
            }
        }
        for _ in 0..<5_000 {
            try check(XY(random.uniform(640_000, 643_000), random.uniform(3_456_000, 3_459_000)))
        }
        #expect(checks > 5_000)
        #expect(onEdge > 100)
    }

    @Test func verticesOfAnIrregularCoverageFollowTheNudgedPoint() throws {
        let coverage = try Coverage.voronoi(gridCount: 30, microCount: 150, origin: XY(640_000, 3_456_000), side: 3_000,
                                            epsg: 4549, seed: 11)
        let index = try coverage.index()
        let oracle = try GEOSOracle(coverage.gridGeometries)
        var compared = 0
        for geometry in coverage.gridGeometries {
            for p in geometry.polygons[0].exterior {
                let location = index.locate(p)
                let grid = try #require(location.grid)
                #expect(try oracle.covering(p).contains(grid))
                // The rule: the grid of p + (ε, ε²). Two small nudges that agree stand for it.
                let a = try oracle.containing(XY(p.x + 1e-4, p.y + 1e-7))
                let b = try oracle.containing(XY(p.x + 1e-4, p.y + 1e-8))
                if a.count == 1 && a == b {
                    #expect(grid == a[0], "vertex \(p): grid \(grid), nudged point in \(a[0])")
                    compared += 1
                }
            }
        }
        #expect(compared > 100)
    }

    @Test func overlappingGridsAnswerInFileOrderAndHolesHoldEnclaves() throws {
        func square(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> [XY] {
            [XY(x0, y0), XY(x1, y0), XY(x1, y1), XY(x0, y1), XY(x0, y0)]
        }
        let grids = (1...4).map { GridIndex.Grid(code: "31010100100\($0)", communityCode: "310101001001") }
        let index = try GridIndex(
            grids: grids,
            gridGeometries: [
                .polygon(Polygon(exterior: square(0, 0, 100, 100), holes: [square(40, 40, 60, 60).reversed()])),
                .polygon(Polygon(exterior: square(40, 40, 60, 60))),              // the enclave in the hole
                .polygon(Polygon(exterior: square(90, 0, 200, 100))),             // overlaps grid 0 over 90..100
                .multiPolygon([Polygon(exterior: square(300, 0, 310, 10)), Polygon(exterior: square(320, 0, 330, 10))]),
            ],
            epsg: nil)
        #expect(index.locate(XY(10, 10)).grid == 0)
        #expect(index.locate(XY(50, 50)).grid == 1)
        #expect(index.locate(XY(40, 50)).grid == 1)   // west edge of the hole: east of it is the enclave
        #expect(index.locate(XY(60, 50)).grid == 0)   // east edge of the hole
        #expect(index.locate(XY(95, 50)).grid == 0)   // in both 0 and 2: the first
        #expect(index.locate(XY(150, 50)).grid == 2)
        #expect(index.locate(XY(305, 5)).grid == 3)
        #expect(index.locate(XY(325, 5)).grid == 3)
        #expect(index.locate(XY(315, 5), tolerance: 0).status == .outside)
        let near = index.locate(XY(315, 5), tolerance: 50)
        #expect(near.status == .near && near.grid == 3 && abs(near.distance! - 5) < 1e-9)
        #expect(index.locate(XY(200, 50)).grid == 2)  // outer boundary: the grid it bounds
        #expect(index.locate(XY(.nan, 5)).status == .outside)
        #expect(index.locate(XY(1e9, 5)).status == .outside)
        #expect(index.locate(XY(10, 10)).microGrid == nil)
    }
}
