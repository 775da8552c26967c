/// What went wrong reading or writing a feature file, and where: the file, layer, feature,
/// field and row that a person needs to find and fix the input.
public struct FeatureIOError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure. A struct over a private enum, so kinds can be added without
    /// breaking a caller's `switch`.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case fileNotFound, notAGeoPackage, notGeoJSON, layerNotFound, invalidLayer, invalidGeometry,
                 invalidValue, sqlite, write, unsupported, notARegularFile, notReadable, undecodableText
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No file at the path.
        public static let fileNotFound = Kind(.fileNotFound)
        /// The file is not SQLite, or holds no `gpkg_contents` table.
        public static let notAGeoPackage = Kind(.notAGeoPackage)
        /// The file is not JSON, or not a GeoJSON FeatureCollection.
        public static let notGeoJSON = Kind(.notGeoJSON)
        /// The file has no layer of that name.
        public static let layerNotFound = Kind(.layerNotFound)
        /// A layer that cannot be written as given: a reserved or duplicate name, a field that
        /// clashes with the fid or geometry column, an unknown geometry type, two CRSs with one id.
        public static let invalidLayer = Kind(.invalidLayer)
        /// A geometry that cannot be read (bad GeoPackage blob or WKB, bad GeoJSON coordinates)
        /// or written (not of the layer's type, a coordinate that is not finite).
        public static let invalidGeometry = Kind(.invalidGeometry)
        /// An attribute value that does not fit: a property that is not a field of the layer, a
        /// value not of its field's type, a number JSON cannot hold.
        public static let invalidValue = Kind(.invalidValue)
        /// SQLite failed (its result code is in `sqliteCode`).
        public static let sqlite = Kind(.sqlite)
        /// The output file could not be created, written or moved into place.
        public static let write = Kind(.write)
        /// Valid input that this reader does not handle (such as extended GeoPackage geometry types).
        public static let unsupported = Kind(.unsupported)
        /// An input path that names a FIFO, a socket, a device or a directory where a regular
        /// file is read (see `FileCheck`; an output path that is one is a `.write` error).
        public static let notARegularFile = Kind(.notARegularFile)
        /// A file or folder that no reader opens: not a GeoPackage, and no format GDAL knows
        /// (or GDAL failed while reading it; GDAL's own words follow ours).
        public static let notReadable = Kind(.notReadable)
        /// A text value or field name whose bytes are not text in the encoding it is read in
        /// (a GBK Shapefile read as UTF-8).
        public static let undecodableText = Kind(.undecodableText)

        public var description: String {
            switch base {
            case .fileNotFound: "file not found"
            case .notAGeoPackage: "not a GeoPackage"
            case .notGeoJSON: "not GeoJSON"
            case .layerNotFound: "layer not found"
            case .invalidLayer: "invalid layer"
            case .invalidGeometry: "invalid geometry"
            case .invalidValue: "invalid value"
            case .sqlite: "SQLite error"
            case .write: "write error"
            case .unsupported: "unsupported"
            case .notARegularFile: "not a regular file"
            case .notReadable: "not a readable vector source"
            case .undecodableText: "text not in the file's encoding"
            }
        }
    }

    public var kind: Kind
    /// What is wrong, in words (for `.sqlite`, SQLite's own message follows ours).
    public var message: String
    /// The file being read or written, as the caller named it.
    public var file: String?
    public var layer: String?
    /// The feature: its GeoPackage fid, or its GeoJSON `id` when it has one.
    public var featureID: String?
    public var field: String?
    /// The 0-based position of the feature in the layer (GeoJSON: in `features`).
    public var row: Int?
    /// SQLite's result code for `.sqlite` (and for `.write` when SQLite could not create the file).
    public var sqliteCode: Int32?

    public init(_ kind: Kind, _ message: String, file: String? = nil, layer: String? = nil, featureID: String? = nil,
                field: String? = nil, row: Int? = nil, sqliteCode: Int32? = nil) {
        self.kind = kind
        self.message = message
        self.file = file
        self.layer = layer
        self.featureID = featureID
        self.field = field
        self.row = row
        self.sqliteCode = sqliteCode
    }

    /// `error: district.gpkg, layer buildings, feature 17: geometry is not valid WKB (...)`.
    public var description: String {
        var location: [String] = []
        if let file { location.append(file) }
        // Names and ids come from the file: quoted as all input is, cut and escaped.
        if let layer { location.append("layer \(InputExcerpt.of(layer))") }
        if let featureID { location.append("feature \(InputExcerpt.of(featureID))") }
        if let row { location.append(featureID == nil ? "feature at index \(row)" : "index \(row)") }
        if let field { location.append("field \(InputExcerpt.of(field))") }
        return location.isEmpty ? "error: \(message)" : "error: \(location.joined(separator: ", ")): \(message)"
    }

    /// A copy with the location filled in where it is still unknown.
    func located(file: String? = nil, layer: String? = nil, featureID: String? = nil, field: String? = nil,
                 row: Int? = nil) -> FeatureIOError {
        var copy = self
        copy.file = copy.file ?? file
        copy.layer = copy.layer ?? layer
        copy.featureID = copy.featureID ?? featureID
        copy.field = copy.field ?? field
        copy.row = copy.row ?? row
        return copy
    }
}
