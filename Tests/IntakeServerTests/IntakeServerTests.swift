import Foundation
import IntakeServer
import Testing
import TestSupport

/// Starting, health and metrics of the server.
@Suite(.timeLimit(.minutes(10))) struct IntakeServerTests {
    @Test func aMissingGridsFileIsAStartupError() throws {
        let directory = try TemporaryDirectory()
        let missing = directory.path("nowhere.gpkg")
        let error = #expect(throws: IntakeServerError.self) {
            _ = try IntakeServer(configuration: .init(gridsPath: missing, port: 0), logger: quietLogger)
        }
        #expect(error?.kind == .startup)
        #expect(error?.message.contains(missing) == true)
    }

    @Test func aPortInUseIsAStartupError() async throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try HandMadeGrids.write(to: grids)
        let first = try await TestServer.start(grids: grids)
        let second = try IntakeServer(configuration: .init(gridsPath: grids, port: first.port), logger: quietLogger)
        let error = await #expect(throws: IntakeServerError.self) { try await second.run() }
        #expect(error?.kind == .startup)
        #expect(error?.message.contains("\(first.port)") == true)
        await first.stop()
    }

    @Test func healthzNamesTheFileServed() async throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try HandMadeGrids.write(to: grids)
        let server = try await TestServer.start(grids: grids)
        let answer = try await server.get("/healthz")
        #expect(answer.status == 200)
        let health = try #require(answer.object)
        #expect(health["status"] as? String == "ok")
        #expect(health["file"] as? String == grids)
        #expect(health["generation"] as? Int == 1)
        #expect(health["grids"] as? Int == 6)
        #expect(health["microgrids"] as? Int == 24)
        #expect(health["epsg"] as? Int == 4326)
        await server.stop()
    }

    /// What was sent is what /metrics counts: requests by route pattern, method and status,
    /// the latency histogram, lookups by status.
    @Test func metricsCountWhatWasSent() async throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try HandMadeGrids.write(to: grids)
        let server = try await TestServer.start(grids: grids)
        for _ in 0..<3 { _ = try await server.get("/v1/locate?lon=121.4013&lat=31.2012") }
        _ = try await server.get("/v1/locate?lon=121.60&lat=31.30")
        _ = try await server.get("/v1/locate?lon=121.4&lat=95")
        _ = try await server.get("/v1/locate?lon=x&lat=31")
        _ = try await server.post("/v1/locate", body: #"{"points": [{"lon": 121.4013, "lat": 31.2012}, {"lon": 121.4, "lat": 99}]}"#)
        _ = try await server.get("/v1/grids/\(HandMadeGrids.code(0, 0))")
        _ = try await server.get("/v1/grids/123")
        _ = try await server.get("/no/such/route")
        _ = try await RawHTTPClient.request(server.port, "PATCH", "/v1/locate")

        let answer = try await server.get("/metrics")
        #expect(answer.status == 200)
        #expect(answer.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        let samples = Self.samples(answer.text)
        #expect(samples[#"gridweave_http_requests_total{route="/v1/locate",method="GET",status="200"}"#] == 4)
        #expect(samples[#"gridweave_http_requests_total{route="/v1/locate",method="GET",status="400"}"#] == 2)
        #expect(samples[#"gridweave_http_requests_total{route="/v1/locate",method="POST",status="200"}"#] == 1)
        #expect(samples[#"gridweave_http_requests_total{route="/v1/locate",method="other",status="405"}"#] == 1)
        #expect(samples[#"gridweave_http_requests_total{route="/v1/grids/{code}",method="GET",status="200"}"#] == 1)
        #expect(samples[#"gridweave_http_requests_total{route="/v1/grids/{code}",method="GET",status="404"}"#] == 1)
        #expect(samples[#"gridweave_http_requests_total{route="unmatched",method="GET",status="404"}"#] == 1)
        #expect(samples[#"gridweave_http_request_duration_seconds_count{route="/v1/locate"}"#] == 8)
        #expect(samples[#"gridweave_http_request_duration_seconds_bucket{route="/v1/locate",le="+Inf"}"#] == 8)
        #expect(samples[#"gridweave_lookups_total{status="inside"}"#] == 4)
        #expect(samples[#"gridweave_lookups_total{status="outside"}"#] == 1)
        #expect(samples[#"gridweave_lookups_total{status="invalid"}"#] == 1)
        #expect(samples[#"gridweave_reloads_total{outcome="success"}"#] == 0)
        #expect(samples["gridweave_index_grids"] == 6)
        // No raw path ever becomes a label.
        #expect(!answer.text.contains("/no/such/route") && !answer.text.contains("/v1/grids/123"))
        // Buckets are cumulative.
        let buckets = answer.text.split(separator: "\n")
            .filter { $0.hasPrefix(#"gridweave_http_request_duration_seconds_bucket{route="/v1/locate""#) }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
        #expect(buckets == buckets.sorted())

        _ = try await server.post("/v1/reload")
        let after = Self.samples(try await server.get("/metrics").text)
        #expect(after[#"gridweave_reloads_total{outcome="success"}"#] == 1)
        #expect(after["gridweave_index_generation"] == 2)
        #expect(after[#"gridweave_http_requests_total{route="/metrics",method="GET",status="200"}"#] == 1)
        await server.stop()
    }

    /// `name{labels} value` lines of a Prometheus text page.
    static func samples(_ text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }
}
