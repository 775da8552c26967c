import Foundation
import GeometryEngine
@testable import GridLookup
import Testing
import TestSupport

/// The lookup index stored in a grids file (`gridweave_lookup_index`): used when it was built
/// from exactly the grids in the file, built again when they were edited since, when it is
/// damaged or of another format version; and answering exactly as a built one.
@Suite(.timeLimit(.minutes(5))) struct StoredIndexTests {
    /// An irregular coverage in metres (EPSG:4549, so the metric scale is sampled through PROJ)
    /// written with its stored index.
    static func storedVoronoi(_ directory: TemporaryDirectory, name: String = "grids.gpkg") throws -> (Coverage, String) {
        let coverage = try Coverage.voronoi(gridCount: 40, microCount: 200, origin: XY(640_000, 3_456_000), side: 3_000,
                                            epsg: 4549, seed: 5)
        let path = directory.path(name)
        try coverage.write(to: path)
        try GridIndex.storeIndex(inFile: path)
        return (coverage, path)
    }

    /// Random points in and around the extent, and every vertex of every grid and micro-grid
    /// (points on boundaries, where the rule decides) with points a hair off them.
    static func densePoints(_ coverage: Coverage, count: Int, seed: UInt64) -> [XY] {
        var points: [XY] = []
        for geometry in coverage.gridGeometries + coverage.microGridGeometries {
            for p in geometry.coordinates {
                points.append(p)
                points.append(XY(p.x.nextUp, p.y))
                points.append(XY(p.x, p.y.nextDown))
            }
        }
        var random = SplitMix64(seed: seed)
        let extent = coverage.extent.expanded(by: 80)
        while points.count < count {
            points.append(XY(random.uniform(extent.minX, extent.maxX), random.uniform(extent.minY, extent.maxY)))
        }
        return points
    }

    /// Runs `sql` on the file with the sqlite3 command, dropping the layers' R-tree triggers
    /// first (they call functions only a spatial SQLite has), as a foreign tool's edit would.
    static func edit(_ path: String, _ sql: String) throws {
        let sqlite = URL(fileURLWithPath: "/usr/bin/sqlite3")
        let triggers = try runProcess(sqlite, [path, "SELECT name FROM sqlite_master WHERE type = 'trigger'"])
        let drops = triggers.stdout.split(separator: "\n").map { "DROP TRIGGER \"\($0)\";" }.joined()
        let result = try runProcess(sqlite, [path, drops + sql])
        #expect(result.status == 0, "sqlite3: \(result.stderr)")
    }

    @Test func xxHash64MatchesTheReference() {
        // Values of the reference implementation (xxHash's XXH64, seed 0).
        #expect(XXHash64.hash([UInt8]()) == 0xEF46_DB37_51D8_E999)
        #expect(XXHash64.hash(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
        #expect(XXHash64.hash((0..<100).map { UInt8($0) }) == 0x6AC1_E580_3216_6597)
        #expect(XXHash64.hash(Array(String(repeating: "gridweave-grids-v1\n", count: 3).utf8)) == 0x2344_C8ED_6A2D_3E8A)
        // Fed in pieces of every size, the same value as at once.
        let bytes = (0..<1_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for piece in [1, 3, 7, 8, 31, 32, 33, 64, 100, 1_000] {
            var streaming = XXHash64()
            for start in stride(from: 0, to: bytes.count, by: piece) {
                bytes[start..<min(start + piece, bytes.count)].withUnsafeBytes { streaming.update($0) }
            }
            #expect(streaming.finalize() == XXHash64.hash(bytes), "pieces of \(piece)")
        }
        var short = XXHash64()
        Array("abc".utf8).withUnsafeBytes { short.update($0) }
        #expect(short.finalize() == 0x44BC_2CF5_AD77_0999)
    }

    @Test func aFreshStoredIndexIsReadAndAnswersAsTheBuiltOneForEveryPoint() throws {
        let directory = try TemporaryDirectory()
        let (coverage, path) = try Self.storedVoronoi(directory)
        let stored = try GridIndex(contentsOf: path)
        #expect(stored.provenance.source == .stored, "\(stored.provenance)")
        #expect(stored.provenance.reason == nil)
        let built = try GridIndex(contentsOf: path, useStored: false)
        #expect(built.provenance.source == .built)
        #expect(stored.grids == built.grids && stored.microGrids == built.microGrids && stored.epsg == built.epsg)
        #expect(stored.statistics == built.statistics)

        let points = Self.densePoints(coverage, count: 60_000, seed: 11)
        let fromStored = stored.locate(points), fromBuilt = built.locate(points)
        let differing = zip(fromStored, fromBuilt).filter { $0 != $1 }.count
        #expect(differing == 0, "\(differing) of \(points.count) points answered differently")
        #expect(Set(fromStored.map(\.status)) == [.inside, .near, .outside])
        // The same answers one by one (the single-point path reads the lattice another way).
        for (point, expected) in zip(points, fromBuilt).prefix(5_000) {
            #expect(stored.locate(point) == expected)
        }
    }

    @Test func aLatticeInDegreesWithoutMicroGridsRoundTrips() throws {
        let directory = try TemporaryDirectory()
        let coverage = BoundaryRuleTests.lattice
        let path = directory.path("lattice.gpkg")
        try coverage.write(to: path, withMicroGrids: false)
        try GridIndex.storeIndex(inFile: path)
        let stored = try GridIndex(contentsOf: path)
        #expect(stored.provenance.source == .stored, "\(stored.provenance)")
        #expect(stored.microGrids.isEmpty)
        let built = try GridIndex(contentsOf: path, useStored: false)
        let points = ConsistencyTests.points(count: 20_000, seed: 4)
        #expect(stored.locate(points) == built.locate(points))
    }

    @Test func anEditedGeometryIsNeverAnsweredFromTheStoredIndex() throws {
        let directory = try TemporaryDirectory()
        let (written, path) = try Self.storedVoronoi(directory)
        var coverage = written
        // Grid 0 loses everything east of its first vertex's x: a different shape, as a planner
        // moving a boundary in QGIS would make, written by SQL behind GridWeave's back.
        let original = coverage.gridGeometries[0]
        let cutX = original.envelope!.minX + original.envelope!.width / 2
        let shrunk = try original.intersection(.polygon(Polygon(exterior: [
            XY(cutX - 10_000, 3_440_000), XY(cutX, 3_440_000), XY(cutX, 3_470_000), XY(cutX - 10_000, 3_470_000), XY(cutX - 10_000, 3_440_000),
        ])))
        coverage.gridGeometries[0] = shrunk
        var blob: [UInt8] = [0x47, 0x50, 0x00, 0x01]
        withUnsafeBytes(of: Int32(4549).littleEndian) { blob += $0 }
        blob += WKB.encode(shrunk)
        let hex = blob.map { String(format: "%02X", $0) }.joined()
        try Self.edit(path, "UPDATE grids SET geom = X'\(hex)' WHERE fid = (SELECT min(fid) FROM grids)")

        let index = try GridIndex(contentsOf: path)
        #expect(index.provenance.source == .built)
        #expect(index.provenance.reason?.contains("changed") == true, "\(index.provenance)")
        let expected = try coverage.index()
        let points = Self.densePoints(coverage, count: 40_000, seed: 12)
        let answers = index.locate(points)
        #expect(answers == expected.locate(points))
        // And the edit shows: some points of the old grid 0 are now in no grid or another one.
        let before = try Coverage.voronoi(gridCount: 40, microCount: 200, origin: XY(640_000, 3_456_000), side: 3_000,
                                          epsg: 4549, seed: 5).index()
        #expect(zip(answers, before.locate(points)).contains { $0.grid != $1.grid })

        // A field the index reads is part of the fingerprint too.
        try GridIndex.storeIndex(inFile: path)
        #expect(try GridIndex(contentsOf: path).provenance.source == .stored)
        try Self.edit(path, "UPDATE microgrids SET grid_code = 'x' || grid_code WHERE fid = 3")
        #expect(try GridIndex(contentsOf: path).provenance.source == .built)
    }

    @Test(arguments: [
        ("truncated", "UPDATE gridweave_lookup_index SET data = substr(data, 1, length(data) / 2)"),
        ("one byte changed", "UPDATE gridweave_lookup_index SET data = substr(data, 1, 5000) || X'A5' || substr(data, 5002)"),
        ("header only", "UPDATE gridweave_lookup_index SET data = substr(data, 1, 64)"),
        ("empty", "UPDATE gridweave_lookup_index SET data = X''"),
        ("garbage", "UPDATE gridweave_lookup_index SET data = randomblob(100000)"),
        ("newer format in the row", "UPDATE gridweave_lookup_index SET format_version = 99"),
        ("newer format in the blob", "UPDATE gridweave_lookup_index SET data = substr(data, 1, 8) || X'63000000' || substr(data, 13)"),
        ("no row", "DELETE FROM gridweave_lookup_index"),
        ("no table", "DROP TABLE gridweave_lookup_index"),
        ("another hash", "UPDATE gridweave_lookup_index SET grids_hash = '0123456789abcdef'"),
    ])
    func aDamagedOrForeignStoredIndexFallsBackToBuilding(_ damage: String, _ sql: String) throws {
        let directory = try TemporaryDirectory()
        let (coverage, path) = try Self.storedVoronoi(directory)
        try Self.edit(path, sql)
        let index = try GridIndex(contentsOf: path)
        #expect(index.provenance.source == .built, "\(damage)")
        #expect(index.provenance.reason != nil, "\(damage)")
        let points = Self.densePoints(coverage, count: 5_000, seed: 13)
        #expect(index.locate(points) == (try coverage.index()).locate(points), "\(damage)")
    }

    @Test func storingTwiceReplacesTheIndexAndKeepsTheLayers() throws {
        let directory = try TemporaryDirectory()
        let (_, path) = try Self.storedVoronoi(directory)
        let sqlite = URL(fileURLWithPath: "/usr/bin/sqlite3")
        let dump = { try runProcess(sqlite, [path, ".dump grids", ".dump microgrids"]).stdout }
        let layersBefore = try dump()
        try GridIndex.storeIndex(inFile: path)
        #expect(try dump() == layersBefore)
        let rows = try runProcess(sqlite, [path, "SELECT count(*), format_version FROM gridweave_lookup_index; "
            + "SELECT count(*) FROM gpkg_extensions WHERE extension_name = 'gridweave_lookup_index'"])
        #expect(rows.stdout == "1|1\n1\n")
        #expect(try GridIndex(contentsOf: path).provenance.source == .stored)
    }
}
