import ArgumentParser
import Foundation
import GridLookup

/// `gridweave index GRIDS`: stores the lookup index in a grids file that has none, or whose
/// grids were edited since (`partition` already stores it in every file it writes).
struct Index: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build the lookup index of a grids file and store it in the file.",
        discussion: """
            `locate` and `serve` read the index stored in a grids file (the table \
            gridweave_lookup_index) when it was built from exactly the grids the file holds, \
            and build it otherwise, which takes about half a second for a city of 14,000 grids. \
            `gridweave partition` stores it in every file it writes; run this command on a \
            grids file made by another tool, or edited after partition (in QGIS, say), so that \
            they read it again. The file is changed in place, in one SQLite transaction; its \
            layers are not touched.

            Examples:
              gridweave index grids.gpkg
            """
    )

    @Argument(help: ArgumentHelp("A grids GeoPackage (layers grids and, optionally, microgrids).", valueName: "grids"))
    var grids: String

    func run() throws {
        let started = Date()
        let index = try reportingErrors { try GridIndex.storeIndex(inFile: grids) }
        let statistics = index.statistics
        printError("stored the lookup index of \(index.grids.count) grids and \(index.microGrids.count) micro-grids in \(grids) "
            + "(\(statistics.byteCount) bytes, format \(GridIndex.storedIndexFormatVersion), "
            + String(format: "%.2f s)", Date().timeIntervalSince(started)))
    }
}
