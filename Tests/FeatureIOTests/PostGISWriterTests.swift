@testable import FeatureIO
import Foundation
import GeometryEngine
import Testing
import TestSupport

/// `PostGISWriter` against a real PostgreSQL 15 with PostGIS: tables written in one transaction,
/// read back as written, and a failure part-way leaves the database as it was.
@Suite("PostGIS writer", .enabled(if: PostGISServer.isAvailable, "needs postgresql-15-postgis-3 (tools/install-deps)"),
       .timeLimit(.minutes(10)))
struct PostGISWriterTests {
    static func square(_ x: Double) -> Geometry {
        .polygon(Polygon(exterior: [XY(x, 0), XY(x + 1, 0), XY(x + 1, 1), XY(x, 1), XY(x, 0)]))
    }

    static func grids(_ count: Int) -> Layer {
        Layer(name: "grids", geometryType: "POLYGON", srs: .wgs84,
              fields: [FieldDefinition("code", .text), FieldDefinition("households", .integer), FieldDefinition("road_m", .real),
                       FieldDefinition("网格员", .text)],
              features: (0..<count).map(gridFeature))
    }

    static func gridFeature(_ index: Int) -> Feature {
        var properties: [String: FieldValue] = [:]
        properties["code"] = .text("31010100100100\(index)")
        properties["households"] = .integer(Int64(200 + index))
        properties["road_m"] = .real(12.25)
        properties["网格员"] = index == 0 ? FieldValue.null : .text("张三\(index)")
        return Feature(fid: Int64(index + 1), geometry: square(Double(index)), properties: properties)
    }

    @Test func layersRoundTripThroughTheDatabase() async throws {
        try await withPostGIS { server in
            let written = [Self.grids(3), Layer(name: "assignments", fields: [FieldDefinition("building_id", .text)],
                                                features: [Feature(fid: 1, geometry: nil, properties: ["building_id": .text("楼-1")])])]
            try await blocking { try PostGISWriter.write(written, to: server.connection) }
            let reader = try GDALReader(path: server.connection)
            for layer in written {
                let read = try reader.readLayer(layer.name)
                #expect(read.features.sorted { ($0.fid ?? 0) < ($1.fid ?? 0) } == layer.features)
                #expect(read.fields == layer.fields)
                #expect(read.srs?.epsgCode == layer.srs?.epsgCode)
            }
        }
    }

    @Test func aFailurePartWayLeavesTheTablesAsTheyWere() async throws {
        try await withPostGIS { server in
            try await blocking { try PostGISWriter.write([Self.grids(2)], to: server.connection) }
            // The second layer's geometry is not of its type: PostGIS refuses it, after grids was replaced.
            let line = Geometry.lineString([XY(0, 0), XY(1, 1)])
            let bad = Layer(name: "microgrids", geometryType: "POLYGON", srs: .wgs84, fields: [],
                            features: [Feature(fid: 1, geometry: line)])
            let connection = server.connection + " password=hidden-pw"
            let error = try await blocking { () -> FeatureIOError? in
                do {
                    try PostGISWriter.write([Self.grids(5), bad], to: connection)
                    return nil
                } catch let error as FeatureIOError {
                    return error
                }
            }
            let failure = try #require(error, "writing a line into a polygon column must fail")
            #expect(failure.file == server.connection + " password=***")
            #expect(!failure.description.contains("hidden-pw"))
            let state = try await blocking {
                [try server.sql("SELECT count(*) FROM grids"),
                 try server.sql("SELECT count(*) FROM information_schema.tables WHERE table_name = 'microgrids'")]
            }
            #expect(state == ["2", "0"])
        }
    }

    @Test func aDatabaseWithoutPostGISIsRefusedBeforeAnythingIsWritten() async throws {
        try await withPostGIS { server in
            _ = try await blocking { try server.sql("CREATE DATABASE plain", database: "postgres") }
            let plain = "PG:host=127.0.0.1 port=\(server.port) dbname=plain user=\(server.user)"
            #expect(throws: FeatureIOError.self) { try PostGISWriter.check(plain) }
            try PostGISWriter.check(server.connection)
        }
    }

    @Test func passwordsAreMaskedInEveryFormOfConnection() {
        #expect(DatabaseConnection.redacted("PG:host=h password=abc user=u") == "PG:host=h password=*** user=u")
        #expect(DatabaseConnection.redacted("PG:host=h PASSWORD = 'a b\\'c' user=u") == "PG:host=h PASSWORD = *** user=u")
        #expect(DatabaseConnection.redacted("PG:postgresql://grids:abc@db.example/city") == "PG:postgresql://grids:***@db.example/city")
        #expect(DatabaseConnection.isConnection("pg:dbname=x"))
        #expect(!DatabaseConnection.isConnection("grids.gpkg"))
    }
}
