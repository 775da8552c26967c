import Foundation
import GeometryEngine
import GridLookup
import Projections
import Testing
import TestSupport

/// One answer per point whatever the interface (single lookups, batches, the CSV stream, the
/// command line); distances against GEOS; input datums.
@Suite(.timeLimit(.minutes(10))) struct ConsistencyTests {
    static let lattice = BoundaryRuleTests.lattice

    /// Boundary points of the lattice (every fine vertex, points on edges) and random points in
    /// and around it.
    static func points(count: Int, seed: UInt64) -> [XY] {
        var points: [XY] = []
        for k in 0...12 {
            for l in 0...10 { points.append(XY(BoundaryRuleTests.fineX(k), BoundaryRuleTests.fineY(l))) }
        }
        var random = SplitMix64(seed: seed)
        for _ in 0..<200 {
            let i = Int(random.next() % 7), j = Int(random.next() % 5)
            points.append(XY(BoundaryRuleTests.fineX(2 * i), random.uniform(BoundaryRuleTests.fineY(2 * j), BoundaryRuleTests.fineY(2 * j + 2))))
            points.append(XY(random.uniform(BoundaryRuleTests.fineX(2 * i), BoundaryRuleTests.fineX(2 * i + 1)), BoundaryRuleTests.fineY(2 * j)))
        }
        let extent = lattice.extent.expanded(by: 0.001)
        while points.count < count {
            points.append(XY(random.uniform(extent.minX, extent.maxX), random.uniform(extent.minY, extent.maxY)))
        }
        return points
    }

    @Test func singleBatchStreamAndCommandLineGiveTheSameAnswers() throws {
        let directory = try TemporaryDirectory()
        let gridsPath = directory.path("grids.gpkg")
        try Self.lattice.write(to: gridsPath)
        let index = try GridIndex(contentsOf: gridsPath)
        let points = Self.points(count: 3_000, seed: 21)
        let single = points.map { index.locate($0) }
        #expect(index.locate(points) == single)
        #expect(Set(single.map(\.status)) == [.inside, .near, .outside])

        // Swift writes the shortest text that reads back as the same double.
        var csv = "id,lon,lat\n"
        for (k, p) in points.enumerated() { csv += "\(k),\(p.x),\(p.y)\n" }
        let input = directory.path("points.csv")
        try Data(csv.utf8).write(to: URL(fileURLWithPath: input))

        func expectRows(_ output: String, _ source: String) {
            let rows = output.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
            #expect(rows.count == points.count, "\(source)")
            var mismatches = 0
            for (row, location) in zip(rows, single) {
                let grid = location.grid.map { index.grids[$0].code } ?? ""
                let micro = location.microGrid.map { index.microGrids[$0].code } ?? ""
                if row[1] != grid || row[2] != micro || row[4] != "\(location.status)" { mismatches += 1 }
            }
            #expect(mismatches == 0, "\(source): \(mismatches) rows differ from single lookups")
        }

        // The stream in process, in chunks so small that records straddle them.
        for chunk in [256, 64 << 10] {
            let job = try LocateCSV(index: index, options: LocateCSV.Options(chunkBytes: chunk, workers: 2))
            let output = directory.path("stream-\(chunk).csv")
            try Self.run(job, input: input, output: output)
            expectRows(try String(contentsOfFile: output, encoding: .utf8), "stream, chunks of \(chunk) bytes")
        }

        let command = try runGridweave(["locate", "--grids", gridsPath, input])
        #expect(command.status == 0, "\(command.stderr)")
        expectRows(command.stdout, "gridweave locate")
    }

    static func run(_ job: LocateCSV, input: String, output: String) throws {
        let inputFD = open(input, O_RDONLY)
        let outputFD = open(output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer {
            close(inputFD)
            close(outputFD)
        }
        _ = try job.run(input: inputFD, inputName: input, output: outputFD, outputName: output)
    }

    @Test func nearAndOutsideDistancesAgreeWithGEOS() throws {
        // 400 m grids in EPSG:4549 around Shanghai, 140 km east of the zone's central meridian.
        let coverage = Coverage.lattice(columns: 4, rows: 3, origin: XY(640_000, 3_456_000), size: 400, epsg: 4549)
        let index = try coverage.index()
        let oracle = try GEOSOracle(coverage.gridGeometries)
        let microOracle = try GEOSOracle(coverage.microGridGeometries)
        let extent = coverage.extent
        var checked = 0
        var random = SplitMix64(seed: 31)
        for _ in 0..<400 {
            // Around the coverage, up to 80 m from it, on every side and off the corners.
            let side = random.next() % 4, offset = random.uniform(0.5, 80), along = random.uniform(-60, 1_660)
            let p: XY = switch side {
            case 0: XY(extent.maxX + offset, extent.minY + along * 0.75)
            case 1: XY(extent.minX - offset, extent.minY + along * 0.75)
            case 2: XY(extent.minX + along, extent.maxY + offset)
            default: XY(extent.minX + along, extent.minY - offset)
            }
            let (nearest, geosDistance) = try oracle.nearestDistance(from: p)
            let location = index.locate(p)
            // The Gauss-Krüger scale here is 1.00024: ground metres are a hair shorter than grid units.
            if geosDistance < 49.5 {
                #expect(location.status == .near, "\(p) at \(geosDistance) m")
                let answered = try oracle.distance(from: p, to: location.grid!)
                #expect(location.grid == nearest || abs(answered - geosDistance) < 1e-9)
                let distance = try #require(location.distance)
                #expect(abs(distance - geosDistance) / geosDistance < 0.005, "\(distance) against GEOS \(geosDistance)")
                let micro = try #require(location.microGrid)
                #expect(index.microGrids[micro].gridCode == index.grids[location.grid!].code)
                let microDistance = try microOracle.distance(from: p, to: micro)
                #expect(abs(microDistance - geosDistance) < 1e-6)
                checked += 1
            } else if geosDistance > 50.5 {
                #expect(location.status == .outside && location.grid == nil && location.distance == nil)
            }
        }
        #expect(checked > 100)
        #expect(index.locate(XY(extent.maxX + 30, extent.maxY + 40)).distance.map { abs($0 - 50 / 1.00024) < 0.05 } == true)
        #expect(index.locate(XY(extent.maxX + 10, extent.minY + 200), tolerance: 5).status == .outside)
    }

    @Test func distancesInLonLatFilesAreGroundMetres() throws {
        let index = try Self.lattice.index()
        let toMetres = try CoordinateTransformer(from: 4326, to: 4549)
        let oracle = try GEOSOracle(try Self.lattice.gridGeometries.map { try toMetres.transform($0) })
        let extent = Self.lattice.extent
        var random = SplitMix64(seed: 41)
        var checked = 0
        for _ in 0..<200 {
            let p = XY(extent.maxX + random.uniform(0.00001, 0.0005), random.uniform(extent.minY, extent.maxY))
            let location = index.locate(p)
            let (_, gridUnits) = try oracle.nearestDistance(from: try toMetres.transform(p))
            let ground = gridUnits / 1.00024  // the zone's scale factor at 121.4 E
            guard ground < 49.5 else { continue }
            let distance = try #require(location.distance)
            #expect(abs(distance - ground) / ground < 0.005, "\(distance) m, GEOS in EPSG:4549 \(ground) m")
            checked += 1
        }
        #expect(checked > 50)
    }

    @Test func gcj02AndBD09InputResolveLikeTheirWGS84Originals() throws {
        let index = try Self.lattice.index()
        let converter = try LonLatConverter(targetEPSG: 4326)
        var random = SplitMix64(seed: 51)
        let extent = Self.lattice.extent
        var compared = 0
        for _ in 0..<2_000 {
            let wgs = XY(random.uniform(extent.minX, extent.maxX), random.uniform(extent.minY, extent.maxY))
            // Away from the lattice lines by more than the datums' round trip error (1e-9°).
            let fx = (wgs.x - 121.40) / 0.002, fy = (wgs.y - 31.20) / 0.002
            guard abs(fx - fx.rounded()) > 1e-5, abs(fy - fy.rounded()) > 1e-5 else { continue }
            let expected = index.locate(wgs)
            for datum in [Datum.gcj02, .bd09] {
                let shifted = datum.fromWGS84(wgs)
                #expect(hypot(shifted.x - wgs.x, shifted.y - wgs.y) > 0.001)   // hundreds of metres apart
                #expect(index.locate(converter.convert(shifted, datum: datum)) == expected)
                var batch = [shifted]
                converter.convert(&batch, datum: datum)
                #expect(index.locate(batch[0]) == expected)
            }
            compared += 1
        }
        #expect(compared > 1_900)
    }

    @Test func lonLatInputMeetsGridsInAProjectedCRS() throws {
        // The same grids in EPSG:4549: WGS 84 input goes through PROJ.
        let toMetres = try CoordinateTransformer(from: 4326, to: 4549)
        var coverage = Self.lattice
        coverage.gridGeometries = try coverage.gridGeometries.map { try toMetres.transform($0) }
        coverage.microGridGeometries = try coverage.microGridGeometries.map { try toMetres.transform($0) }
        coverage.epsg = 4549
        let index = try coverage.index()
        let oracle = try GEOSOracle(coverage.gridGeometries)
        let converter = try LonLatConverter(targetEPSG: 4549)
        var random = SplitMix64(seed: 61)
        let extent = Self.lattice.extent
        var lonLat = (0..<2_000).map { _ in XY(random.uniform(extent.minX, extent.maxX), random.uniform(extent.minY, extent.maxY)) }
        let original = lonLat
        converter.convert(&lonLat)
        for (p, q) in zip(lonLat, original) {
            let single = try toMetres.transform(q)
            #expect(p == single)
            let holders = try oracle.containing(p)
            if let holder = holders.first { #expect(index.locate(p).grid == holder) }
        }
        #expect(converter.convert(XY(-170, 10)).x.isNaN || index.locate(converter.convert(XY(-170, 10))).status == .outside)
    }
}
