import Testing
@testable import GeometryEngine

private func square(_ x: Double, _ y: Double, _ size: Double) -> Geometry {
    .polygon(Polygon(exterior: [XY(x, y), XY(x + size, y), XY(x + size, y + size), XY(x, y + size), XY(x, y)]))
}

@Suite(.timeLimit(.minutes(10))) struct GEOSTests {
    @Test func measures() throws {
        let g = square(0, 0, 10)
        #expect(try g.area() == 100)
        #expect(try g.length() == 40)
        #expect(try Geometry.lineString([XY(0, 0), XY(3, 4)]).length() == 5)
        #expect(try square(0, 0, 1).distance(to: square(4, 0, 1)) == 3)
    }

    @Test func overlayOperations() throws {
        let a = square(0, 0, 10), b = square(5, 0, 10)
        #expect(try a.intersection(b).area() == 50)
        #expect(try a.difference(b).area() == 50)
        #expect(try a.union(b).area() == 150)
        #expect(try Geometry.multiPolygon(a.polygons + b.polygons).unaryUnion().area() == 150)
        // Edge-matched squares form a coverage; its union is one polygon.
        let coverage = Geometry.multiPolygon(square(0, 0, 1).polygons + square(1, 0, 1).polygons)
        let union = try coverage.coverageUnion()
        #expect(union.polygons.count == 1)
        #expect(try union.area() == 2)
    }

    @Test func predicates() throws {
        let big = square(0, 0, 10), small = square(2, 2, 2)
        #expect(try big.contains(small))
        #expect(try small.isWithin(big))
        #expect(try big.covers(.point(XY(0, 5))))
        #expect(try !big.contains(.point(XY(0, 5)))) // a boundary point is covered, not contained
        #expect(try square(0, 0, 1).touches(square(1, 0, 1)))
        #expect(try !square(0, 0, 1).intersects(square(3, 0, 1)))
    }

    @Test func makeValidRepairsABowTie() throws {
        let bowTie = Geometry.polygon(Polygon(exterior: [XY(0, 0), XY(10, 10), XY(10, 0), XY(0, 10), XY(0, 0)]))
        #expect(try !bowTie.isValid())
        #expect(try bowTie.validityReason().isEmpty == false)
        let repaired = try bowTie.makeValid()
        #expect(try repaired.isValid())
        #expect(abs(try repaired.area() - 50) < 1e-9)
        #expect(repaired.dimension == 2)
    }

    @Test func polygonizeAndVoronoi() throws {
        // A square split by a vertical line: two faces.
        let lines: [Geometry] = [
            .lineString([XY(0, 0), XY(2, 0)]), .lineString([XY(2, 0), XY(2, 1)]),
            .lineString([XY(2, 1), XY(0, 1)]), .lineString([XY(0, 1), XY(0, 0)]),
            .lineString([XY(1, 0), XY(1, 1)]),
        ]
        let noded = try Geometry.multiLineString(lines.flatMap(\.lineStrings)).withGEOS { try $0.node().geometry() }
        let faces = try Geometry.polygonize([noded])
        #expect(faces.polygons.count == 2)
        let cells = try Geometry.multiPoint([XY(0, 0), XY(10, 0), XY(0, 10), XY(10, 10)])
            .voronoiDiagram(clip: square(-5, -5, 20))
        #expect(cells.polygons.count == 4)
        // GEOS clips to the larger of the clip envelope and the sites' own: at least the clip.
        #expect(try cells.unaryUnion().covers(square(-5, -5, 20)))
        for site in [XY(0, 0), XY(10, 0), XY(0, 10), XY(10, 10)] {
            #expect(try cells.polygons.filter { try Geometry.polygon($0).contains(.point(site)) }.count == 1)
        }
    }

    @Test func bufferAndSimplify() throws {
        let disc = try Geometry.point(XY(0, 0)).buffer(10, quadrantSegments: 64)
        #expect(abs(try disc.area() - Double.pi * 100) < 0.2)
        let line = Geometry.lineString([XY(0, 0), XY(1, 0.01), XY(2, 0)])
        #expect(try line.simplified(tolerance: 0.1).coordinates.count == 2)
    }

    @Test func wktRoundTrip() throws {
        for geometry in sampleGeometries where geometry != .geometryCollection([]) {
            #expect(try Geometry(wkt: geometry.wkt()) == geometry)
        }
        #expect(try Geometry(wkt: "POINT (1 2)") == .point(XY(1, 2)))
    }

    @Test func errorsAreValuesNotTraps() throws {
        // An unclosed ring: GEOS refuses it, we get a GEOS error, not a crash.
        let degenerate = Geometry.polygon(Polygon(exterior: [XY(0, 0), XY(1, 0), XY(1, 1), XY(0, 1)]))
        #expect { try degenerate.area() } throws: { ($0 as? GeometryError)?.kind == .geos }
        #expect { try Geometry(wkt: "POLYGON ((0 0, 1") } throws: { ($0 as? GeometryError)?.kind == .invalidWKT }
        // The context keeps working after an error.
        let context = GEOSContext()
        #expect(throws: GeometryError.self) { try GEOSObject(degenerate, context: context) }
        #expect(try GEOSObject(square(0, 0, 2), context: context).area() == 4)
    }

    @Test func spatialTreeQueriesAndNearest() throws {
        let context = GEOSContext()
        let tree = try SpatialTree(context: context)
        for i in 0..<100 {
            tree.insert(try GEOSObject(square(Double(i % 10) * 10, Double(i / 10) * 10, 5), context: context), index: i)
        }
        // The envelope of (12..27, 12..13) touches columns 1 and 2 of row 1.
        #expect(try tree.query(Envelope(minX: 12, minY: 12, maxX: 27, maxY: 13)) == [11, 12])
        #expect(try tree.query(Envelope(minX: 1000, minY: 1000, maxX: 1001, maxY: 1001)).isEmpty)
        let probe = try GEOSObject(.point(XY(46, 46)), context: context)
        #expect(try tree.nearest(to: probe) == 44)
    }

    @Test func preparedPredicatesAgreeWithPlainOnes() throws {
        let context = GEOSContext()
        let polygon = try GEOSObject(square(0, 0, 10), context: context)
        let prepared = try PreparedGeometry(polygon)
        for (x, y) in [(5.0, 5.0), (0.0, 5.0), (11.0, 5.0), (10.0, 10.0)] {
            let point = try GEOSObject(.point(XY(x, y)), context: context)
            #expect(try prepared.contains(point) == polygon.contains(point))
            #expect(try prepared.covers(point) == polygon.covers(point))
            #expect(try prepared.intersects(point) == polygon.intersects(point))
        }
    }

    @Test func collectionsTakeOwnershipOfTheirParts() throws {
        let context = GEOSContext()
        let parts = try (0..<3).map { try GEOSObject(square(Double($0) * 2, 0, 1), context: context) }
        let collection = try GEOSObject.collection(parts, type: .multiPolygon, context: context)
        #expect(try collection.partCount() == 3)
        #expect(try collection.area() == 3)
        #expect(try collection.part(1).envelope() == Envelope(minX: 2, minY: 0, maxX: 3, maxY: 1))
    }

    @Test func worksFromManyThreadsWithOneContextEach() async throws {
        // Each task builds its own context: the thread-safety rule of GEOSContext.
        let areas = try await withThrowingTaskGroup(of: Double.self) { group in
            for i in 0..<32 {
                group.addTask { try square(0, 0, Double(i + 1)).union(square(0.5, 0.5, 1)).area() }
            }
            return try await group.reduce(into: [Double]()) { $0.append($1) }
        }
        #expect(areas.count == 32)
        #expect(areas.min()! > 0)
    }

    /// The value API on valid and invalid polygons, over and over, from several threads. A
    /// release build of Swift 6.3.1 miscompiled `Geometry.isValid()` (a stack-promoted
    /// `GEOSObject` freed as a heap object, see `GEOSObject.init(context:owning:)`): this test
    /// then crashes under `swift test -c release`; debug builds never showed it (see
    /// `tools/release-smoke`, which checks the release binary).
    @Test func valueAPIOnValidAndInvalidPolygonsFromManyThreads() async throws {
        func polygon(_ points: [(Double, Double)]) -> Geometry {
            .polygon(Polygon(exterior: points.map { XY($0.0, $0.1) }))
        }
        let cases: [(geometry: Geometry, isValid: Bool, repairedArea: Double)] = [
            (square(0, 0, 10), true, 100),
            (polygon([(0, 0), (10, 10), (10, 0), (0, 10), (0, 0)]), false, 50), // bow-tie
            (polygon([(0, 0), (10, 0), (10, 10), (5, 10), (5, 20), (5, 10), (0, 10), (0, 0)]), false, 100), // spike
            (polygon([(0, 0), (10, 0), (10, 10), (5, 0), (0, 10), (0, 0)]), false, 50), // ring touching itself
        ]
        let other = square(5, 5, 10)
        let rounds = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<50 {
                        for c in cases {
                            #expect(try c.geometry.isValid() == c.isValid)
                            #expect(try !c.geometry.validityReason().isEmpty)
                            let repaired = try c.geometry.makeValid()
                            #expect(try repaired.isValid())
                            #expect(abs(try repaired.area() - c.repairedArea) < 1e-9)
                            _ = try repaired.union(other).area() + repaired.intersection(other).area()
                            _ = try c.geometry.intersects(other)
                            _ = try c.geometry.buffer(0).centroid()
                        }
                    }
                    return 1
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(rounds == 4)
    }
}
