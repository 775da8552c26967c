import FeatureIO
import Foundation
import Testing
import TestSupport

/// `POST /v1/reload`: a changed file swaps the answers, a broken file keeps the old ones, and
/// requests during reloads are all answered, each from one file or the other.
@Suite(.timeLimit(.minutes(10))) struct ReloadTests {
    static let west = (lon: 121.4013, lat: 31.2012)

    @Test func reloadSwapsInAChangedFile() async throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try HandMadeGrids.write(to: grids)
        let server = try await TestServer.start(grids: grids)
        let before = try await server.get("/v1/locate?lon=\(Self.west.lon)&lat=\(Self.west.lat)")
        #expect(before.object?["grid_code"] as? String == HandMadeGrids.code(0, 0))

        try HandMadeGrids.write(to: grids, community: "310101001002", first: 11)
        let reload = try await server.post("/v1/reload")
        #expect(reload.status == 200, "\(reload.text)")
        #expect(reload.object?["status"] as? String == "reloaded")
        #expect(reload.object?["generation"] as? Int == 2)
        #expect(reload.object?["grids"] as? Int == 6)
        let after = try await server.get("/v1/locate?lon=\(Self.west.lon)&lat=\(Self.west.lat)")
        #expect(after.object?["grid_code"] as? String == HandMadeGrids.code(0, 0, community: "310101001002", first: 11))
        #expect(after.object?["community_code"] as? String == "310101001002")
        let feature = try await server.get("/v1/grids/\(HandMadeGrids.code(0, 0, community: "310101001002", first: 11))")
        #expect(feature.status == 200)
        let oldFeature = try await server.get("/v1/grids/\(HandMadeGrids.code(0, 0))")
        #expect(oldFeature.status == 404)
        let health = try await server.get("/healthz")
        #expect(health.object?["generation"] as? Int == 2)
        await server.stop()
    }

    @Test(arguments: ["garbage", "missing", "no grids layer"])
    func aFileThatFailsToLoadKeepsTheOldAnswers(_ breakage: String) async throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try HandMadeGrids.write(to: grids)
        let server = try await TestServer.start(grids: grids)

        switch breakage {
        case "garbage": try Data("this is not a GeoPackage".utf8).write(to: URL(fileURLWithPath: grids))
        case "missing": try FileManager.default.removeItem(atPath: grids)
        default:
            try FileManager.default.removeItem(atPath: grids)
            try GeoPackageWriter.write([Layer(name: "roads", geometryType: "POLYGON", srs: .wgs84,
                                              fields: [FieldDefinition("code", .text)], features: [])], to: grids)
        }
        let reload = try await server.post("/v1/reload")
        #expect(reload.status == 422, "\(reload.text)")
        let error = try #require(reload.error)
        #expect(error.contains(grids), "the error names the file: \(error)")
        #expect(error.contains("still serving generation 1"))
        let after = try await server.get("/v1/locate?lon=\(Self.west.lon)&lat=\(Self.west.lat)")
        #expect(after.status == 200)
        #expect(after.object?["grid_code"] as? String == HandMadeGrids.code(0, 0))
        let health = try await server.get("/healthz")
        #expect(health.object?["generation"] as? Int == 1)
        let metrics = try await server.get("/metrics")
        #expect(metrics.text.contains("gridweave_reloads_total{outcome=\"failure\"} 1\n"))
        #expect(metrics.text.contains("gridweave_reloads_total{outcome=\"success\"} 0\n"))
        await server.stop()
    }

    /// Clients keep asking (single points and batches) while the file is swapped between two
    /// versions five times: every request is answered 200, every answer is one file's answer,
    /// and every batch is answered from one file (never a mix).
    @Test func requestsDuringReloadsAllSucceedFromOneFileOrTheOther() async throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try HandMadeGrids.write(to: grids)
        let server = try await TestServer.start(grids: grids)
        var codesA: Set<String> = [], codesB: Set<String> = []
        for j in 0..<2 {
            for i in 0..<3 {
                codesA.insert(HandMadeGrids.code(i, j))
                codesB.insert(HandMadeGrids.code(i, j, community: "310101001002", first: 11))
            }
        }
        // The centres of the six grids: each is answered by one grid of either file.
        var points: [(Double, Double)] = []
        for j in 0..<2 {
            for i in 0..<3 { points.append((121.405 + 0.01 * Double(i), 31.205 + 0.01 * Double(j))) }
        }
        let fileA = codesA, fileB = codesB, centres = points
        let batchBody = "{\"points\": [" + centres.map { "{\"lon\": \($0.0), \"lat\": \($0.1)}" }.joined(separator: ",") + "]}"

        let failures = try await withThrowingTaskGroup(of: [String].self) { group in
            for client in 0..<6 {
                group.addTask {
                    var problems: [String] = []
                    for n in 0..<40 {
                        if n % 4 == 3 {
                            let answer = try await server.post("/v1/locate", body: batchBody)
                            let codes = (answer.object?["results"] as? [[String: Any]] ?? []).compactMap { $0["grid_code"] as? String }
                            if answer.status != 200 || codes.count != 6 || !(Set(codes) == fileA || Set(codes) == fileB) {
                                problems.append("client \(client) batch \(n): \(answer.status) \(codes)")
                            }
                        } else {
                            let (lon, lat) = centres[(client + n) % centres.count]
                            let answer = try await server.get("/v1/locate?lon=\(lon)&lat=\(lat)")
                            let code = answer.object?["grid_code"] as? String ?? ""
                            if answer.status != 200 || !(fileA.contains(code) || fileB.contains(code)) {
                                problems.append("client \(client) request \(n): \(answer.status) \(answer.text)")
                            }
                        }
                    }
                    return problems
                }
            }
            group.addTask {
                var problems: [String] = []
                for reload in 0..<5 {
                    if reload % 2 == 0 {
                        try HandMadeGrids.write(to: grids, community: "310101001002", first: 11)
                    } else {
                        try HandMadeGrids.write(to: grids)
                    }
                    let answer = try await server.post("/v1/reload")
                    if answer.status != 200 { problems.append("reload \(reload): \(answer.status) \(answer.text)") }
                }
                return problems
            }
            var all: [String] = []
            for try await problems in group { all += problems }
            return all
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
        let health = try await server.get("/healthz")
        #expect(health.object?["generation"] as? Int == 6)
        await server.stop()
    }
}
