import FeatureIO
import Foundation
import Testing
import TestSupport

/// `gridweave partition` as a user runs it: exit codes, the summary, the file, `error:` lines.
@Suite(.timeLimit(.minutes(10))) struct PartitionCommandTests {
    @Test func partitionsAGeneratedDistrictAndSummarises() throws {
        let directory = try TemporaryDirectory()
        let district = directory.path("city.gpkg")
        let generated = try runGridweave(["generate", "-o", district, "--households", "4000", "--seed", "5"])
        #expect(generated.status == 0, "\(generated.stderr)")
        let output = directory.path("grids.gpkg")
        let result = try runGridweave(["partition", district, "-o", output, "--threads", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        for part in ["grids", "micro-grids", "households", "in bounds", "Polsby-Popper", "roads", "time"] {
            #expect(result.stdout.contains(part), "\(part) missing from: \(result.stdout)")
        }
        #expect(!result.stderr.contains("error"))
        let reader = try GeoPackageReader(path: output)
        #expect(reader.layerNames.sorted() == ["building_assignments", "grids", "microgrids", "road_assignments", "shop_assignments",
                                               "unplaced_buildings"])
        let grids = try reader.readLayer("grids")
        #expect(!grids.features.isEmpty)
        #expect(grids.features.allSatisfy { $0["code"].string?.count == 15 })
        #expect(grids.srs?.organizationID == 4549)

        // The same input gives the same file, byte for byte.
        let again = directory.path("again.gpkg")
        #expect(try runGridweave(["partition", district, "-o", again, "--threads", "1"]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == Data(contentsOf: URL(fileURLWithPath: again)))
    }

    /// `--timings` prints one line per stage, in the order they run, with the seconds each took
    /// (and the peak memory of those that run alone), then the peaks and the slowest communities.
    @Test func timingsListEveryStage() throws {
        let directory = try TemporaryDirectory()
        let output = directory.path("grids.gpkg")
        let result = try runGridweave(["partition", sampleDistrict("bubenec.gpkg").path, "-o", output, "--timings"])
        #expect(result.status == 0, "\(result.stderr)")
        let stages = ["read", "working_crs", "blocks", "cells", "cell_graph", "grids", "micro_grids", "codes", "service_area", "write"]
        let table = result.stdout.components(separatedBy: "stage timings")
        let rest = try #require(table.last?.split(separator: "\n").dropFirst())
        let lines = rest.prefix(stages.count).map { $0.split(separator: " ") }
        #expect(lines.map { String($0.first ?? "") } == stages)
        for line in lines { #expect(line.count > 1 && Double(line[1]) != nil, "\(line)") }
        #if os(Linux)
        #expect(lines.first { $0.first == "read" }?.contains("peak") == true)
        #expect(rest.contains { $0.hasPrefix("peak memory of the run:") })
        #endif
        #expect(rest.contains { $0.hasPrefix("slowest communities") })
        #expect(!(try runGridweave(["partition", sampleDistrict("bubenec.gpkg").path, "-o", directory.path("b.gpkg")])).stdout.contains("stage timings"))
    }

    @Test func partitionsAGeoJSONDistrictInLonLat() throws {
        let directory = try TemporaryDirectory()
        try DistrictFixture.twoCommunities().write(to: directory.url("district"))
        let output = directory.path("grids.gpkg")
        let result = try runGridweave(["partition", directory.path("district"), "-o", output])
        #expect(result.status == 0, "\(result.stderr)")
        let grids = try GeoPackageReader(path: output).readLayer("grids")
        #expect(grids.srs?.organizationID == 4326)
        #expect(Set(grids.features.compactMap { $0["community_code"].string }) == ["310101002001", "310101002002"])
        let rows = try GeoPackageReader(path: output).readLayer("building_assignments")
        #expect(rows.features.reduce(0) { $0 + ($1["households"].int64 ?? 0) } == 286)
    }

    @Test func badInputExitsOneAndLeavesNoFile() throws {
        let directory = try TemporaryDirectory()
        var fixture = DistrictFixture.twoCommunities()
        fixture.layers["buildings"]![0]["properties"] = ["id": "w1", "households": -3]
        try fixture.write(to: directory.url("district"))
        let output = directory.path("grids.gpkg")
        let result = try runGridweave(["partition", directory.path("district"), "-o", output])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: "))
        #expect(!FileManager.default.fileExists(atPath: output))

        let missing = try runGridweave(["partition", "/nonexistent/district.gpkg", "-o", output])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("error: "))
        #expect(!FileManager.default.fileExists(atPath: output))

        let badBounds = try runGridweave(["partition", directory.path("district"), "-o", output, "--grid-min", "300"])
        #expect(badBounds.status == 1)
        #expect(badBounds.stderr.hasPrefix("error: "))
        #expect(try directory.contents().filter { $0.hasSuffix(".gpkg") }.isEmpty)
    }

    @Test func helpTeaches() throws {
        let result = try runGridweave(["partition", "--help"])
        #expect(result.status == 0)
        for part in ["--grid-target", "--micro-max", "--threads", "--datum", "reading order", "micro-grid"] {
            #expect(result.stdout.contains(part), "\(part) missing from help")
        }
    }
}
