import ArgumentParser
import DistrictModel
import FeatureIO
import Foundation
import Partitioning

extension BoundsReason.Language: ExpressibleByArgument {}

/// `gridweave import-grids HAND --district D -o GRIDS.gpkg`: an office's hand-drawn grids,
/// repaired into an exact coverage of each community, with their fields and standard codes.
struct ImportGrids: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-grids",
        abstract: "Import an office's hand-drawn grids: repair them into grids that tile each community exactly, keeping the office's lines, codes and fields.",
        discussion: """
            HAND is a GeoPackage, a GeoJSON file, a Shapefile (its DBF in the encoding its .cpg \
            names, or --encoding GBK), MapInfo, DXF, KML, FlatGeobuf or FileGDB file of grid \
            polygons in any CRS PROJ knows, with the office's fields (e.g. 网格编码, 网格名称, 网格员). Each grid keeps its shape \
            except where it is wrong: its part outside its community (the one holding most of it) \
            is cut off (spill); an overlap of grids goes to the grid holding more of the buildings \
            there, else the larger grid; a gap goes to the neighbour holding the buildings there, \
            else the one sharing most boundary with it; a building a grid line cuts is made whole \
            in the grid holding most of it; a detached scrap of a grid goes to the neighbour sharing \
            most boundary with it (sliver). Gaps and overlaps wider than --tolerance are problems, \
            repaired only with --repair-all (a wide gap is then an unassigned_area repair).

            Writes, in the district's CRS, the layer `grids` (the partition file's fields: code, \
            community_code, kind, households, buildings, ...; then office_code, the office's code, \
            and every field of the office's file as it was) and the table `repairs` (one row per \
            repair: kind, grid_code, office_code, other_grid_code, other_office_code, \
            community_code, area_m2, households_moved, beyond_tolerance, detail, geometry). \
            Standard codes: the community's 12 digits + 3, west to east, north to south. \
            `gridweave partition DISTRICT --previous GRIDS.gpkg --keep-grids` then builds micro-grids inside them.

            A planner's constraints: --lock OFFICE_CODE keeps a grid's drawn lines (it wins every \
            overlap, takes no gap another grid borders, gives nothing away, only takes in whole a \
            building its own line cuts); --pin BUILDING_ID=OFFICE_CODE gives a building that grid \
            lines cut whole to that grid.

            Every problem of the file (no code field, a missing or duplicate code, a geometry that \
            is not a valid polygon, a grid in no community, a community with no grid, a gap or \
            overlap wider than the tolerance) is listed in one run, one `error:` line each; then \
            the command exits 1 and writes nothing.

            Examples:
              gridweave import-grids office-grids.gpkg --district district.gpkg -o grids.gpkg
              gridweave import-grids 网格.gpkg --district district.gpkg -o grids.gpkg --code-field 网格编码 --tolerance 3 --lang zh
              gridweave import-grids 网格.shp --encoding GBK --district district.gpkg -o grids.gpkg --lock WG3-027 --pin 164903478=WG3-021
            """
    )

    @Argument(help: ArgumentHelp("The hand-drawn grids: a GeoPackage, a .geojson file, a Shapefile or any file GDAL reads.", valueName: "hand"))
    var hand: String

    @Option(help: ArgumentHelp("The district: a GeoPackage, or a folder of <layer>.geojson files.", valueName: "district"))
    var district: String

    @Option(name: .shortAndLong, help: ArgumentHelp("The GeoPackage to write.", valueName: "grids.gpkg"))
    var output: String

    @Option(help: ArgumentHelp("Widest gap or overlap repaired without --repair-all, in metres.", valueName: "m"))
    var tolerance = 2.0

    @Flag(help: "Repair gaps and overlaps wider than --tolerance too, instead of stopping on them.")
    var repairAll = false

    @Option(help: ArgumentHelp("A grid that must keep its drawn lines (its office code; repeat, or separate with commas): it wins every overlap, takes no gap another grid borders, gives nothing away, and only takes in whole a building its own line cuts.",
                               valueName: "office-code"))
    var lock: [String] = []

    @Option(help: ArgumentHelp("A building that belongs to a grid whatever the lines say: BUILDING_ID=OFFICE_CODE (repeat, or separate with commas). Where grid lines cut the building, it goes whole to that grid.",
                               valueName: "building=office-code"))
    var pin: [String] = []

    // Not `--layer`: that names the district's layers (`--layer buildings=楼栋`, DistrictOptions).
    @Option(name: .customLong("grids-layer"),
            help: ArgumentHelp("The layer of HAND to read (default: its only polygon layer, or `grids`).", valueName: "layer"))
    var layer: String?

    @Option(help: ArgumentHelp("The field holding the office's grid codes (default: the first of 网格编码, 网格编号, 网格代码, 网格ID, 编码, 编号, code, CODE, WGBM).",
                               valueName: "field"))
    var codeField: String?

    @Option(help: ArgumentHelp("The field holding the grids' names (default: the first of 网格名称, 网格名, 名称, name, grid_name, NAME, WGMC).",
                               valueName: "field"))
    var nameField: String?

    @Option(help: ArgumentHelp("Language of the summary: en or zh.", valueName: "lang"))
    var lang: BoundsReason.Language = .english

    @Option(help: ArgumentHelp("Fewest households of a grid, for the summary's list of grids outside the bounds.", valueName: "n"))
    var gridMin = 150
    @Option(help: ArgumentHelp("Most households of a grid, for the same list.", valueName: "n"))
    var gridMax = 250

    @Option(help: ArgumentHelp("Repairs and grids out of bounds listed in the summary (0: all).", valueName: "n"))
    var limit = 10

    @OptionGroup var options: DistrictOptions

    /// `--pin` as building id → office code.
    func pins() throws -> [String: String] {
        var pins: [String: String] = [:]
        for entry in codeList(pin) {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("--pin \(entry): write BUILDING_ID=OFFICE_CODE, e.g. --pin 164903478=WG3-027")
            }
            if let other = pins[parts[0]], other != parts[1] {
                throw ValidationError("--pin pins building \(parts[0]) to both \(other) and \(parts[1])")
            }
            pins[parts[0]] = parts[1]
        }
        return pins
    }

    func validate() throws {
        _ = try pins()
        guard tolerance >= 0, tolerance.isFinite else { throw ValidationError("--tolerance must be a number of metres, 0 or more") }
        guard gridMin >= 0, gridMin <= gridMax else { throw ValidationError("--grid-min must be at most --grid-max") }
    }

    func run() throws {
        try reportingErrors { _ = try FileCheck.outputFile(output) }
        let read = try reportingErrors { try DistrictReader.read(district, options: options.readOptions()) }
        let (grids, problems) = try reportingErrors {
            try HandDrawnGrids.read(hand, layer: layer, codeField: codeField, nameField: nameField, encoding: options.encoding,
                                    epsg: read.district.epsg)
        }
        let importOptions = GridImportOptions(toleranceMetres: tolerance, repairsAll: repairAll, gridMin: gridMin, gridMax: gridMax,
                                              locked: codeList(lock), pins: try pins())
        let result: GridImport
        do {
            result = try GridImporter.importGrids(grids, problems: problems, into: read.district, options: importOptions)
        } catch let error as GridImportError {
            // One line each: the whole list, however long (reportingErrors cuts a message short).
            for problem in error.problems { printError(safeForTerminal(problem.description)) }
            printError(lang == .chinese ? "error: 手绘网格共有 \(error.problems.count) 个问题；未写出文件"
                : "error: \(error.problems.count) problem\(error.problems.count == 1 ? "" : "s") in the hand-drawn grids; nothing written")
            throw ExitCode(1)
        }
        try reportingErrors { try result.write(to: output) }
        print(ImportSummary(result: result, options: importOptions, output: output, language: lang, limit: limit).lines.joined(separator: "\n"))
    }
}

