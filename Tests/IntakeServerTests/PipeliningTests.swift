import Foundation
import Testing
import TestSupport

/// Single-point lookups are answered in the HTTP/1 pipeline, everything else by the router:
/// on one keep-alive connection the answers still leave in the order the requests came, and a
/// lookup answered by either path is the same answer.
@Suite(.timeLimit(.minutes(10))) struct PipeliningTests {
    /// Grid (0, 0)'s south-west micro-grid, grid (1, 0)'s north-east one, grid (2, 1)'s.
    static let points = [(121.4012, 31.2013), (121.4177, 31.2073), (121.4271, 31.2183)]

    static func get(_ n: Int, close: Bool = false) -> String {
        let (lon, lat) = points[n]
        return "GET /v1/locate?lon=\(lon)&lat=\(lat)&id=g\(n) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + (close ? "Connection: close\r\n" : "") + "\r\n"
    }

    static func post(_ body: String) -> String {
        "POST /v1/locate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    @Test func answersLeaveInTheOrderTheRequestsCame() async throws {
        let (server, directory) = try await TestServer.startOnHandMadeGrids()
        defer { withExtendedLifetime(directory) {} }

        let batch = "{\"points\": [" + Self.points.enumerated().map { "{\"id\": \"b\($0)\", \"lon\": \($1.0), \"lat\": \($1.1)}" }
            .joined(separator: ", ") + "]}"
        // g0 is answered in the pipeline; the batch goes to the router, and so do g1 and the
        // health check behind it, which arrive before the batch is answered; g2 closes.
        let answers = try await RawHTTPClient.pipeline(server.port, [
            Self.get(0), Self.post(batch), Self.get(1), "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            Self.get(0), "GET /v1/locate?lon=200&lat=31.2&id=bad HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", Self.get(2, close: true),
        ])
        try #require(answers.count == 7, "\(answers.map(\.text))")
        #expect(answers.map(\.status) == [200, 200, 200, 200, 200, 400, 200])
        #expect(answers[0].object?["id"] as? String == "g0")
        let results = try #require(answers[1].object?["results"] as? [[String: Any]])
        #expect(results.map { $0["id"] as? String } == ["b0", "b1", "b2"])
        #expect(answers[2].object?["id"] as? String == "g1")
        #expect(answers[3].object?["status"] as? String == "ok")
        #expect(answers[4].object?["id"] as? String == "g0")
        #expect(answers[5].error?.hasPrefix("lon:") == true, "\(answers[5].text)")
        #expect(answers[6].object?["id"] as? String == "g2")

        // The same point gets the same answer from the batch, from the pipeline (g0, g2 and the
        // second g0) and from the router (g1 and the repeated g0 may go either way).
        let codes = [answers[0], answers[2], answers[6]].map { $0.object?["microgrid_code"] as? String }
        #expect(codes == results.map { $0["microgrid_code"] as? String })
        #expect(codes == [HandMadeGrids.code(0, 0) + "01", HandMadeGrids.code(1, 0) + "04", HandMadeGrids.code(2, 1) + "04"])
        #expect(answers[4].text == answers[0].text)
        for answer in answers {
            #expect(answer.headers["content-type"] == "application/json")
            #expect(answer.headers["date"]?.hasSuffix(" GMT") == true)
        }
        await server.stop()
    }

    /// Every single-point answer is counted in the metrics, by whichever path answered it.
    @Test func metricsCountLookupsAnsweredInThePipeline() async throws {
        let (server, directory) = try await TestServer.startOnHandMadeGrids()
        defer { withExtendedLifetime(directory) {} }
        for n in 0..<3 { _ = try await server.get("/v1/locate?lon=\(Self.points[n].0)&lat=\(Self.points[n].1)") }
        _ = try await server.get("/v1/locate?lon=121.5")
        let metrics = try await server.get("/metrics").text
        #expect(metrics.contains("gridweave_http_requests_total{route=\"/v1/locate\",method=\"GET\",status=\"200\"} 3"), "\(metrics)")
        #expect(metrics.contains("gridweave_http_requests_total{route=\"/v1/locate\",method=\"GET\",status=\"400\"} 1"))
        #expect(metrics.contains("gridweave_lookups_total{status=\"inside\"} 3"))
        #expect(metrics.contains("gridweave_http_request_duration_seconds_count{route=\"/v1/locate\"} 4"))
        await server.stop()
    }

    /// The query is read byte by byte: empty and unknown parameters are skipped, values are
    /// percent-decoded, a parameter without `=` is empty, and each answer is what the router,
    /// reached behind a batch on the same connection, answers to the same query.
    @Test func queriesAreReadAsTheRouterReadsThem() async throws {
        let (server, directory) = try await TestServer.startOnHandMadeGrids()
        defer { withExtendedLifetime(directory) {} }
        let queries = [
            "?&&zoom=3&lon=121.4012&&lat=31%2E2013&id=a%20b&",
            "?lon=121.4012&lat=31.2013&id",
            "?id=x&lon=121.4012&lat",
            "?lon=121.4012&lat=31.2013&datum=GCJ02",
            "?lon=121.4012&lon=121.4012&lat=31.2013",
            "?datum=wgs84&datum=wgs84&lon=121.4012&lat=31.2013",
            "",
        ]
        var expected: [(Int, String)] = []
        for query in queries {
            let answer = try await server.get("/v1/locate" + query)
            expected.append((answer.status, answer.text))
        }
        #expect(expected[0].0 == 200 && expected[0].1.hasPrefix("{\"id\":\"a b\",\"grid_code\":\"\(HandMadeGrids.code(0, 0))\""),
                "\(expected[0].1)")
        #expect(expected[1].0 == 200 && expected[1].1.hasPrefix("{\"id\":\"\","), "\(expected[1].1)")
        #expect(expected.map(\.0) == [200, 200, 400, 200, 400, 400, 400])
        #expect(expected[4].1.contains("lon: given twice") && expected[5].1.contains("datum: given twice"))

        let batch = "{\"points\": []}"
        let routed = try await RawHTTPClient.pipeline(server.port, [Self.post(batch)] + queries.enumerated().map { n, query in
            "GET /v1/locate\(query) HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (n == queries.count - 1 ? "Connection: close\r\n" : "") + "\r\n"
        })
        try #require(routed.count == queries.count + 1)
        for (n, answer) in routed.dropFirst().enumerated() {
            #expect(answer.status == expected[n].0 && answer.text == expected[n].1, "\(queries[n])")
        }
        await server.stop()
    }
}
