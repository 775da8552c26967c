/// Why a grids file could not be loaded, or a batch of points not read or written: the run
/// stops, and the message names the file, layer, feature, field, column or row to look at.
public struct GridLookupError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A struct over a private enum, so kinds can be added without breaking a caller's `switch`.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case missingFile, unreadable, missingLayer, missingField, missingValue, invalidGeometry, duplicateCode, unknownCRS
            case missingColumn, read, write, lineTooLong
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No file at the path.
        public static let missingFile = Kind(.missingFile)
        /// Not a GeoPackage, or one that cannot be read.
        public static let unreadable = Kind(.unreadable)
        /// The grids file has no `grids` layer.
        public static let missingLayer = Kind(.missingLayer)
        /// A layer lacks a field the lookup needs (`code`).
        public static let missingField = Kind(.missingField)
        /// A feature with no value in a field the lookup needs (a grid without a code).
        public static let missingValue = Kind(.missingValue)
        /// A grid whose geometry is not polygonal.
        public static let invalidGeometry = Kind(.invalidGeometry)
        /// Two grids (or two micro-grids) share a code.
        public static let duplicateCode = Kind(.duplicateCode)
        /// The grids file has no CRS that PROJ knows, so lon/lat input cannot be placed in it.
        public static let unknownCRS = Kind(.unknownCRS)
        /// The header of a points CSV lacks a required column (`id`, `lon`, `lat`).
        public static let missingColumn = Kind(.missingColumn)
        /// Points could not be read.
        public static let read = Kind(.read)
        /// Results could not be written.
        public static let write = Kind(.write)
        /// A CSV header longer than `LocateCSV.Options.maxLineBytes`.
        public static let lineTooLong = Kind(.lineTooLong)

        public var description: String {
            switch base {
            case .missingFile: "missing file"
            case .unreadable: "unreadable file"
            case .missingLayer: "missing layer"
            case .missingField: "missing field"
            case .missingValue: "missing value"
            case .invalidGeometry: "invalid geometry"
            case .duplicateCode: "duplicate code"
            case .unknownCRS: "unknown CRS"
            case .missingColumn: "missing column"
            case .read: "read error"
            case .write: "write error"
            case .lineTooLong: "line too long"
            }
        }
    }

    public var kind: Kind
    /// The grids file, or the points or results file (`-` for standard input and output).
    public var file: String
    public var layer: String?
    /// The feature: its fid in the GeoPackage.
    public var featureID: String?
    public var field: String?
    /// The CSV column concerned.
    public var column: String?
    public var message: String

    public init(_ kind: Kind, file: String, layer: String? = nil, featureID: String? = nil, field: String? = nil,
                column: String? = nil, message: String) {
        self.kind = kind
        self.file = file
        self.layer = layer
        self.featureID = featureID
        self.field = field
        self.column = column
        self.message = message
    }

    /// `FILE, layer L, feature F, field X: message` (the CLI puts `error: ` in front).
    public var description: String {
        var parts = [file]
        if let layer { parts.append("layer \(layer)") }
        if let featureID { parts.append("feature \(featureID)") }
        if let field { parts.append("field \(field)") }
        if let column { parts.append("column \(column)") }
        return parts.joined(separator: ", ") + ": " + message
    }
}
