import Foundation
import Testing
import TestSupport

/// Bad input of every kind: a 4xx with a JSON `{"error": ...}` naming what was wrong, and the
/// server goes on answering.
@Suite(.timeLimit(.minutes(10))) struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var method: String
        var target: String
        var body: String
        var status: Int
        /// The start of the error message: the field or JSON path it names.
        var errorPrefix: String

        init(_ method: String, _ target: String, body: String = "", _ status: Int, _ errorPrefix: String) {
            self.method = method
            self.target = target
            self.body = body
            self.status = status
            self.errorPrefix = errorPrefix
        }

        var testDescription: String { "\(method) \(target) \(body.prefix(40)) → \(status)" }
    }

    static let cases: [Case] = [
        Case("GET", "/v1/locate?lat=31.2", 400, "lon: missing"),
        Case("GET", "/v1/locate?lon=121.4", 400, "lat: missing"),
        Case("GET", "/v1/locate", 400, "lon: missing"),
        Case("GET", "/v1/locate?lon=abc&lat=31.2", 400, "lon: 'abc' is not a number"),
        Case("GET", "/v1/locate?lon=121.4&lat=", 400, "lat: empty"),
        Case("GET", "/v1/locate?lon=0x10&lat=31.2", 400, "lon: '0x10' is not a number"),
        Case("GET", "/v1/locate?lon=121.4&lat=91", 400, "lat: 91 is outside -90..90"),
        Case("GET", "/v1/locate?lon=121.4&lat=-90.000001", 400, "lat: -90.000001 is outside -90..90"),
        Case("GET", "/v1/locate?lon=180.5&lat=31.2", 400, "lon: 180.5 is outside -180..180"),
        Case("GET", "/v1/locate?lon=NaN&lat=31.2", 400, "lon: 'NaN' is not a finite number"),
        Case("GET", "/v1/locate?lon=121.4&lat=inf", 400, "lat: 'inf' is not a finite number"),
        Case("GET", "/v1/locate?lon=121.4&lat=1e999", 400, "lat: '1e999' is not a number"),
        Case("GET", "/v1/locate?lon=121.4&lat=31.2&datum=wgs85", 400, "datum: unknown datum 'wgs85'"),
        Case("GET", "/v1/locate?lon=121.4&lat=31.2&lat=31.3", 400, "lat: given twice"),
        Case("POST", "/v1/locate", body: #"{"points": [{"lon": 121.4, "lat": 31.2}"#, 400, "malformed JSON"),
        Case("POST", "/v1/locate", body: "not json", 400, "malformed JSON"),
        Case("POST", "/v1/locate", body: "", 400, "the body is empty"),
        Case("POST", "/v1/locate", body: "[1, 2]", 400, "the body must be a JSON object"),
        Case("POST", "/v1/locate", body: #"{"datum": "wgs84"}"#, 400, "points: missing"),
        Case("POST", "/v1/locate", body: #"{"points": 5}"#, 400, "points: expected an array"),
        Case("POST", "/v1/locate", body: #"{"points": null}"#, 400, "points: null"),
        Case("POST", "/v1/locate", body: #"{"points": [{"lon": 121.4, "lat": 31.2}, 3]}"#, 400, "points[1]: expected an object"),
        Case("POST", "/v1/locate", body: #"{"datum": "gcj03", "points": []}"#, 400, "datum: unknown datum 'gcj03'"),
        Case("POST", "/v1/locate", body: #"{"datum": 4326, "points": []}"#, 400, "datum: expected a string"),
        Case("POST", "/v1/locate", body: "{\"points\": [" + Array(repeating: #"{"lon": 121.4, "lat": 31.2}"#, count: 11)
            .joined(separator: ",") + "]}", 413, "points: 11 points, more than the limit of 10"),
        Case("POST", "/v1/locate", body: "{\"points\": [], \"padding\": \"" + String(repeating: "x", count: 5000) + "\"}", 413,
             "the body is longer than the limit of 4096 bytes"),
        Case("GET", "/v1/grids/999999999999999", 404, "code: no grid 999999999999999"),
        Case("GET", "/v1/nowhere", 404, "no route /v1/nowhere"),
        Case("GET", "/v1/locate/", 404, "no route"),
        Case("GET", "/v1/grids/", 404, "no route"),
        Case("DELETE", "/v1/locate", 405, "/v1/locate: DELETE is not answered here; use GET, POST"),
        Case("GET", "/v1/reload", 405, "/v1/reload: GET is not answered here; use POST"),
        Case("POST", "/healthz", 405, "/healthz: POST is not answered here; use GET"),
        Case("PUT", "/v1/grids/310101001001001", 405, "/v1/grids/{code}: PUT is not answered here; use GET"),
    ]

    @Test(arguments: cases)
    func badInputIsA4xxWithAJSONError(_ bad: Case) async throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try HandMadeGrids.write(to: grids)
        let server = try await TestServer.start(grids: grids, maxBatch: 10, maxBodyBytes: 4096)
        let answer = try await RawHTTPClient.request(server.port, bad.method, bad.target, body: bad.body)
        #expect(answer.status == bad.status, "\(answer.text)")
        #expect(answer.headers["content-type"] == "application/json")
        let error = try #require(answer.error, "not a JSON error: \(answer.text)")
        #expect(error.hasPrefix(bad.errorPrefix), "\(error)")
        #expect(answer.object?.count == 1, "only the error: \(answer.text)")
        if bad.status == 405 { #expect(answer.headers["allow"] != nil) }
        // And the server still answers.
        let healthy = try await server.get("/healthz")
        #expect(healthy.status == 200)
        await server.stop()
    }

    /// What no HTTP library sends: a body longer than its Content-Length claims to allow, a
    /// chunked body over the limit, bytes that are not HTTP. None of it stops the server.
    @Test func nothingAClientSendsStopsTheServer() async throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try HandMadeGrids.write(to: grids)
        let server = try await TestServer.start(grids: grids, maxBodyBytes: 1024)

        let huge = try await RawHTTPClient.send(server.port, Array(
            "POST /v1/locate HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 999999999\r\n\r\n{\"points\":[".utf8))
        #expect(huge.status == 413)
        #expect(huge.error?.contains("--max-body") == true)

        var chunked = "POST /v1/locate HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
        for _ in 0..<4 { chunked += "200\r\n" + String(repeating: " ", count: 0x200) + "\r\n" }
        chunked += "0\r\n\r\n"
        let overChunked = try await RawHTTPClient.send(server.port, Array(chunked.utf8))
        #expect(overChunked.status == 413)

        // Not HTTP at all: the connection is answered 400 or closed; either way the server lives.
        _ = try? await RawHTTPClient.send(server.port, Array("\u{01}\u{02}garbage\r\n\r\n".utf8))
        _ = try? await RawHTTPClient.send(server.port, Array("GET /v1/locate?lon=1&lat=2 HTTP/1.1\r\nContent-Length: -5\r\n\r\n".utf8))
        var random = SplitMix64(seed: 99)
        for _ in 0..<20 {
            let bytes = (0..<Int(random.next() % 300)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            _ = try? await RawHTTPClient.send(server.port, Array("POST /v1/locate HTTP/1.1\r\nConnection: close\r\nContent-Length: \(bytes.count)\r\n\r\n".utf8) + bytes)
        }
        let located = try await server.get("/v1/locate?lon=121.4013&lat=31.2012")
        #expect(located.status == 200)
        #expect(located.object?["status"] as? String == "inside")
        await server.stop()
    }
}
