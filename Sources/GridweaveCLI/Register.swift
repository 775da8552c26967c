import ArgumentParser
import DistrictModel
import FeatureIO
import GridRegister

extension GridRegister.Language: ExpressibleByArgument {}

/// `gridweave register GRIDS -o register.xlsx [--lang zh|en]`: the office's register (台账) of
/// grids, micro-grids and buildings as a spreadsheet.
struct Register: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the register (台账) of grids, micro-grids and buildings as a spreadsheet: XLSX, ODS or CSV.",
        discussion: """
            Three sheets: grids (code, name, community code and name, street code and name, kind, \
            households, buildings, units, shops, road length, area in m²), micro-grids (code, name, \
            grid, community, street, households, buildings, units, area) and buildings (id, grid, \
            micro-grid, community, households, units). For grids imported by `gridweave \
            import-grids`, the office's code and every field of the office's file (grid worker, \
            phone...) follow on the grids sheet, as they came.

            Community names, streets and units come from the district (--district, read with \
            the same options as `partition`); without it those columns are empty. A grid's name \
            is its community's name and its number: 南京东路第1社区第3网格. Areas are measured in \
            the metric CRS the partition works in.

            The format is the file's extension: .xlsx (Excel), .ods (LibreOffice), or .csv, one \
            sheet (--sheet), UTF-8 with a byte order mark for Excel. --lang zh (the default) gives \
            Chinese sheet names and headers, en English ones. The file is written whole or not at \
            all. GRIDS is a partition's GeoPackage or the PostGIS tables it wrote (PG:"...").

            Examples:
              gridweave register grids.gpkg --district district.gpkg -o 网格台账.xlsx
              gridweave register grids.gpkg -o register.ods --lang en
              gridweave register grids.gpkg --district district.gpkg -o 楼栋.csv --sheet buildings
            """
    )

    @Argument(help: ArgumentHelp("A partition's grids file, or PG:\"...\" the database it was written to.", valueName: "grids.gpkg"))
    var grids: String

    @Option(name: .shortAndLong, help: ArgumentHelp("The spreadsheet to write: .xlsx, .ods or .csv.", valueName: "register.xlsx"))
    var output: String

    @Option(help: ArgumentHelp("Language of the sheet names and headers: zh or en.", valueName: "lang"))
    var lang: GridRegister.Language = .zh

    @Option(help: ArgumentHelp("The district the grids were made from: community names, streets and units.", valueName: "district"))
    var district: String?

    @Option(help: ArgumentHelp("With a .csv output: which sheet, grids (default), microgrids or buildings.", valueName: "sheet"))
    var sheet: Sheet = .grids

    @OptionGroup var options: DistrictOptions

    enum Sheet: String, ExpressibleByArgument, CaseIterable {
        case grids, microgrids, buildings
    }

    func validate() throws {
        guard let format = SpreadsheetWriter.Format(path: output) else {
            throw ValidationError("-o must end in .xlsx, .ods or .csv: the format is the file's extension")
        }
        if format != .csv && sheet != .grids { throw ValidationError("--sheet applies to a .csv output only (a workbook holds every sheet)") }
    }

    func run() throws {
        try reportingErrors { _ = try FileCheck.outputFile(output) }
        let read = try district.map { path in try reportingErrors { try DistrictReader.read(path, options: options.readOptions()) } }
        let register = try reportingErrors { try GridRegister.read(grids: grids, district: read?.district) }
        var sheets = register.sheets(lang)
        if SpreadsheetWriter.Format(path: output) == .csv {
            sheets = [sheets[Sheet.allCases.firstIndex(of: sheet) ?? 0]]
        }
        try reportingErrors { try SpreadsheetWriter.write(sheets, to: output) }
        let counts = [(register.grids.count, "grids"), (register.microGrids.count, "micro-grids"), (register.buildings.count, "building rows")]
        print("wrote \(output): " + counts.map { "\(grouped($0.0)) \($0.1)" }.joined(separator: ", "))
    }
}
