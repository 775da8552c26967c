import Foundation

/// Reads an office's spreadsheet export (events from an XLSX or ODS workbook) as the CSV the
/// batch tools stream: its first sheet, header row first, every cell as text, Chinese intact.
public enum SpreadsheetReader {
    /// Whether `path` names a workbook by its extension (.xlsx, .ods), which `csv(of:to:)` converts.
    public static func isWorkbook(_ path: String) -> Bool {
        [.xlsx, .ods].contains(SpreadsheetWriter.Format(path: path))
    }

    /// Writes the first sheet of the workbook `path` to `csvPath` as CSV (UTF-8 with a byte
    /// order mark). Numbers are written as their shortest exact decimal (`121.48412045224822`),
    /// text as it is, empty cells empty.
    /// - Throws: `FeatureIOError` naming the workbook: `.notReadable` when GDAL cannot open it
    ///   or it has no sheet.
    public static func csv(of path: String, to csvPath: String) throws {
        let reader = try GDALReader(path: path)
        guard let first = reader.layerNames.first else {
            throw FeatureIOError(.notReadable, "the workbook has no sheet", file: path)
        }
        var sheet = try reader.readLayer(first)
        sheet.fields = sheet.fields.map { FieldDefinition($0.name, .text) }
        sheet.features = sheet.features.map { feature in
            var row = Feature(geometry: nil)
            for (name, value) in feature.properties {
                switch value {
                case .null: continue
                case .integer(let number): row[name] = .text(String(number))
                case .real(let number): row[name] = .text("\(number)")
                case .text: row[name] = value
                case .blob: continue
                }
            }
            return row
        }
        try SpreadsheetWriter.write([sheet], to: csvPath)
    }
}
