import Foundation
import IntakeServer
import Testing
import TestSupport

/// Admin routes: reload over HTTP only with the token of `--admin-token-file`, `/metrics` too
/// when a token is set.
@Suite(.timeLimit(.minutes(10))) struct AdminTests {
    @Test func withoutATokenReloadOverHTTPIsOffAndNamesSIGHUP() async throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try HandMadeGrids.write(to: grids)
        let server = try await TestServer.start(grids: grids, adminToken: nil)
        let answer = try await server.post("/v1/reload")
        #expect(answer.status == 403)
        #expect(answer.error?.contains("SIGHUP") == true)
        #expect(answer.error?.contains("--admin-token-file") == true)
        // Nothing was reloaded.
        #expect(try await server.get("/healthz").object?["generation"] as? Int == 1)
        // /metrics stays open without a token.
        #expect(try await server.get("/metrics").status == 200)
        try await server.stop(within: TestServer.stopLimit)
    }

    @Test func reloadNeedsTheRightBearerToken() async throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try HandMadeGrids.write(to: grids)
        let server = try await TestServer.start(grids: grids, adminToken: AdminToken(secret: "s3cret-token"))
        let missing = try await RawHTTPClient.request(server.port, "POST", "/v1/reload")
        #expect(missing.status == 401)
        #expect(missing.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
        #expect(missing.error?.contains("Authorization") == true)
        for wrong in ["Bearer s3cret-toke", "Bearer s3cret-token2", "Basic s3cret-token", "Bearer "] {
            let answer = try await RawHTTPClient.request(server.port, "POST", "/v1/reload", headers: ["Authorization": wrong])
            #expect(answer.status == 401, "\(wrong)")
        }
        #expect(try await server.get("/healthz").object?["generation"] as? Int == 1)
        let right = try await RawHTTPClient.request(server.port, "POST", "/v1/reload", headers: ["Authorization": "Bearer s3cret-token"])
        #expect(right.status == 200)
        #expect(try await server.get("/healthz").object?["generation"] as? Int == 2)
        // /metrics follows the token once one is set.
        #expect(try await server.get("/metrics").status == 401)
        let metrics = try await RawHTTPClient.request(server.port, "GET", "/metrics", headers: ["Authorization": "Bearer s3cret-token"])
        #expect(metrics.status == 200)
        try await server.stop(within: TestServer.stopLimit)
    }

    @Test func aTokenFileOthersCanReadIsRefused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("admin.token")
        try "s3cret\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o644)
        let error = #expect(throws: IntakeServerError.self) { try AdminToken(contentsOf: path) }
        #expect(error?.message.contains("chmod 600") == true)
        chmod(path, 0o600)
        _ = try AdminToken(contentsOf: path)
        let empty = directory.path("empty.token")
        try "\n".write(toFile: empty, atomically: true, encoding: .utf8)
        chmod(empty, 0o600)
        #expect(throws: IntakeServerError.self) { try AdminToken(contentsOf: empty) }
    }
}
