import Foundation
import Testing
import TestSupport

@Suite(.timeLimit(.minutes(10))) struct GenerateCommandTests {
    @Test func sameSeedSameFileByteForByte() throws {
        let directory = try TemporaryDirectory()
        for name in ["a.gpkg", "b.gpkg"] {
            let result = try runGridweave(["generate", "-o", directory.path(name), "--households", "5000", "--seed", "11"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.contains("households"))
        }
        let a = try Data(contentsOf: directory.url("a.gpkg")), b = try Data(contentsOf: directory.url("b.gpkg"))
        #expect(a == b)
        let other = try runGridweave(["generate", "-o", directory.path("c.gpkg"), "--households", "5000", "--seed", "12"])
        #expect(other.status == 0)
        #expect(try Data(contentsOf: directory.url("c.gpkg")) != a)
        // What it writes is a district the engine reads, with the injected mess reported.
        let inspect = try runGridweave(["inspect", directory.path("a.gpkg"), "--json"])
        #expect(inspect.status == 0)
        let report = try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any]
        let households = try #require(report?["households"] as? Int)
        #expect(abs(households - 5000) < 250)
        let kinds = Set(((report?["problems"] as? [[String: Any]]) ?? []).compactMap { $0["kind"] as? String })
        #expect(kinds.contains("straddles communities"))
        #expect(kinds.contains("repaired geometry"))
    }

    @Test func refusesASizeOutOfRangeAndWritesNothing() throws {
        let directory = try TemporaryDirectory()
        let result = try runGridweave(["generate", "-o", directory.path("x.gpkg"), "--households", "10"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: "))
        #expect(try directory.contents().isEmpty)
    }
}

@Suite(.timeLimit(.minutes(10))) struct BundledSyntheticDistrictTests {
    /// geodata/synthetic-20k.gpkg is the generator's output for seed 1: regenerating it must
    /// give the same bytes, or the generator (or the GeoPackage writer) changed its output.
    @Test func regeneratesByteForByte() throws {
        let directory = try TemporaryDirectory()
        let result = try runGridweave(["generate", "-o", directory.path("s.gpkg"), "--households", "20000", "--seed", "1"])
        #expect(result.status == 0)
        let bundled = try Data(contentsOf: sampleDistrict("synthetic-20k.gpkg"))
        #expect(try Data(contentsOf: directory.url("s.gpkg")) == bundled)
    }
}
