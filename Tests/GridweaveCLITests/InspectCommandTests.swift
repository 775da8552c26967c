import Foundation
import Testing
import TestSupport

/// The `gridweave` binary as a user runs it: exit codes, stdout, `error:` lines on stderr.
@Suite(.timeLimit(.minutes(10))) struct InspectCommandTests {
    @Test func inspectsADistrict() throws {
        let directory = try TemporaryDirectory()
        var fixture = DistrictFixture.twoCommunities()
        fixture.addPolygon("buildings", ["id": "outside", "households": 5], rings: [DistrictFixture.rectangle(121.50, 31.235, 121.5005, 31.2352)])
        try fixture.write(to: directory.url)
        let result = try runGridweave(["inspect", directory.path])
        #expect(result.status == 0)
        #expect(result.stdout.contains("EPSG:4549"))           // the working CRS for Shanghai
        #expect(result.stdout.contains("310101002001"))
        #expect(result.stdout.contains("291 households"))       // 286 inside + 5 outside
        #expect(result.stdout.contains("buildings outside: outside every community"))
        #expect(result.stderr.isEmpty)
    }

    @Test func jsonOutputIsMachineReadable() throws {
        let directory = try TemporaryDirectory()
        try DistrictFixture.twoCommunities().write(to: directory.url)
        let result = try runGridweave(["inspect", directory.path, "--json"])
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["households"] as? Int == 286)
        #expect(object?["working_epsg"] as? Int == 4549)
        let communities = object?["communities"] as? [[String: Any]]
        #expect(communities?.map { $0["households"] as? Int } == [166, 120])
    }

    @Test func badInputExitsOneWithAnErrorLineNamingTheFeature() throws {
        let directory = try TemporaryDirectory()
        var fixture = DistrictFixture.twoCommunities()
        fixture.layers["buildings"]![2]["properties"] = ["id": "w1", "households": -3]
        try fixture.write(to: directory.url)
        let result = try runGridweave(["inspect", directory.path])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("error: ") == true)
        for part in ["buildings.geojson", "layer buildings", "feature w1", "field households"] {
            #expect(result.stderr.contains(part), "\(part) missing from: \(result.stderr)")
        }
        #expect(result.stdout.isEmpty)
    }

    @Test func missingDistrictAndBadFlagsExitOne() throws {
        let missing = try runGridweave(["inspect", "/nonexistent/district.gpkg"])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("error: /nonexistent/district.gpkg"))
        let badFlag = try runGridweave(["inspect", "x", "--datum", "mars"])
        #expect(badFlag.status == 1)
        #expect(badFlag.stderr.hasPrefix("error: "))
        let noArgument = try runGridweave(["inspect"])
        #expect(noArgument.status == 1)
    }

    @Test func helpTeaches() throws {
        let help = try runGridweave(["inspect", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--estimate-households"))
        #expect(help.stdout.contains("Examples"))
        let root = try runGridweave(["--help"])
        #expect(root.status == 0)
        #expect(root.stdout.contains("inspect"))
    }
}
