import GeometryEngine
@testable import GridLookup
import Testing
import TestSupport

/// The index is built with `concurrentMap`; what it returns must be freed like any array, or
/// every build leaks (a server reloading its grids grew by 100 MB a reload).
@Suite(.timeLimit(.minutes(10))) struct ConcurrentMapTests {
    final class Piece: Sendable {
        let value: Int
        init(_ value: Int) { self.value = value }
    }

    struct WeakPiece {
        weak var piece: Piece?
    }

    @Test func resultsAreInOrderAndFreedWithTheirArray() {
        var watched: [WeakPiece] = []
        do {
            let pieces = concurrentMap(Array(0..<64)) { Piece($0 * 2) }
            #expect(pieces.map(\.value) == Array(0..<64).map { $0 * 2 })
            watched = pieces.map { WeakPiece(piece: $0) }
        }
        #expect(watched.allSatisfy { $0.piece == nil }, "\(watched.filter { $0.piece != nil }.count) results outlived their array")
    }

    /// The server builds on one thread while it answers on the other: the same index, the
    /// same answers, as the build on two.
    @Test func anIndexBuiltOnOneThreadAnswersAsOneBuiltOnTwo() throws {
        let coverage = try Coverage.voronoi(gridCount: 40, microCount: 200, origin: XY(640_000, 3_456_000), side: 3_000,
                                            epsg: 4549, seed: 5)
        let two = try coverage.index()
        let one = try GridIndex(grids: coverage.grids, gridGeometries: coverage.gridGeometries, microGrids: coverage.microGrids,
                                microGridGeometries: coverage.microGridGeometries, epsg: coverage.epsg, concurrently: false)
        #expect(one.byteCount == two.byteCount)
        var random = SplitMix64(seed: 9)
        let extent = coverage.extent
        for _ in 0..<20_000 {
            let point = XY(random.uniform(extent.minX - 100, extent.maxX + 100), random.uniform(extent.minY - 100, extent.maxY + 100))
            #expect(one.locate(point) == two.locate(point), "\(point)")
        }
    }
}
