import GeometryEngine
import GridLookup
import Testing

/// The index's size against the coordinates it is built from (the budget: four times).
@Suite(.timeLimit(.minutes(10))) struct MemoryTests {
    @Test func theIndexStaysWithinFourTimesTheCoordinates() throws {
        let coverage = try Coverage.voronoi(gridCount: 400, microCount: 2_000, origin: XY(630_000, 3_440_000), side: 8_000,
                                            epsg: 4549, seed: 5)
        let coordinateBytes = (coverage.gridGeometries + coverage.microGridGeometries).reduce(0) { $0 + $1.coordinates.count * 16 }
        let index = try coverage.index()
        let ratio = Double(index.byteCount) / Double(coordinateBytes)
        #expect(ratio < 4, "index \(index.byteCount) bytes for \(coordinateBytes) bytes of coordinates: \(ratio)x; \(index.statistics)")
    }
}
