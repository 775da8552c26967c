import ArgumentParser
import CoverageReport
import FeatureIO
import Foundation
import MapRendering
import Projections

/// `gridweave coverage --grids GRIDS -o DIR`: checks a grids file and writes the report page.
struct Coverage: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check that grids cover their communities exactly, and write a report a planner can read.",
        discussion: """
            Checks any grids file that follows data.md (drawn by hand or by `gridweave \
            partition`; only the `grids` layer with a `code` is required), a GeoPackage or a \
            PostGIS database (PG:"host=... dbname=...", where `partition -o PG:...` writes), \
            and writes into DIR:

              index.html        the report: headline numbers, a map of the grids coloured by \
            households with every finding drawn on it (drag to pan, wheel to zoom), and a table \
            per kind of finding whose rows take you to the place on the map; with --district the \
            buildings and roads under the grids, each a layer the reader can switch off; in \
            Chinese with --lang zh
              summary.json      counts per kind of finding and the headline numbers
              findings.geojson  one feature per finding (WGS 84), with kind and detail

            Kinds of finding: gap (part of a community in no grid), overlap (part in two grids), \
            sliver (a gap or overlap thinner than --sliver-width), disconnected (a grid or \
            micro-grid in several pieces), invalid_geometry, microgrid_gap, microgrid_overlap, \
            microgrid_outside (micro-grids that do not tile their grid), households_out_of_range \
            (a residential grid outside --grid-min..--grid-max, a micro-grid outside \
            --micro-min..--micro-max; dedicated and rural grids are exempt), unassigned_building, \
            unassigned_shop, unassigned_road (with --district, when the grids file has the \
            assignment layer), event_outside (an event of --events in no grid, with its distance \
            to the nearest) and invalid_event (a row of --events that cannot be read).

            Without --district, gaps are the holes inside the grids' union. Everything is \
            measured in metres, in the CGCS2000 Gauss-Krüger (or UTM) zone of the data.

            Like a linter: exits 0 when there are no findings, 1 when there are (the report is \
            written in full either way), 0 with --allow-findings. Input that cannot be read \
            exits 1 with an `error:` line naming the file, layer, feature or line.

            Examples:
              gridweave coverage --grids grids.gpkg --district city.gpkg -o report
              gridweave coverage --grids hand-drawn.gpkg --events events.csv --datum gcj02 -o report
              gridweave coverage --grids PG:"host=127.0.0.1 dbname=grids user=gridweave" --district city.gpkg -o report
            """
    )

    @Option(help: ArgumentHelp("The grids to check, a GeoPackage or PG:\"...\" (layer grids; microgrids and assignments used when present).",
                               valueName: "grids.gpkg"))
    var grids: String

    @Option(help: ArgumentHelp("The district the grids were made for: a GeoPackage, a folder of <layer>.geojson files, or a Shapefile folder (or other GDAL source) with the layer and field names of data.md.",
                               valueName: "district"))
    var district: String?

    @Option(help: ArgumentHelp("Events as CSV with columns id, lon, lat: each should fall in a grid.", valueName: "events.csv"))
    var events: String?

    @Option(help: ArgumentHelp("Datum of the district's and the events' lon/lat: wgs84, gcj02 or bd09.", valueName: "datum"))
    var datum: Datum = .wgs84

    @Option(name: .shortAndLong, help: ArgumentHelp("The report directory (created when missing).", valueName: "dir"))
    var output: String

    @Option(help: ArgumentHelp("Gaps and overlaps thinner than this many metres are slivers.", valueName: "m"))
    var sliverWidth = 1.0
    @Option(help: ArgumentHelp("Fewest households in a residential grid.", valueName: "n"))
    var gridMin = 150
    @Option(help: ArgumentHelp("Most households in a residential grid.", valueName: "n"))
    var gridMax = 250
    @Option(help: ArgumentHelp("Fewest households in a micro-grid.", valueName: "n"))
    var microMin = 50
    @Option(help: ArgumentHelp("Most households in a micro-grid.", valueName: "n"))
    var microMax = 80

    @Option(name: .customLong("lang"), help: ArgumentHelp("Language of the report page: en or zh (the findings' details stay in English).", valueName: "en|zh"))
    var language: MapLanguage = .en

    @Flag(help: "Exit 0 even when there are findings (the report is the same).")
    var allowFindings = false

    var options: CoverageOptions {
        CoverageOptions(districtPath: district, eventsPath: events, datum: datum, sliverWidth: sliverWidth,
                        bounds: HouseholdBounds(gridMin: gridMin, gridMax: gridMax, microMin: microMin, microMax: microMax),
                        language: language)
    }

    func validate() throws {
        if let problem = options.problem { throw ValidationError(problem) }
    }

    func run() throws {
        let start = Date()
        try reportingErrors {
            try FileCheck.outputDirectory(output)
            for name in CoverageReport.fileNames { _ = try FileCheck.outputFile((output as NSString).appendingPathComponent(name)) }
        }
        let progress = StepProgress()
        let result = try reportingErrors {
            try CoverageCheck.run(gridsPath: grids, options: options) { step, done, total in progress.update(step, done, total) }
        }
        progress.finish()
        try reportingErrors { try CoverageReport.write(result, to: output) }
        let s = result.statistics
        let page = (output as NSString).appendingPathComponent("index.html")
        var lines = [
            "checked \(DatabaseConnection.displayName(grids))",
            "  communities   \(s.communities)",
            "  grids         \(s.grids)",
            "  micro-grids   \(s.microGrids)",
            "  households    \(s.households)",
            String(format: "  coverage      %.2f%% %@", s.coveragePercent,
                   district == nil ? "of the grids' outline (no --district)" : "of the communities' area"),
            "  findings      \(result.findings.isEmpty ? "none" : "\(result.findings.count): \(result.countsText)")",
            String(format: "  time          %.2f s", Date().timeIntervalSince(start)),
            "report: \(page)",
        ]
        if result.findings.isEmpty { lines.append("coverage is clean") }
        print(lines.joined(separator: "\n"))
        if !result.findings.isEmpty && !allowFindings {
            let n = result.findings.count
            printError("error: coverage check found \(n) problem\(n == 1 ? "" : "s") (\(result.countsText)); see \(page)")
            throw ExitCode(1)
        }
    }
}

/// A one-line progress indication on standard error, drawn only when it is a terminal.
final class StepProgress {
    private let enabled = isatty(STDERR_FILENO) == 1
    private var drawn = false

    func update(_ step: String, _ done: Int, _ total: Int) {
        guard enabled, total > 0 else { return }
        let width = 30
        let filled = width * min(done, total) / total
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let label = step.padding(toLength: 12, withPad: " ", startingAt: 0)
        FileHandle.standardError.write(Data("\rchecking \(label) [\(bar)] \(done)/\(total)   ".utf8))
        drawn = true
    }

    func finish() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        drawn = false
    }
}
