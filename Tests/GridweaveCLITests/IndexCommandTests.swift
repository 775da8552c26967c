import Foundation
import Testing
import TestSupport

/// The lookup index `partition` stores in its output, as `locate` reports using it, and
/// `gridweave index` storing it again after an edit.
@Suite(.timeLimit(.minutes(5))) struct IndexCommandTests {
    @Test func partitionStoresTheIndexLocateReadsItAndAnEditMakesItBuildAgain() throws {
        let directory = try TemporaryDirectory()
        let district = directory.path("city.gpkg")
        #expect(try runGridweave(["generate", "-o", district, "--households", "4000", "--seed", "5"]).status == 0)
        let grids = directory.path("grids.gpkg")
        let partition = try runGridweave(["partition", district, "-o", grids])
        #expect(partition.status == 0, "\(partition.stderr)")
        let sqlite = URL(fileURLWithPath: "/usr/bin/sqlite3")
        let table = try runProcess(sqlite, [grids, "SELECT format_version, length(grids_hash), byte_count = length(data) FROM gridweave_lookup_index"])
        #expect(table.stdout == "1|16|1\n", "\(table.stdout)\(table.stderr)")

        let points = directory.path("points.csv")
        try Data("id,lon,lat\n1,120.1,30.2\n2,0,0\n".utf8).write(to: URL(fileURLWithPath: points))
        func locate() throws -> (stdout: String, stderr: String) {
            let result = try runGridweave(["locate", "--grids", grids, points, "--summary"])
            #expect(result.status == 0, "\(result.stderr)")
            return (result.stdout, result.stderr)
        }
        let fresh = try locate()
        #expect(fresh.stderr.contains("grids: stored index read in"), "\(fresh.stderr)")

        // A planner edits a grid's kind in another tool: the stored index no longer matches.
        let triggers = try runProcess(sqlite, [grids, "SELECT name FROM sqlite_master WHERE type = 'trigger'"])
        let drops = triggers.stdout.split(separator: "\n").map { "DROP TRIGGER \"\($0)\";" }.joined()
        #expect(try runProcess(sqlite, [grids, drops + "UPDATE grids SET kind = 'dedicated' WHERE fid = 1"]).status == 0)
        let edited = try locate()
        #expect(edited.stderr.contains("grids: index built in"), "\(edited.stderr)")
        #expect(edited.stderr.contains("changed after the index was stored"), "\(edited.stderr)")
        #expect(edited.stdout == fresh.stdout)

        let index = try runGridweave(["index", grids])
        #expect(index.status == 0, "\(index.stderr)")
        #expect(index.stderr.contains("stored the lookup index"))
        #expect(try locate().stderr.contains("grids: stored index read in"))
    }

    @Test func indexReportsAFileThatIsNotAGridsFile() throws {
        let directory = try TemporaryDirectory()
        let district = directory.path("city.gpkg")
        #expect(try runGridweave(["generate", "-o", district, "--households", "2000", "--seed", "5"]).status == 0)
        let result = try runGridweave(["index", district])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: "), "\(result.stderr)")
        #expect(try runGridweave(["index", directory.path("missing.gpkg")]).status == 1)
    }
}
