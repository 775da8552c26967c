import ArgumentParser
import DistrictModel
import FeatureIO
import Foundation
import MapRendering

extension MapLanguage: ExpressibleByArgument {}
extension BuildingShading: ExpressibleByArgument {}
extension Paper: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.uppercased()) }
}

/// `gridweave render GRIDS [--district D] -o MAP.pdf|svg|png`, and the grid sheets
/// (`--grid CODE`, `--each-grid`).
struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw a map of the grids over their district, or a printable sheet for each grid worker.",
        discussion: """
            A map (the default): the grids filled by their households (a sequential palette \
            inside --grid-min..--grid-max; grids outside the bounds in colours of their own; \
            dedicated and rural grids grey and sand), micro-grid outlines dashed, grid and \
            micro-grid codes; with --district also the communities and their names, the \
            buildings (shaded by households, or by micro-grid with --shade microgrid), the \
            roads by class with their names along them, shops and dedicated sites. Beside it a \
            legend, a scale bar, a north arrow, the CRS and --attribution. Labels that would \
            overlap are left out. The format follows the extension of -o: .pdf, .svg or .png; \
            text is set by pango in Noto Sans CJK SC, embedded in PDFs. The same input always \
            gives the same bytes.

            A grid sheet (--grid CODE, with --district): one PDF page (more when its buildings' \
            table runs on) with the grid's map, its code and name, community and street, \
            households, micro-grids with their households, the table of its buildings (number \
            as on the map, units, households, micro-grid) and the office's fields of grids \
            imported by `gridweave import-grids` (网格员, 电话...). --each-grid writes a sheet \
            per grid: into a folder (-o DIR/, one CODE.pdf each), or into one atlas (-o \
            atlas.pdf) with an index page first.

            Examples:
              gridweave render grids.gpkg -o grids.png
              gridweave render grids.gpkg --district city.gpkg --lang zh -o map.pdf \\
                  --attribution "© OpenStreetMap contributors"
              gridweave render grids.gpkg --district city.gpkg --grid 310101002001003 -o sheet.pdf --paper A3
              gridweave render grids.gpkg --district city.gpkg --each-grid -o sheets/
              gridweave render grids.gpkg --district city.gpkg --each-grid -o atlas.pdf --lang zh
            """
    )

    @Argument(help: ArgumentHelp("A grids GeoPackage (layer grids; microgrids drawn when present).", valueName: "grids.gpkg"))
    var grids: String

    @Option(name: .shortAndLong, help: ArgumentHelp(
        "What to write: a map (.pdf, .svg or .png), a sheet (.pdf), with --each-grid a folder (DIR/) or an atlas (.pdf).",
        valueName: "file|dir/"))
    var output: String

    @Option(help: ArgumentHelp("The district the grids were made for: its buildings, roads, communities, shops and dedicated sites are drawn under the grids.",
                               valueName: "district"))
    var district: String?

    @OptionGroup(title: "Reading the district")
    var districtOptions: DistrictOptions

    @Option(help: ArgumentHelp("Write the sheet of this grid (a PDF; needs --district).", valueName: "code"))
    var grid: String?

    @Flag(help: "Write the sheet of every grid: into the folder -o, or into the atlas -o .pdf with an index page (needs --district).")
    var eachGrid = false

    @Option(help: ArgumentHelp("Paper of a sheet: A4 or A3, portrait.", valueName: "A4|A3"))
    var paper: Paper = .a4

    @Option(name: .customLong("lang"), help: ArgumentHelp("Language of the map's and sheets' words: zh or en (names in the data are printed as they are).", valueName: "zh|en"))
    var language: MapLanguage = .en

    @Option(help: ArgumentHelp("How buildings are filled: households, or microgrid (default: households on a map, microgrid on a sheet).", valueName: "households|microgrid"))
    var shade: BuildingShading?

    @Option(help: ArgumentHelp("Who the district's data comes from, printed on the map, e.g. \"© OpenStreetMap contributors\".", valueName: "text"))
    var attribution: String?

    @Option(help: ArgumentHelp("Width of a map's map area, in points (PDF, SVG) or pixels (PNG); the legend adds 320.", valueName: "px"))
    var width = 1600

    @Option(help: ArgumentHelp("Fewest households in a residential grid.", valueName: "n"))
    var gridMin = 150
    @Option(help: ArgumentHelp("Most households in a residential grid.", valueName: "n"))
    var gridMax = 250

    /// What the command writes.
    enum Product { case map(MapFormat), sheet, folder, atlas }

    var product: Product? {
        let format = MapFormat(path: output)
        if eachGrid { return format == .pdf ? .atlas : (format == nil ? .folder : nil) }
        if grid != nil { return format == .pdf ? .sheet : nil }
        return format.map { .map($0) }
    }

    func validate() throws {
        if grid != nil && eachGrid { throw ValidationError("--grid and --each-grid: give one (a sheet for one grid, or for every grid)") }
        if (grid != nil || eachGrid) && district == nil {
            throw ValidationError("\(grid != nil ? "--grid" : "--each-grid") needs --district: a sheet lists the grid's buildings")
        }
        guard product != nil else {
            if eachGrid { throw ValidationError("-o \(output): with --each-grid, give a folder (sheets/) or an atlas ending in .pdf") }
            if grid != nil { throw ValidationError("-o \(output): a sheet is a PDF; end -o in .pdf") }
            throw ValidationError("-o \(output): the map must end in .pdf, .svg or .png")
        }
        guard (100...20_000).contains(width) else { throw ValidationError("--width must be 100 to 20000 pixels") }
        guard gridMin <= gridMax else { throw ValidationError("--grid-min \(gridMin) is above --grid-max \(gridMax)") }
    }

    func run() throws {
        let start = Date()
        guard let product else { throw ExitCode(1) }
        if case .folder = product {
            try reportingErrors { try FileCheck.outputDirectory(output) }
        } else {
            try reportingErrors { _ = try FileCheck.outputFile(output) }
        }
        var map = try reportingErrors { try GridMap(contentsOf: grids, bounds: HouseholdBounds(gridMin: gridMin, gridMax: gridMax)) }
        if let district {
            let read = try reportingErrors { try DistrictReader.read(district, options: districtOptions.readOptions()) }
            try reportingErrors { try map.drawOver(read.district, attribution: attribution) }
        } else {
            map.attribution = attribution
        }
        let options = SheetOptions(paper: paper, language: language, shading: shade ?? .microgrid)
        let written: String = try reportingErrors {
            switch product {
            case .map(let format):
                try map.writeMap(to: output, format: format, width: width, language: language, shading: shade ?? .households)
                return output
            case .sheet:
                try map.writeSheets(of: [try map.gridIndex(of: grid ?? "")], to: output, options: options, index: false)
                return output
            case .atlas:
                try map.writeSheets(of: Array(map.grids.indices), to: output, options: options, index: true)
                return "\(output) (\(map.grids.count) grid sheets and their index)"
            case .folder:
                let paths = try map.writeSheetFolder(to: output, options: options)
                return "\(paths.count) sheets into \(output)"
            }
        }
        print(String(format: "wrote %@ in %.2f s", written, Date().timeIntervalSince(start)))
    }
}
