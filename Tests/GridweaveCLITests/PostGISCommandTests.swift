import FeatureIO
import Foundation
import GeometryEngine
import Testing
import TestSupport

/// `partition -o PG:...`, `locate --grids PG:...` and `serve --grids PG:...` against a real
/// PostgreSQL 15 with PostGIS started for each test (issue #29): the same partition in the
/// database and in a GeoPackage answers the same lookups, byte for byte.
@Suite("PostGIS", .enabled(if: PostGISServer.isAvailable && gdalInstalled, "needs postgresql-15-postgis-3 (tools/install-deps)"),
       .timeLimit(.minutes(10)))
struct PostGISCommandTests {
    /// Points over the Shanghai sample (WGS 84, as its grids): every vertex of every grid, which
    /// lies on the boundaries the lookup's rule decides, the middle of each grid, a lattice over
    /// the district and beyond it; with a Chinese column to carry through.
    static func events(forGrids grids: String) throws -> String {
        let layer = try GeoPackageReader(path: grids).readLayer("grids")
        var lines = ["id,lon,lat,备注"]
        for feature in layer.features {
            guard let geometry = feature.geometry, let envelope = geometry.envelope else { continue }
            for (index, point) in geometry.coordinates.enumerated() {
                lines.append("v\(feature.fid ?? 0)-\(index),\(point.x),\(point.y),顶点")
            }
            lines.append("c\(feature.fid ?? 0),\((envelope.minX + envelope.maxX) / 2),\((envelope.minY + envelope.maxY) / 2),中心")
        }
        let extent = try #require(layer.extent)
        for row in 0...40 {
            for column in 0...40 {
                let lon = extent.minX - 0.002 + (extent.maxX - extent.minX + 0.004) * Double(column) / 40
                let lat = extent.minY - 0.002 + (extent.maxY - extent.minY + 0.004) * Double(row) / 40
                lines.append("g\(row)-\(column),\(lon),\(lat),网格点")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func aPartitionInPostGISAnswersLocateByteForByteAsTheGeoPackage() async throws {
        try await withPostGIS { server in
            let directory = try TemporaryDirectory()
            let geoPackage = directory.path("grids.gpkg")
            // A password (trust ignores it) that no output may show.
            let connection = server.connection + " password=s3cret-pw"
            let results = try await blocking {
                [try runGridweave(["partition", sampleDistrict("shanghai.gpkg").path, "-o", geoPackage]),
                 try runGridweave(["partition", sampleDistrict("shanghai.gpkg").path, "-o", connection])]
            }
            for result in results { #expect(result.status == 0, "\(result.stderr)") }
            #expect(results[1].stdout.contains("wrote \(server.connection) password=***"), "\(results[1].stdout)")
            #expect(!(results[1].stdout + results[1].stderr).contains("s3cret"))

            // Every layer holds the GeoPackage's rows: fids, values and geometry, exactly.
            let database = try GDALReader(path: connection)
            let file = try GeoPackageReader(path: geoPackage)
            for name in ["grids", "microgrids", "building_assignments", "shop_assignments", "road_assignments", "unplaced_buildings"] {
                let expected = try file.readLayer(name)
                let got = try database.readLayer(name)
                #expect(got.features.sorted { ($0.fid ?? 0) < ($1.fid ?? 0) } == expected.features, "layer \(name)")
                #expect(got.fields.map(\.name) == expected.fields.map(\.name), "layer \(name)")
                #expect(got.srs?.epsgCode == expected.srs?.epsgCode, "layer \(name)")
            }
            // With a spatial index on every geometry.
            let indexed = try await blocking {
                try server.sql("SELECT tablename FROM pg_indexes WHERE schemaname = 'public' AND indexdef LIKE '%USING gist%' ORDER BY 1")
            }
            #expect(indexed.split(separator: "\n") == ["grids", "microgrids", "road_assignments"])

            try Data(try Self.events(forGrids: geoPackage).utf8).write(to: directory.url("events.csv"))
            let located = try await blocking {
                [try runGridweave(["locate", "--grids", geoPackage, directory.path("events.csv"), "-o", directory.path("from-gpkg.csv")]),
                 try runGridweave(["locate", "--grids", connection, directory.path("events.csv"), "-o", directory.path("from-pg.csv"),
                                   "--summary"])]
            }
            for result in located { #expect(result.status == 0, "\(result.stderr)") }
            let fromFile = try Data(contentsOf: directory.url("from-gpkg.csv"))
            let fromDatabase = try Data(contentsOf: directory.url("from-pg.csv"))
            #expect(fromDatabase == fromFile)
            let text = String(decoding: fromFile, as: UTF8.self)
            #expect(text.split(separator: "\n").count > 1_500)
            for status in [",inside,", ",outside,", "顶点"] { #expect(text.contains(status), "no \(status) in the answers") }
            #expect(located[1].stderr.contains("index built"), "\(located[1].stderr)")
            #expect(!located[1].stderr.contains("s3cret"))

            // The coverage check reads the database as it reads the file: the same findings.
            let checked = try await blocking {
                [try runGridweave(["coverage", "--grids", geoPackage, "--district", sampleDistrict("shanghai.gpkg").path,
                                   "-o", directory.path("report-gpkg"), "--allow-findings"]),
                 try runGridweave(["coverage", "--grids", connection, "--district", sampleDistrict("shanghai.gpkg").path,
                                   "-o", directory.path("report-pg"), "--allow-findings"])]
            }
            for result in checked { #expect(result.status == 0, "\(result.stderr)") }
            let findings = try ["report-gpkg", "report-pg"].map { try Data(contentsOf: directory.url("\($0)/findings.geojson")) }
            #expect(findings[0] == findings[1], "the findings differ between the GeoPackage and the database")
            let page = try String(contentsOfFile: directory.path("report-pg/index.html"), encoding: .utf8)
            #expect(!page.contains("s3cret") && !(checked[1].stdout + checked[1].stderr).contains("s3cret"))
        }
    }

    @Test func aSecondPartitionReplacesTheTablesAndAnotherSchemaKeepsItsOwn() async throws {
        try await withPostGIS { server in
            let district = sampleDistrict("shanghai.gpkg").path
            let results = try await blocking {
                [try runGridweave(["partition", district, "-o", server.connection]),
                 try runGridweave(["partition", district, "-o", server.connection, "--grid-target", "170", "--grid-min", "120"]),
                 try runGridweave(["partition", district, "-o", server.connection, "--schema", "plan_2025"])]
            }
            for result in results { #expect(result.status == 0, "\(result.stderr)") }
            let counts = try await blocking {
                [try server.sql("SELECT count(*) FROM public.grids"), try server.sql("SELECT count(*) FROM plan_2025.grids"),
                 try server.sql("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'grids'")]
            }
            // Smaller grids in public, the default ones in the new schema; one table of each.
            #expect(Int(counts[0])! > Int(counts[1])!, "\(counts)")
            #expect(counts[2] == "1")

            // locate reads the schema named in the connection (GDAL's active_schema).
            let directory = try TemporaryDirectory()
            try Data("id,lon,lat\ne1,121.4841,31.2362\n".utf8).write(to: directory.url("e.csv"))
            let located = try await blocking {
                try runGridweave(["locate", "--grids", server.connection + " active_schema=plan_2025", directory.path("e.csv")])
            }
            #expect(located.status == 0, "\(located.stderr)")
            #expect(located.stdout.contains(",inside,"), "\(located.stdout)")
        }
    }

    @Test func anUnreachableDatabaseIsAnErrorNamingItWithoutThePasswordBeforeAnyWork() async throws {
        let port = try freeLoopbackPort()
        let connection = "PG:host=127.0.0.1 port=\(port) dbname=city user=grids password=s3cret-pw"
        let shown = "PG:host=127.0.0.1 port=\(port) dbname=city user=grids password=***"
        let results = try await blocking {
            [try runGridweave(["partition", sampleDistrict("bubenec.gpkg").path, "-o", connection]),
             try runGridweave(["locate", "--grids", connection], input: Data("id,lon,lat\n".utf8)),
             try runGridweave(["serve", "--grids", connection, "--port", "0"], timeout: 60)]
        }
        for result in results {
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix("error: "), "\(result.stderr)")
            #expect(result.stderr.contains(shown), "\(result.stderr)")
            #expect(result.stderr.contains("cannot connect to the database"), "\(result.stderr)")
            #expect(!(result.stdout + result.stderr).contains("s3cret"))
        }
        // Refused before the partition: no summary.
        #expect(!results[0].stdout.contains("grids"))
    }

    @Test func serveReadsTheDatabaseAndAReloadReadsItsNewestTables() async throws {
        try await withPostGIS { server in
            let district = sampleDistrict("shanghai.gpkg").path
            let first = try await blocking { try runGridweave(["partition", district, "-o", server.connection]) }
            #expect(first.status == 0, "\(first.stderr)")
            let directory = try TemporaryDirectory()
            let port = try freeLoopbackPort()
            let logPath = directory.path("serve.log")
            let (process, logFile) = try ServeCommandTests.launchServe(grids: server.connection, port: port, logPath: logPath)
            defer { if process.isRunning { process.terminate() } }

            let up = await ServeCommandTests.eventually { await ServeCommandTests.get(port, "/healthz")?.status == 200 }
            try #require(up, "the server did not come up")
            let grids = try await blocking { try server.sql("SELECT count(*) FROM grids") }
            let health = await ServeCommandTests.get(port, "/healthz")?.body ?? ""
            #expect(health.contains("\"grids\":\(grids)"), "\(health)")
            let answer = await ServeCommandTests.get(port, "/v1/locate?lon=121.4841&lat=31.2362")
            #expect(answer?.body.contains("\"status\":\"inside\"") == true, "\(answer?.body ?? "")")

            // Smaller grids written while it serves; SIGHUP reads them.
            let second = try await blocking {
                try runGridweave(["partition", district, "-o", server.connection, "--grid-target", "170", "--grid-min", "120"])
            }
            #expect(second.status == 0, "\(second.stderr)")
            let newGrids = try await blocking { try server.sql("SELECT count(*) FROM grids") }
            #expect(newGrids != grids)
            kill(process.processIdentifier, SIGHUP)
            let reloaded = await ServeCommandTests.eventually {
                await ServeCommandTests.get(port, "/healthz")?.body.contains("\"grids\":\(newGrids)") == true
            }
            #expect(reloaded, "SIGHUP did not read the newest tables")

            kill(process.processIdentifier, SIGTERM)
            #expect(await ServeCommandTests.eventually { !process.isRunning }, "SIGTERM did not stop the server")
            process.waitUntilExit()
            try logFile.close()
            let log = try String(contentsOfFile: logPath, encoding: .utf8)
            #expect(log.contains("msg=reloaded"), "\(log)")
        }
    }
}
