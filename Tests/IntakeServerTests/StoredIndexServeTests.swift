import Foundation
import GridLookup
import Testing
import TestSupport

/// `serve` reads the grids file's stored lookup index when it matches, builds it when the file
/// has none or another, and says which in `/healthz`.
@Suite(.timeLimit(.minutes(5))) struct StoredIndexServeTests {
    @Test func healthzSaysWhetherTheIndexWasReadOrBuiltAndReloadsNeverServeAStaleOne() async throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try HandMadeGrids.write(to: grids)
        try GridIndex.storeIndex(inFile: grids)
        let server = try await TestServer.start(grids: grids)
        let health = try await server.get("/healthz")
        #expect(health.object?["index_source"] as? String == "stored", "\(health.text)")
        #expect(health.text.contains("\"index_seconds\":"))

        // Replaced by a file with other grids and no stored index: built, and its answers served.
        try HandMadeGrids.write(to: grids, community: "310101001002", first: 11)
        #expect(try await server.post("/v1/reload").status == 200)
        #expect(try await server.get("/healthz").object?["index_source"] as? String == "built")
        let west = ReloadTests.west
        let after = try await server.get("/v1/locate?lon=\(west.lon)&lat=\(west.lat)")
        #expect(after.object?["grid_code"] as? String == HandMadeGrids.code(0, 0, community: "310101001002", first: 11))

        // Stored again: read on the next reload.
        try GridIndex.storeIndex(inFile: grids)
        #expect(try await server.post("/v1/reload").status == 200)
        let stored = try await server.get("/healthz")
        #expect(stored.object?["index_source"] as? String == "stored")
        #expect(stored.object?["generation"] as? Int == 3)
        await server.stop()
    }
}
