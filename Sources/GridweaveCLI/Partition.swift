import ArgumentParser
import DistrictModel
import FeatureIO
import Foundation
import GridSchema
import Partitioning
import Synchronization

/// `gridweave partition DISTRICT -o OUT.gpkg`: grids and micro-grids for every community.
struct Partition: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Divide every community into grids of about 200 households and every grid into micro-grids of 50-80.",
        discussion: """
            Each urban community (社区) is cut along its roads into street blocks, each block into \
            one cell per building; grids are contiguous groups of cells of about --grid-target \
            households (never across an arterial road, a gated compound kept whole when it fits), \
            and each grid is cut the same way into micro-grids (微网格). Every dedicated site \
            (school, mall, enterprise, hospital) is a grid of its own, with its cell of the \
            blocks beside it as a building has, unless that would leave houses cut off or a grid \
            out of bounds; a rural village is one grid. \
            The grids of a community tile it exactly, and so do the micro-grids of a grid.

            A building is never split, except one with more households than a micro-grid allows: \
            it is cut into its entrance units (单元) along its long axis, and a unit still too \
            big (a tower's) into equal parts, its floor groups.

            Codes: a grid is its community's 12 digits + 3, a micro-grid its grid's 15 + 2, \
            numbered in reading order: rows from north to south, west to east in each row. \
            The same district always gives the same file, byte for byte.

            Shops and roads form each grid's service area: a shop goes to the grid (and micro-grid) \
            holding it, by the boundary rule of `gridweave locate`, a shop footprint to the grid \
            holding most of it; roads are cut at grid boundaries, and a stretch running along the \
            boundary of two grids goes whole to the one of the two that has had less of their \
            common street. Shops and roads outside every community are listed, never dropped.

            Writes the GeoPackage layers `grids`, `microgrids`, `building_assignments`, \
            `shop_assignments`, `road_assignments` and `unplaced_buildings` in the district's CRS, \
            and prints a summary: grids, micro-grids, households in, placed and not placed, shops \
            and roads, which grids are outside their bounds and why, compounds and buildings split, \
            roads inside grids. \
            Exits 1 with an `error:` line when the district cannot be read; no file is written.

            No household is dropped without a word: a building with no geometry, with no area left \
            once repaired, outside every community, or that the cuts leave in no grid is listed in \
            the summary and in the table `unplaced_buildings` (building_id, households, reason: \
            no_geometry, empty_after_repair, outside_communities, no_street_block, dedicated_site, \
            no_cell, no_grid, unaccounted), so that `building_assignments` and `unplaced_buildings` \
            together hold every household of the district. With --strict, any household in no grid \
            is an error naming the buildings, and nothing is written.

            Re-partition (--previous OLD.gpkg, a file this command wrote): grid workers and \
            residents keep their grid unless there is a reason. A community with no change is \
            copied from OLD.gpkg, codes and geometry byte for byte; a grid whose households changed \
            but still fit its bounds keeps its outline and code; only grids pushed out of their \
            bounds are re-balanced, with as few neighbouring grids as needed, and the new grids take \
            the code of the old grid they share most households with. New grids get sequence \
            numbers above every code the community ever used: a retired code is never given again \
            (the table `code_history` keeps them). With --keep-grids every grid is kept exactly and \
            only micro-grids are (re)built: inside grids that have none, whose buildings changed, or \
            whose micro-grids left their bounds. The output adds the tables `changes` (grids kept, \
            changed, new, retired), `moves` (buildings that moved, came or went, from which grid to \
            which) and `code_history`, and the summary says how many households keep their grid code. \
            --lock CODE keeps a grid a planner says must not change (its outline, code and \
            buildings): it is never re-cut with its neighbours.

            Examples:
              gridweave partition geodata/shanghai.gpkg -o shanghai-grids.gpkg
              gridweave partition city.gpkg -o grids.gpkg --grid-target 180 --micro-max 70
              gridweave partition city-2025.gpkg --previous grids-2024.gpkg -o grids-2025.gpkg
              gridweave partition penglai.gpkg --previous grids.gpkg --keep-grids -o grids-micro.gpkg
              gridweave partition city-2025.gpkg --previous grids-2024.gpkg --lock 370684001001003,370684001001004 -o grids-2025.gpkg
              gridweave partition office-shp/ --mapping office.json -o grids.gpkg
              gridweave partition city.gpkg -o PG:"host=127.0.0.1 dbname=city user=grids" --schema grids2025

            With -o PG:"..." (GDAL's PostgreSQL connection: libpq's host, port, dbname, user, \
            password) the layers are written as PostGIS tables of --schema (default public) in one \
            transaction: the old tables stay until the new ones are complete, and a failure leaves \
            the database as it was. Each has a GiST spatial index; `gridweave locate --grids PG:"..."` \
            and `serve` read them back. A database that cannot be reached is an error before any work.
            """
    )

    @Argument(help: ArgumentHelp("A district: a GeoPackage, a folder of <layer>.geojson files, or what GDAL reads: a Shapefile or a folder of them, MapInfo, DXF, KML, FlatGeobuf, FileGDB.", valueName: "district"))
    var district: String

    @Option(name: .shortAndLong, help: ArgumentHelp(
        "The GeoPackage to write (with --format \"ESRI Shapefile\": the folder), or a PostGIS database: PG:\"host=... port=... dbname=... user=...\".",
        valueName: "out.gpkg"))
    var output: String

    @Option(help: ArgumentHelp("With -o PG:...: the database schema the tables are written to (created when missing; default public).",
                               valueName: "schema"))
    var schema: String?

    @Option(help: ArgumentHelp(
        "GPKG (default), or \"ESRI Shapefile\": a folder of one Shapefile per layer, field names cut to 10 characters by one table (data.md).",
        valueName: "format"))
    var format: OutputFormat = .geoPackage

    @Option(help: ArgumentHelp("With --format \"ESRI Shapefile\": the DBFs' encoding, written in each .cpg: UTF-8 (default), or GBK / GB18030 for older GIS.",
                               valueName: "name"))
    var outputEncoding: TextEncoding?

    @Option(help: ArgumentHelp("Fewest households in a grid.", valueName: "n"))
    var gridMin = 150
    @Option(help: ArgumentHelp("Households a grid aims at.", valueName: "n"))
    var gridTarget = 200
    @Option(help: ArgumentHelp("Most households in a grid.", valueName: "n"))
    var gridMax = 250
    @Option(help: ArgumentHelp("Fewest households in a micro-grid.", valueName: "n"))
    var microMin = 50
    @Option(help: ArgumentHelp("Most households in a micro-grid.", valueName: "n"))
    var microMax = 80

    @Option(help: ArgumentHelp("Communities partitioned at once (default: every core).", valueName: "n"))
    var threads: Int?

    @Option(help: ArgumentHelp("Out-of-bounds grids and micro-grids listed in the summary (0: all).", valueName: "n"))
    var limit = 10

    @Option(help: ArgumentHelp("Re-partition: keep what still fits of this earlier output of partition, and report what moved.",
                               valueName: "old.gpkg"))
    var previous: String?
    @Flag(help: "With --previous: keep every grid exactly as it is, and (re)build only micro-grids.")
    var keepGrids = false
    @Option(help: ArgumentHelp("With --previous: a grid that must not change (its 15-digit code; repeat, or separate with commas). It keeps its shape, code and buildings, and is never re-cut with its neighbours.",
                               valueName: "code"))
    var lock: [String] = []
    @Flag(help: "Stop with an error, writing nothing, when any household would be in no grid (see above).")
    var strict = false
    @Flag(help: "After the summary, the seconds spent in each stage (read, working CRS, blocks, cells, cell graph, grids, micro-grids, codes, service area, write); stages run per community add up every community's time. With the process's peak memory per stage (Linux) and the slowest communities.")
    var timings = false

    @OptionGroup var options: DistrictOptions

    var partitionOptions: PartitionOptions {
        var options = PartitionOptions(gridMin: gridMin, gridTarget: gridTarget, gridMax: gridMax, microMin: microMin, microMax: microMax,
                                       threads: threads)
        options.measuresPeakMemory = timings
        return options
    }

    func validate() throws {
        if let problem = partitionOptions.problem { throw ValidationError(problem) }
        if keepGrids && previous == nil { throw ValidationError("--keep-grids needs --previous OLD.gpkg, the partition whose grids to keep") }
        if !lock.isEmpty && previous == nil { throw ValidationError("--lock needs --previous OLD.gpkg, the partition whose grids to lock") }
        if format == .shapefile && previous != nil {
            throw ValidationError("--previous writes its change tables to a GeoPackage: leave out --format \"ESRI Shapefile\", and convert the result")
        }
        if outputEncoding != nil && format != .shapefile { throw ValidationError("--output-encoding applies to --format \"ESRI Shapefile\" only") }
        if writesDatabase && format == .shapefile {
            throw ValidationError("-o PG:... writes PostGIS tables: leave out --format \"ESRI Shapefile\", or give a folder")
        }
        if schema != nil && !writesDatabase { throw ValidationError("--schema applies to -o PG:... (a PostGIS database) only") }
        if schema?.isEmpty == true { throw ValidationError("--schema needs a name") }
    }

    /// Whether `-o` names a PostGIS database rather than a file.
    var writesDatabase: Bool { DatabaseConnection.isConnection(output) }

    /// Where the summary says the partition went: a database without its password.
    var shownOutput: String { DatabaseConnection.displayName(output) }

    func run() throws {
        let start = Date()
        // Refused before minutes of partitioning, not after.
        switch format {
        case _ where writesDatabase: try reportingErrors { try PostGISWriter.check(output) }
        case .geoPackage: try reportingErrors { _ = try FileCheck.outputFile(output) }
        case .shapefile: try reportingErrors { try ShapefileWriter.checkOutputFolder(output, layers: PartitionSchema.partitionLayers) }
        }
        if let previous {
            return try repartition(previous: previous, start: start)
        }
        var stages = StageTimings(measuresPeaks: timings)
        let read = try stages.measurePeak(.read) { try reportingErrors { try DistrictReader.read(district, options: options.readOptions()) } }
        let bar = ProgressBar(label: "partitioning")
        var partition = try reportingErrors {
            try Partitioner.partition(read.district, options: partitionOptions) { done, total in bar.update(done, of: total) }
        }
        bar.finish()
        try reportingErrors { try requirePlaced(partition, read: read) }
        try stages.measurePeak(.write) { try reportingErrors { try write(partition) } }
        partition.timings.add(stages)
        print(summary(partition, seconds: Date().timeIntervalSince(start)))
        if timings { print(Self.stageTable(partition.timings)) }
    }

    /// The seconds of each stage, in the order they run, with the process's peak memory while
    /// each stage that runs alone ran; then the peak while the communities ran, and the slowest
    /// communities.
    static func stageTable(_ timings: StageTimings) -> String {
        func megabytes(_ bytes: Int) -> String { String(format: "%6.0f MB", Double(bytes) / 1_048_576) }
        var lines = ["stage timings (seconds; per-community stages summed over communities)"] + PartitionStage.allCases.map { stage in
            "  " + stage.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0) + String(format: " %8.3f", timings.seconds[stage] ?? 0)
                + (timings.peakBytes[stage].map { "   peak " + megabytes($0) } ?? "")
        }
        if let bytes = timings.communitiesPeakBytes {
            lines.append("peak memory while the communities ran (blocks to codes, every thread): " + megabytes(bytes))
        }
        if let bytes = timings.overallPeakBytes { lines.append("peak memory of the run: " + megabytes(bytes)) }
        if !timings.slowest.isEmpty {
            lines.append("slowest communities (code, buildings, seconds from blocks to codes)")
            lines += timings.slowest.map { "  " + $0.code + String(format: " %7d %9.3f", $0.buildings, $0.seconds) }
        }
        return lines.joined(separator: "\n")
    }

    /// With `--strict`, households in no grid stop the run before anything is written: one
    /// `error:` line names the first building holding some, and the others after it. Buildings
    /// without households in no grid are listed in the summary and the table, not an error.
    private func requirePlaced(_ partition: Partitioning.Partition, read: DistrictReadResult) throws {
        guard strict else { return }
        let unplaced = partition.unplaced.filter { $0.households > 0 }
        guard let first = unplaced.first else { return }
        var message = "\(first.explanation); in no grid, and --strict allows none"
        if unplaced.count > 1 {
            let others = unplaced.dropFirst()
            let households = others.reduce(0) { $0 + $1.households }
            message += "; also \(grouped(households)) households of \(grouped(others.count)) more building\(others.count == 1 ? "" : "s"): "
                + Self.firstFew(others.map(\.buildingID))
        }
        throw DistrictError(.unplacedHouseholds, file: read.layerFiles[.buildings] ?? read.path, layer: DistrictLayer.buildings.rawValue,
                            featureID: first.buildingID, message: message)
    }

    /// One line per reason of the grids and micro-grids out of bounds: how many of each, with
    /// the reason's code (the output's `reason` field) and words, the most frequent first.
    static func reasonCounts(_ findings: [PartitionFinding]) -> [String] {
        var counts: [String: (reason: BoundsReason, grids: Int, microGrids: Int)] = [:]
        for finding in findings {
            guard let reason = finding.outOfBounds?.reason else { continue }
            var entry = counts[reason.code] ?? (reason, 0, 0)
            if finding.kind == .gridOutOfBounds { entry.grids += 1 } else { entry.microGrids += 1 }
            counts[reason.code] = entry
        }
        let width = counts.keys.map(\.count).max() ?? 0
        return counts.sorted { ($0.value.grids + $0.value.microGrids, $1.key) > ($1.value.grids + $1.value.microGrids, $0.key) }.map { code, entry in
            let what = [(entry.grids, "grid"), (entry.microGrids, "micro-grid")].filter { $0.0 > 0 }
                .map { "\(grouped($0.0)) \($0.1)\($0.0 == 1 ? "" : "s")" }.joined(separator: ", ")
            return "  \(code.padding(toLength: width, withPad: " ", startingAt: 0))  \(what): \(entry.reason.label())"
        }
    }

    /// Writes the partition in `--format`.
    private func write(_ partition: Partitioning.Partition) throws {
        switch format {
        case _ where writesDatabase:
            try PostGISWriter.write(try partition.layers(), to: output, schema: schema ?? PostGISWriter.defaultSchema)
        case .geoPackage:
            try partition.write(to: output)
        case .shapefile:
            try ShapefileWriter.write(try partition.layers(), toFolder: output, encoding: outputEncoding ?? .utf8,
                                      fieldName: PartitionSchema.shapefileFieldName)
        }
    }

    /// The first few of `ids`, then how many more.
    static func firstFew(_ ids: [String], count: Int = 5) -> String {
        ids.prefix(count).joined(separator: ", ") + (ids.count > count ? " and \(grouped(ids.count - count)) more" : "")
    }

    /// `--previous`: reads the earlier partition first (so that a bad one stops the run before
    /// any work), re-partitions, writes the partition with its change tables, prints both summaries.
    private func repartition(previous path: String, start: Date) throws {
        let mode: RepartitionMode = keepGrids ? .keepGrids : .rebalance
        let previous = try reportingErrors { try PreviousPartition.read(path, requiresAssignments: mode == .rebalance).locking(codeList(lock)) }
        var stages = StageTimings()
        let read = try stages.measure(.read) { try reportingErrors { try DistrictReader.read(district, options: options.readOptions()) } }
        let bar = ProgressBar(label: "re-partitioning")
        let result = try reportingErrors {
            try Partitioner.repartition(read.district, previous: previous, mode: mode, options: partitionOptions) { done, total in bar.update(done, of: total) }
        }
        bar.finish()
        try reportingErrors { try requirePlaced(result.partition, read: read) }
        try stages.measure(.write) {
            try reportingErrors {
                if writesDatabase {
                    try PostGISWriter.write(try result.layers(), to: output, schema: schema ?? PostGISWriter.defaultSchema)
                } else {
                    try result.write(to: output)
                }
            }
        }
        print(summary(result.partition, seconds: Date().timeIntervalSince(start)))
        print(result.report.summary(limit: limit).joined(separator: "\n"))
        if timings {
            stages.add(result.partition.timings)
            print(Self.stageTable(stages))
        }
    }

    func summary(_ partition: Partitioning.Partition, seconds: Double) -> String {
        let s = partition.statistics
        let grids = partition.grids
        let kinds = Grid.Kind.allCases.compactMap { kind -> String? in
            let n = grids.filter { $0.kind == kind }.count
            return n > 0 ? "\(grouped(n)) \(kind.rawValue)" : nil
        }
        let notPlaced = partition.unplaced.filter { $0.households > 0 }.map(\.buildingID)
        func percent(_ part: Int, _ whole: Int) -> String { whole == 0 ? "-" : String(format: "%.1f%%", 100 * Double(part) / Double(whole)) }
        var out = [
            "wrote \(shownOutput)",
            "  communities   \(pad(s.communities))",
            "  grids         \(pad(grids.count))   \(kinds.joined(separator: ", "))",
            "  micro-grids   \(pad(partition.microGrids.count))",
            "  households    \(pad(s.householdsIn))   in \(grouped(s.buildingsIn)) buildings: \(grouped(s.householdsPlaced)) placed, "
                + "\(grouped(s.householdsNotPlaced)) not placed" + (notPlaced.isEmpty ? "" : " (in \(Self.firstFew(notPlaced)))"),
            "  in bounds     grids \(percent(s.residentialGridsInBounds, s.residentialGrids)) of \(grouped(s.residentialGrids)) residential (\(gridMin)-\(gridMax) households), "
                + "micro-grids \(percent(s.residentialMicroGridsInBounds, s.residentialMicroGrids)) (\(microMin)-\(microMax))",
            String(format: "  compactness   mean Polsby-Popper of residential grids %.2f (1 is a circle)", s.meanPolsbyPopper),
            "  split         \(grouped(s.compoundsSplit)) compounds too large for one grid, \(grouped(s.buildingsSplit)) buildings cut into entrance units",
            String(format: "  roads         %.0f m of street between blocks, %.0f m (%.0f%%) inside a grid; arterial inside a grid %.0f m",
                   s.roadMetres, s.roadMetresCrossed, s.roadMetres > 0 ? 100 * s.roadMetresCrossed / s.roadMetres : 0, s.arterialMetresCrossed),
            "  shops         \(pad(s.shopsAssigned))   in a grid" + (s.shopsOutside > 0 ? ", \(grouped(s.shopsOutside)) outside every community" : ""),
            String(format: "  service roads %.1f km given to grids, %.1f km of it along a boundary two grids share (each stretch to one of them)",
                   s.roadMetresAssigned / 1000, s.roadMetresShared / 1000)
                + (s.roadMetresOutside >= 1 ? String(format: "; %.0f m outside every community", s.roadMetresOutside) : ""),
            String(format: "  time          %.2f s", seconds),
        ]
        let outOfBounds = partition.findings.filter { $0.kind == .gridOutOfBounds || $0.kind == .microGridOutOfBounds }
        if !outOfBounds.isEmpty {
            out.append("Outside their bounds: \(grouped(s.gridsOutOfBounds)) grids, \(grouped(s.microGridsOutOfBounds)) micro-grids "
                       + "(field reason of the grids and microgrids layers), by reason:")
            out += Self.reasonCounts(outOfBounds)
            let shown = limit > 0 ? Array(outOfBounds.prefix(limit)) : outOfBounds
            for finding in shown { out.append("  \(finding.featureID)  \(finding.detail)") }
            if shown.count < outOfBounds.count { out.append("  ... and \(grouped(outOfBounds.count - shown.count)) more (--limit 0 lists all)") }
        }
        if !partition.unplaced.isEmpty {
            let buildings = partition.unplaced.count
            out.append("Not placed: \(grouped(s.householdsNotPlaced)) households of \(grouped(buildings)) building\(buildings == 1 ? "" : "s") in no grid "
                       + "(table unplaced_buildings; --strict makes households in no grid an error)")
            let shown = limit > 0 ? Array(partition.unplaced.prefix(limit)) : partition.unplaced
            for building in shown { out.append("  \(building.buildingID)  \(building.explanation)") }
            if shown.count < buildings { out.append("  ... and \(grouped(buildings - shown.count)) more (--limit 0 lists all)") }
        }
        for (kind, title) in [(PartitionFinding.Kind.unassignedShop, "Shops in no grid"), (.unassignedRoad, "Roads with a stretch in no grid"),
                              (.invalidGeometry, "Not valid polygons as written (GIS tools may refuse them; `gridweave coverage` maps them)")] {
            let unassigned = partition.findings.filter { $0.kind == kind }
            guard !unassigned.isEmpty else { continue }
            out.append("\(title): \(grouped(unassigned.count))")
            let shown = limit > 0 ? Array(unassigned.prefix(limit)) : unassigned
            for finding in shown { out.append("  \(finding.featureID)  \(finding.detail)") }
            if shown.count < unassigned.count { out.append("  ... and \(grouped(unassigned.count - shown.count)) more (--limit 0 lists all)") }
        }
        return out.joined(separator: "\n")
    }
}

/// A one-line progress bar on standard error, drawn only when it is a terminal.
final class ProgressBar: Sendable {
    private let label: String
    private let enabled = isatty(STDERR_FILENO) == 1
    /// Whether a line is drawn and not yet ended. Writes happen under this lock too, so that
    /// updates from several threads never interleave on the terminal.
    private let drawn = Mutex(false)

    init(label: String) {
        self.label = label
    }

    func update(_ done: Int, of total: Int) {
        guard enabled, total > 0 else { return }
        let width = 30
        let filled = width * done / total
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let line = Data("\r\(label) [\(bar)] \(done)/\(total) communities".utf8)
        drawn.withLock { drawn in
            FileHandle.standardError.write(line)
            drawn = true
        }
    }

    func finish() {
        drawn.withLock { drawn in
            if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
            drawn = false
        }
    }
}

/// What `partition` writes (`--format`), by GDAL's driver names.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case geoPackage = "GPKG"
    case shapefile = "ESRI Shapefile"
}
