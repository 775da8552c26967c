@testable import GridLookup
import Testing

/// The index is built with `concurrentMap`; what it returns must be freed like any array, or
/// every build leaks (a server reloading its grids grew by 100 MB a reload).
@Suite struct ConcurrentMapTests {
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
}
