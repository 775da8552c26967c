import Foundation
import GeometryEngine
@testable import Partitioning
import Testing
import TestSupport

/// Shapes of no width that noding leaves in a grid: valid as computed in metres, invalid once
/// a reprojection rounds their vertices (seen on the Helsinki sample and on districts made by
/// `tools/make-square-communities`).
@Suite(.timeLimit(.minutes(10))) struct ZeroWidthTests {
    /// A 10 m square whose north side carries, at x = 5, a spike 3.5 m long that comes back
    /// 0.16 mm short of where it left and `offset` beside its own line (the Helsinki case: 6 nm).
    static func squareWithSpike(offset: Double) -> [XY] {
        let base = XY(5, 10), tip = XY(5 - 0.066, 13.5)
        let length = PlaneMath.distance(base, tip)
        let along = XY((tip.x - base.x) / length, (tip.y - base.y) / length)
        let back = XY(base.x + along.x * 0.00016 + along.y * offset, base.y + along.y * 0.00016 - along.x * offset)
        return [XY(0, 0), XY(10, 0), XY(10, 10), back, tip, base, XY(0, 10), XY(0, 0)]
    }

    @Test func aSpikeOfNoWidthIsTakenOut() throws {
        let ring = Self.squareWithSpike(offset: 6e-9)
        let cleaned = try #require(Partition.withoutZeroWidthParts(ring: ring, width: Partition.noWidth))
        #expect(!cleaned.contains(XY(5 - 0.066, 13.5)), "the spike's tip stays: \(cleaned)")
        #expect(abs(abs(PlaneMath.signedArea(cleaned)) - 100) < 1e-3)
        #expect(try Geometry.polygon(Polygon(exterior: cleaned)).isValid())
    }

    /// A hole touching the shell inside one of its segments (a dedicated grid with its cells,
    /// enclosed by one grid but for a point, in a Helsinki variant: valid as written in
    /// EPSG:3857, a self-intersection once a reader brought it to UTM) gets its touching vertex
    /// into the shell, so that a reprojection moves both alike; a hole clear of the shell, and
    /// the polygon's area, stay as they are.
    @Test func aHoleTouchingTheShellSharesItsVertex() throws {
        // The shell's south side runs from (0, 0) to (100, 30); the hole's south vertex lies on
        // it, 0.3 nm off, as noding leaves it.
        let touch = XY(40, 12 + 3e-10)
        let shell = [XY(0, 0), XY(100, 30), XY(100, 100), XY(0, 100), XY(0, 0)]
        let hole = [touch, XY(50, 40), XY(30, 40), touch]
        let clear = [XY(60, 60), XY(70, 60), XY(70, 70), XY(60, 60)]
        let fixed = Partition.withHoleTouchesAsVertices(Polygon(rings: [shell, hole, clear]), width: Partition.noWidth)
        #expect(fixed.exterior == [XY(0, 0), touch, XY(100, 30), XY(100, 100), XY(0, 100), XY(0, 0)])
        #expect(fixed.holes == [hole, clear])
        #expect(abs(PlaneMath.area(fixed) - PlaneMath.area(Polygon(rings: [shell, hole, clear]))) < 1e-6)
        #expect(try Geometry.polygon(fixed).isValid())
        let untouched = Polygon(rings: [shell, clear])
        #expect(Partition.withHoleTouchesAsVertices(untouched, width: Partition.noWidth) == untouched)
    }

    /// The same spike with a second vertex a nanometre from its tip, as noding left one in a
    /// Helsinki variant (valid in UTM, invalid once a reader brought it to EPSG:4326): the
    /// twin hides the turn back from a test on three consecutive vertices unless it goes first.
    @Test func aSpikeWithATwinAtItsTipIsTakenOut() throws {
        var ring = Self.squareWithSpike(offset: 6e-9)
        let tip = XY(5 - 0.066, 13.5)
        let at = try #require(ring.firstIndex(of: tip))
        ring.insert(XY(tip.x + 7e-10, tip.y + 6e-10), at: at + 1)
        let cleaned = try #require(Partition.withoutZeroWidthParts(ring: ring, width: Partition.noWidth))
        #expect(!cleaned.contains { PlaneMath.distance($0, tip) < 1e-3 }, "the spike's tip stays: \(cleaned)")
        #expect(abs(abs(PlaneMath.signedArea(cleaned)) - 100) < 1e-3)
    }

    @Test func aNarrowButRealSpikeStays() throws {
        let ring = Self.squareWithSpike(offset: 0.01)
        let cleaned = try #require(Partition.withoutZeroWidthParts(ring: ring, width: Partition.noWidth))
        #expect(cleaned == ring)
    }

    @Test func aNotchOfNoWidthIsTakenOut() throws {
        // The west side runs into the square 4 m and back along itself.
        let ring = [XY(0, 0), XY(10, 0), XY(10, 10), XY(0, 10), XY(0, 5), XY(4, 5), XY(1e-9, 5 - 1e-9), XY(0, 0)]
        let cleaned = try #require(Partition.withoutZeroWidthParts(ring: ring, width: Partition.noWidth))
        #expect(!cleaned.contains(XY(4, 5)), "the notch stays: \(cleaned)")
    }

    /// A slit of no width into a grid from its shell (seen in a Helsinki variant with Voronoi
    /// communities, along a community's edge through a dedicated site): the shell runs 4 m in
    /// and back, and a hole of no area carries the slit 4 m further. GEOS calls it a
    /// self-intersection, and its make-valid keeps the spike and the hole; `removeDust` takes
    /// both out, and the grid is the 10 m square it always was.
    @Test func aSlitIntoAGridIsTakenOut() throws {
        let shell = [XY(0, 0), XY(10, 0), XY(10, 10), XY(0, 10), XY(0, 5), XY(4, 5), XY(1e-12, 5), XY(0, 0)]
        let hole = [XY(4, 5), XY(8, 5), XY(8, 5 + 1e-12), XY(4, 5)]
        let slit = Geometry.polygon(Polygon(rings: [shell, hole]))
        #expect(try !slit.isValid())
        var partition = Partition(epsg: 3857, grids: [Grid(code: "110101001001001", communityCode: "110101001001", kind: .residential,
                                                           households: 200, buildings: 1, geometry: slit, microGrids: [])],
                                  assignments: [], findings: [], statistics: PartitionStatistics())
        try partition.removeDust()
        let cleaned = partition.grids[0].geometry
        #expect(try cleaned.isValid(), "\(cleaned)")
        #expect(abs(try cleaned.area() - 100) < 1e-6)
        #expect(cleaned.polygons.first?.holes.isEmpty == true)
    }

    /// Every grid and micro-grid that came out of the transform back to EPSG:3857 invalid in the
    /// districts `tools/make-square-communities` made of the Helsinki and Shanghai samples
    /// (Voronoi and square communities), exactly as `removeDust` received them
    /// (`Tests/Fixtures/invalid-before-cleaning`). None loses area, and each comes out one valid
    /// polygon but two: a grid and its micro-grid whose lobes met through a neck whose sides
    /// crossed stay as they were, because GEOS 3.11's make-valid drops one lobe (1.1 ha). The
    /// partition no longer makes such necks (`RandomDistrictTests`, `sliver-neck`).
    @Test func gridsThatCameBackInvalidAreCleanedWithoutLosingArea() throws {
        let path = repositoryRoot.appendingPathComponent("Tests/Fixtures/invalid-before-cleaning/grids.tsv").path
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        try #require(lines.count == 20)
        let context = GEOSContext()
        var lobesKept = 0
        for (row, line) in lines.enumerated() {
            let fields = line.split(separator: "\t")
            let geometry = try Geometry(wkt: String(fields[1]))
            #expect(try !geometry.isValid(), "row \(row + 1) is valid already")
            let before = geometry.polygons.reduce(0) { $0 + PlaneMath.area($1) }
            let pieces = try #require(try Partition.realPieces(of: Partition.withoutEmptyHoles(geometry), context: context))
            let lobeDropped = pieces.reduce(0) { $0 + PlaneMath.area($1) } < 0.99 * before
            var partition = Partition(epsg: Int(fields[0])!, grids: [Grid(code: "110101001001001", communityCode: "110101001001",
                                                                        kind: .residential, households: 200, buildings: 1,
                                                                        geometry: geometry, microGrids: [])],
                                      assignments: [], findings: [], statistics: PartitionStatistics())
            try partition.removeDust(joining: (width: 1e-4, reach: 1e-3))
            let cleaned = partition.grids[0].geometry
            guard case .polygon = cleaned else { Issue.record("row \(row + 1): a \(cleaned.typeName)"); continue }
            let area = try cleaned.area()
            #expect(abs(area - before) <= 1e-6 * before, "row \(row + 1): area \(area) against \(before)")
            if lobeDropped {
                lobesKept += 1
                #expect(cleaned == geometry, "row \(row + 1): changed though make-valid dropped a lobe")
            } else {
                let reason = try cleaned.validityReason()
                #expect(try cleaned.isValid(), "row \(row + 1): \(reason)")
            }
        }
        #expect(lobesKept == 2)
    }

    /// A face whose ring passes twice within a micrometre of one point is split there even when
    /// it has a hole, and the hole goes with the piece it lies in: polygonize leaves such faces
    /// round a courtyard, and the pinch left unsplit made its micro-grid two pieces in EPSG:3857.
    @Test(arguments: [false, true])
    func aPinchedFaceWithAHoleIsSplit(holeInLobe: Bool) throws {
        let pinch = XY(10, 10), nearPinch = XY(10 - 1e-9, 10 + 1.2e-9)
        // Counter-clockwise: the body (0..10)^2, then out to the lobe (10..14)^2 through the pinch.
        let exterior = [XY(0, 0), XY(10, 0), pinch, XY(14, 10), XY(14, 14), XY(10, 14), nearPinch, XY(0, 10), XY(0, 0)]
        let hole = holeInLobe ? [XY(11, 11), XY(11, 12), XY(12, 12), XY(12, 11), XY(11, 11)]
                              : [XY(2, 2), XY(2, 4), XY(4, 4), XY(4, 2), XY(2, 2)]
        var pinches: Set<SegmentKey> = []
        let pieces = CommunityTessellation.splitAtPinches(Polygon(exterior: exterior, holes: [hole]), pinches: &pinches)
        try #require(pieces.count == 2, "not split: \(pieces)")
        #expect(pinches.count == 1)
        let lobe = try #require(pieces.first { $0.exterior.contains(XY(14, 14)) })
        let body = try #require(pieces.first { $0.exterior.contains(XY(0, 0)) })
        #expect(lobe.holes.count == (holeInLobe ? 1 : 0))
        #expect(body.holes.count == (holeInLobe ? 0 : 1))
        for piece in pieces { #expect(try Geometry.polygon(piece).isValid(), "\(piece)") }
        #expect(abs(PlaneMath.area(lobe) + PlaneMath.area(body) - (100 + 16 - (holeInLobe ? 1 : 4))) < 1e-6)
    }

    /// A pinch at the ring's first vertex (the ring starts and ends at it) is split like any
    /// other: the Helsinki re-partition after an edit crashed there (`ring[1...0]`).
    @Test func aPinchAtTheFirstVertexIsSplit() throws {
        let pinch = XY(10, 10), nearPinch = XY(10 - 1e-9, 10 + 1.2e-9)
        // Counter-clockwise from the pinch: the lobe (10..14)^2, then round the body (0..10)^2.
        let exterior = [pinch, XY(14, 10), XY(14, 14), XY(10, 14), nearPinch, XY(0, 10), XY(0, 0), XY(10, 0), pinch]
        var pinches: Set<SegmentKey> = []
        let pieces = CommunityTessellation.splitAtPinches(Polygon(exterior: exterior), pinches: &pinches)
        try #require(pieces.count == 2, "not split: \(pieces)")
        #expect(pinches.count == 1)
        for piece in pieces { #expect(try Geometry.polygon(piece).isValid(), "\(piece)") }
        #expect(abs(pieces.reduce(0) { $0 + PlaneMath.area($1) } - 116) < 1e-6)
    }

    /// A face that comes back along one of its own segments 0.1 µm beside it (the Voronoi
    /// Helsinki variant: a dedicated site's edge beside the community's) is two lobes and the
    /// neck between them, which is a sliver; no vertex is added.
    @Test func aNeckAlongASegmentIsSplitOff() throws {
        let exterior = [XY(0, 0), XY(30, 0), XY(30, 10), XY(20, 10), XY(20, 1e-7), XY(10, 1e-7), XY(10, 10), XY(0, 10), XY(0, 0)]
        var pinches: Set<SegmentKey> = []
        let pieces = CommunityTessellation.splitAtPinches(Polygon(exterior: exterior), pinches: &pinches)
        try #require(pieces.count == 3, "not split: \(pieces)")
        let areas = pieces.map { PlaneMath.area($0) }.sorted()
        #expect(areas[0] < 1e-5 && abs(areas[1] - 100) < 1e-5 && abs(areas[2] - 100) < 1e-5, "\(areas)")
        let vertices = Set(exterior.map { SIMD2($0.x, $0.y) })
        for piece in pieces { #expect(piece.exterior.allSatisfy { vertices.contains(SIMD2($0.x, $0.y)) }) }
        for piece in pieces where PlaneMath.area(piece) > 1 { #expect(try Geometry.polygon(piece).isValid(), "\(piece)") }
    }

    /// Two parts touching at a point (as snapping leaves a re-built micro-grid in lon/lat) are
    /// joined by a square of side 2 × width there: one valid Polygon, area up by under 4 width².
    @Test func partsTouchingAtAPointAreJoined() throws {
        let ring = [XY(0, 0), XY(10, 0), XY(10, 10), XY(14, 10), XY(14, 14), XY(10, 14), XY(10, 10), XY(0, 10), XY(0, 0)]
        let pinched = Geometry.polygon(Polygon(exterior: ring))
        #expect(try !pinched.isValid())
        let context = GEOSContext()
        let joined = try Partition.bridged(pinched, width: 1e-3, reach: 0.1, context: context)
        guard case .polygon(let polygon) = joined else { Issue.record("not one polygon: \(joined)"); return }
        let reason = try joined.validityReason()
        #expect(try joined.isValid(), "\(reason)")
        #expect(PlaneMath.area(polygon) >= 116 && PlaneMath.area(polygon) < 116 + 4e-6)
    }
}
