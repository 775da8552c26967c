import FeatureIO
import Foundation
import GeometryEngine
import GridLookup
import Projections
import Testing
import TestSupport

/// `GET /v1/locate` and `POST /v1/locate` against a real server on a loopback port: the same
/// answers as `GridIndex.locate` and as `gridweave locate`.
@Suite(.timeLimit(.minutes(10))) struct LocateTests {
    /// A partition of a small generated district (metres in EPSG:4549, so every request goes
    /// through PROJ), and random points around its extent in WGS 84 longitude/latitude.
    @Test func answersAgreeWithTheIndexAndTheLocateCommand() async throws {
        let directory = try TemporaryDirectory()
        let district = directory.path("district.gpkg"), grids = directory.path("grids.gpkg")
        let generated = try await blocking { try runGridweave(["generate", "-o", district, "--households", "3000", "--seed", "11"]) }
        try #require(generated.status == 0, "\(generated.stderr)")
        let partitioned = try await blocking { try runGridweave(["partition", district, "-o", grids]) }
        try #require(partitioned.status == 0, "\(partitioned.stderr)")

        let index = try GridIndex(contentsOf: grids)
        let epsg = try #require(index.epsg)
        #expect(epsg != 4326)
        let extent = try #require(try GeoPackageReader(path: grids).readLayer("grids").extent)
        let toLonLat = try CoordinateTransformer(from: epsg, to: 4326)
        let southWest = try toLonLat.transform(XY(extent.minX, extent.minY))
        let northEast = try toLonLat.transform(XY(extent.maxX, extent.maxY))
        // A margin around the extent, so that some points are near and some outside.
        let marginX = (northEast.x - southWest.x) * 0.05, marginY = (northEast.y - southWest.y) * 0.05
        var random = SplitMix64(seed: 2026)
        let points = (0..<240).map { _ in
            XY(random.uniform(southWest.x - marginX, northEast.x + marginX), random.uniform(southWest.y - marginY, northEast.y + marginY))
        }

        let converter = try LonLatConverter(targetEPSG: epsg)
        let expected = points.map { Answer(index.locate(converter.convert($0)), in: index) }
        #expect(Set(expected.map(\.status)).isSuperset(of: ["inside", "outside"]), "the points should land both inside and outside")

        // The locate command on the same points.
        var csv = "id,lon,lat\n"
        for (n, point) in points.enumerated() { csv += "p\(n),\(point.x),\(point.y)\n" }
        let input = Data(csv.utf8)
        let located = try await blocking { try runGridweave(["locate", "--grids", grids, "-"], input: input) }
        try #require(located.status == 0, "\(located.stderr)")
        let cliAnswers = csvRows(located.stdout).map { Answer(csv: $0) }
        #expect(cliAnswers == expected)

        let server = try await TestServer.start(grids: grids)
        for (n, point) in points.enumerated() {
            let answer = try await server.get("/v1/locate?lon=\(point.x)&lat=\(point.y)&id=p\(n)")
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer.headers["content-type"] == "application/json")
            #expect(answer.object?["id"] as? String == "p\(n)")
            #expect(Answer(json: answer.object) == expected[n], "point \(n) at \(point)")
        }

        // The batch: the same answers, in order.
        let body = "{\"points\": [" + points.enumerated().map { "{\"id\": \"p\($0)\", \"lon\": \($1.x), \"lat\": \($1.y)}" }
            .joined(separator: ", ") + "]}"
        let batch = try await server.post("/v1/locate", body: body)
        #expect(batch.status == 200, "\(batch.text)")
        let results = try #require(batch.object?["results"] as? [[String: Any]])
        #expect(results.map { Answer(json: $0) } == expected.map { Optional($0) })
        #expect(results.map { $0["id"] as? String } == points.indices.map { "p\($0)" })

        // Another datum: GCJ-02 input is brought to WGS 84 first, per request and per batch.
        let gcjPoints = Array(points.prefix(60))
        let gcjExpected = gcjPoints.map { Answer(index.locate(converter.convert($0, datum: .gcj02)), in: index) }
        for (n, point) in gcjPoints.enumerated() {
            let answer = try await server.get("/v1/locate?lon=\(point.x)&lat=\(point.y)&datum=gcj02")
            #expect(Answer(json: answer.object) == gcjExpected[n], "GCJ-02 point \(n)")
        }
        let gcjBody = "{\"datum\": \"gcj02\", \"points\": ["
            + gcjPoints.map { "{\"lon\": \($0.x), \"lat\": \($0.y)}" }.joined(separator: ",") + "]}"
        let gcjBatch = try await server.post("/v1/locate", body: gcjBody)
        let gcjResults = try #require(gcjBatch.object?["results"] as? [[String: Any]])
        #expect(gcjResults.map { Answer(json: $0) } == gcjExpected.map { Optional($0) })
        await server.stop()
    }

    @Test func answersTheColumnsOfTheCSV() async throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try HandMadeGrids.write(to: grids)
        let server = try await TestServer.start(grids: grids)
        let inside = try await server.get("/v1/locate?lon=121.4013&lat=31.2012&id=e1")
        #expect(inside.status == 200)
        #expect(inside.text == #"{"id":"e1","grid_code":"310101001001001","microgrid_code":"31010100100100101","#
            + #""community_code":"310101001001","status":"inside","distance_m":0}"# + "\n")
        let outside = try await server.get("/v1/locate?lat=31.30&lon=121.60")
        #expect(outside.text == #"{"id":null,"grid_code":null,"microgrid_code":null,"community_code":null,"#
            + #""status":"outside","distance_m":null}"# + "\n")
        // 0.00015° east of the east edge at 31.205 N: about 14.3 m, in centimetres like the CSV.
        let near = try await server.get("/v1/locate?lon=121.43015&lat=31.2052")
        #expect(near.object?["status"] as? String == "near")
        #expect(near.object?["grid_code"] as? String == HandMadeGrids.code(2, 0))
        let metres = try #require((near.object?["distance_m"] as? NSNumber)?.doubleValue)
        #expect(metres > 14 && metres < 15 && (metres * 100).rounded() == metres * 100)
        await server.stop()
    }

    /// One bad point in a batch is answered `invalid` with its reason; the others are located.
    @Test func aBatchAnswersBadPointsInvalidAndLocatesTheRest() async throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try HandMadeGrids.write(to: grids)
        let server = try await TestServer.start(grids: grids)
        let body = """
            {"points": [
              {"id": "ok", "lon": 121.4013, "lat": 31.2012},
              {"id": "north", "lon": 121.4013, "lat": 91},
              {"id": "east", "lon": 180.5, "lat": 31.2},
              {"id": "text", "lon": "121.4", "lat": 31.2},
              {"id": "nolat", "lon": 121.4},
              {"id": "null", "lon": null, "lat": 31.2},
              {"id": 7, "lon": 121.4074, "lat": 31.2012},
              {"lon": true, "lat": 31.2},
              {"id": ["x"], "lon": 121.4013, "lat": 31.2012}
            ]}
            """
        let answer = try await server.post("/v1/locate", body: body)
        #expect(answer.status == 200, "\(answer.text)")
        let results = try #require(answer.object?["results"] as? [[String: Any]])
        try #require(results.count == 9)
        #expect(results.map { $0["status"] as? String }
            == ["inside", "invalid", "invalid", "invalid", "invalid", "invalid", "inside", "invalid", "invalid"])
        #expect(results[0]["grid_code"] as? String == HandMadeGrids.code(0, 0))
        #expect(results[6]["id"] as? String == "7")
        #expect(results[6]["microgrid_code"] as? String == HandMadeGrids.code(0, 0) + "02")
        let reasons = results.map { $0["reason"] as? String ?? "" }
        #expect(reasons[1] == "lat: 91 is outside -90..90")
        #expect(reasons[2] == "lon: 180.5 is outside -180..180")
        #expect(reasons[3].hasPrefix("lon: the string \"121.4\" is not a number"))
        #expect(reasons[4].hasPrefix("lat: missing"))
        #expect(reasons[5] == "lon: null is not a number")
        #expect(reasons[7] == "lon: true is not a number")
        #expect(reasons[8].hasPrefix("id:"))
        #expect(results[7]["id"] is NSNull)
        await server.stop()
    }

    @Test func aGridIsAGeoJSONFeatureInWGS84() async throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try HandMadeGrids.write(to: grids)
        let server = try await TestServer.start(grids: grids)
        let code = HandMadeGrids.code(1, 1)
        let answer = try await server.get("/v1/grids/\(code)")
        #expect(answer.status == 200, "\(answer.text)")
        #expect(answer.headers["content-type"] == "application/geo+json")
        let feature = try #require(answer.object)
        #expect(feature["type"] as? String == "Feature")
        #expect(feature["id"] as? String == code)
        let properties = try #require(feature["properties"] as? [String: Any])
        #expect(properties["code"] as? String == code)
        #expect(properties["community_code"] as? String == "310101001001")
        #expect(properties["households"] as? Int == 204)
        // The layer read back through FeatureIO's GeoJSON reader: the square of grid (1, 1).
        let layer = try GeoJSON.decodeLayer(#"{"type":"FeatureCollection","features":["# + answer.text + "]}", name: "grid")
        let geometry = try #require(layer.features.first?.geometry)
        let envelope = try #require(geometry.envelope)
        #expect(abs(envelope.minX - 121.41) < 1e-12 && abs(envelope.maxX - 121.42) < 1e-12)
        #expect(abs(envelope.minY - 31.21) < 1e-12 && abs(envelope.maxY - 31.22) < 1e-12)
        await server.stop()
    }
}