/// The summary `import-grids` prints, in English or Chinese.
struct ImportSummary {
    let result: GridImport
    let options: GridImportOptions
    let output: String
    let language: BoundsReason.Language
    let limit: Int

    private func say(_ english: String, _ chinese: String) -> String { language == .chinese ? chinese : english }

    var lines: [String] {
        let grids = result.grids
        let communities = Set(grids.map(\.communityCode)).count
        let placed = result.householdsIn - result.householdsNotPlaced
        var out = [
            say("wrote \(output)", "已写出 \(output)"),
            say("  grids         \(pad(grids.count))   from \(result.source) (layer \(result.sourceLayer)), in \(grouped(communities)) communities",
                "  网格          \(pad(grids.count))   来自 \(result.source)（图层 \(result.sourceLayer)），共 \(grouped(communities)) 个社区"),
            say("  households    \(pad(result.householdsIn))   \(grouped(placed)) in a grid, \(grouped(result.householdsNotPlaced)) in no grid (outside every community)",
                "  户数          \(pad(result.householdsIn))   \(grouped(placed)) 户在网格内，\(grouped(result.householdsNotPlaced)) 户不在任何网格（在所有社区之外）"),
            say("  repairs       \(pad(result.repairs.count))   \(byKind()); households moved \(grouped(result.repairs.reduce(0) { $0 + $1.householdsMoved }))",
                "  修复          \(pad(result.repairs.count))   \(byKind())；变更网格的户数 \(grouped(result.repairs.reduce(0) { $0 + $1.householdsMoved }))"),
            say("  kept          \(keptShare()) of the grids within 5 % of their drawn area",
                "  保留          \(keptShare()) 的网格面积与手绘相差不到 5%"),
            String(format: say("  time          %.2f s", "  用时          %.2f 秒"), result.seconds),
        ]
        let shown = limit > 0 ? Array(result.repairs.prefix(limit)) : result.repairs
        if !shown.isEmpty { out.append(say("Repairs (table repairs):", "修复（表 repairs）：")) }
        for repair in shown { out.append("  \(repair.kind.rawValue)  \(repair.officeCode)  \(repair.detail)") }
        if shown.count < result.repairs.count {
            out.append(say("  ... and \(grouped(result.repairs.count - shown.count)) more (--limit 0 lists all)",
                           "  ……另有 \(grouped(result.repairs.count - shown.count)) 条（--limit 0 列出全部）"))
        }
        let outside = result.outOfBounds(options)
        if !outside.isEmpty {
            out.append(say("Outside the household bounds (\(options.gridMin)-\(options.gridMax)), kept as drawn: \(grouped(outside.count)) grids",
                           "超出户数范围（\(options.gridMin)-\(options.gridMax)）、按手绘保留的网格：\(grouped(outside.count)) 个"))
            let listed = limit > 0 ? Array(outside.prefix(limit)) : outside
            for grid in listed { out.append("  \(grid.code)  \(grid.officeCode)  \(grid.households)") }
        }
        if !result.droppedGrids.isEmpty {
            out.append(say("Left with no area (all of it went to other grids): ", "面积全部划给其他网格、已不存在的网格：")
                       + result.droppedGrids.joined(separator: ", "))
        }
        return out
    }

    private func byKind() -> String {
        let counts = GridRepair.Kind.allCases.compactMap { kind -> String? in
            let n = result.repairs.filter { $0.kind == kind }.count
            return n > 0 ? "\(grouped(n)) \(kind.rawValue)" : nil
        }
        return counts.isEmpty ? say("none", "无") : counts.joined(separator: ", ")
    }

    private func keptShare() -> String {
        guard !result.grids.isEmpty else { return "-" }
        let kept = result.grids.filter { $0.drawnSquareMetres > 0 && abs($0.squareMetres - $0.drawnSquareMetres) <= 0.05 * $0.drawnSquareMetres }.count
        return String(format: "%.1f%%", 100 * Double(kept) / Double(result.grids.count))
    }
}
