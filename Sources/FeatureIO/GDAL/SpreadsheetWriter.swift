import CGDAL
import Foundation

/// Writes attribute tables as a spreadsheet through GDAL, chosen by the file's extension: an
/// Excel workbook (`.xlsx`, GDAL's XLSX driver) or an OpenDocument one (`.ods`), a sheet per
/// layer with the field names as its header row; or one table as CSV (`.csv`, UTF-8 with a byte
/// order mark, so that Excel on a Chinese Windows reads the Chinese as such).
///
/// Atomic, as every output of the engine: written to a temporary file beside the target and
/// renamed over it when complete.
public enum SpreadsheetWriter {
    /// The formats, by extension (lower case).
    public enum Format: String, CaseIterable, Sendable {
        case xlsx, ods, csv

        /// The format of `path`'s extension, nil for another.
        public init?(path: String) {
            self.init(rawValue: (path as NSString).pathExtension.lowercased())
        }

        var driver: String {
            switch self {
            case .xlsx: "XLSX"
            case .ods: "ODS"
            case .csv: "CSV"
            }
        }
    }

    /// Writes `sheets` (attribute layers) to `path`, in the format of its extension.
    /// - Throws: `FeatureIOError`: `.unsupported` for an extension other than .xlsx, .ods or
    ///   .csv, or more than one sheet in a CSV; `.write` naming the file and sheet when GDAL
    ///   cannot write it; nothing is left behind.
    public static func write(_ sheets: [Layer], to path: String) throws {
        guard let format = Format(path: path) else {
            throw FeatureIOError(.unsupported, "a spreadsheet is .xlsx, .ods or .csv: name the file so", file: path)
        }
        guard format != .csv || sheets.count == 1 else {
            throw FeatureIOError(.unsupported, "a CSV file holds one sheet, not \(sheets.count)", file: path)
        }
        try AtomicFile.write(to: path) { temporary in
            // With the format's extension, which GDAL's CSV driver needs to write one file (not a
            // folder), and only there: GDAL reaches into a workbook as `/vsizip/<file>/...` and
            // takes the first `.xlsx` or `.ods` of the path as the end of the file's name.
            let named = ((temporary as NSString).deletingLastPathComponent as NSString)
                .appendingPathComponent(".gridweave-\(UUID().uuidString).\(format.rawValue)")
            defer { unlink(named) }
            try withGDALMessages {
                let dataset = try GDALOutputDataset(creating: named, driver: format.driver)
                for sheet in sheets {
                    do {
                        let options = format == .csv ? ["WRITE_BOM=YES"] : []
                        let output = try dataset.createLayer(sheet, geometryType: wkbNone, options: options)
                        for field in sheet.fields { try GDALOutputDataset.createField(field.name, field.type, in: output) }
                        try GDALOutputDataset.writeFeatures(of: sheet, into: output)
                    } catch let error as FeatureIOError {
                        throw error.located(layer: sheet.name)
                    }
                }
                try dataset.close()
            }
            // rename(2) returns 0, or -1 with errno.
            guard rename(named, temporary) == 0 else {
                throw FeatureIOError(.write, "cannot name the finished file: \(String(cString: strerror(errno)))")
            }
        }
    }
}
