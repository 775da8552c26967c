import FeatureIO
/// Input that cannot be understood: the run stops and nothing is written.
///
/// Carries where the problem is (file, layer, feature id, field) so that the message tells a
/// planner exactly what to fix.
public struct DistrictError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A struct over a private enum, so kinds can be added without breaking a caller's `switch`.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case missingFile, missingLayer, missingField, missingValue, invalidValue, duplicateID
            case unknownCRS, invalidGeometry, unreadable, unplacedHouseholds
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No such file or folder.
        public static let missingFile = Kind(.missingFile)
        /// A required layer (`communities`, `buildings`) is absent.
        public static let missingLayer = Kind(.missingLayer)
        /// A required field is not in the layer's schema.
        public static let missingField = Kind(.missingField)
        /// A required field is empty (NULL) on a feature.
        public static let missingValue = Kind(.missingValue)
        /// A value of the wrong form: a negative or fractional household count, a code that is
        /// not 12 digits, an unknown `kind`.
        public static let invalidValue = Kind(.invalidValue)
        /// Two features of a layer share an id (or two communities a code).
        public static let duplicateID = Kind(.duplicateID)
        /// A CRS that PROJ does not know, or none at all.
        public static let unknownCRS = Kind(.unknownCRS)
        /// A geometry of the wrong type for its layer, or one that cannot be repaired.
        public static let invalidGeometry = Kind(.invalidGeometry)
        /// The file is not a GeoPackage or GeoJSON the engine can read.
        public static let unreadable = Kind(.unreadable)
        /// Buildings whose households would be in no grid, where the run was asked to allow
        /// none (`partition --strict`).
        public static let unplacedHouseholds = Kind(.unplacedHouseholds)

        public var description: String {
            switch base {
            case .missingFile: "missing file"
            case .missingLayer: "missing layer"
            case .missingField: "missing field"
            case .missingValue: "missing value"
            case .invalidValue: "invalid value"
            case .duplicateID: "duplicate id"
            case .unknownCRS: "unknown CRS"
            case .invalidGeometry: "invalid geometry"
            case .unreadable: "unreadable file"
            case .unplacedHouseholds: "households not placed"
            }
        }
    }

    public var kind: Kind
    public var file: String
    public var layer: String?
    /// The feature's id as the data gives it (or its fid / row when it has none).
    public var featureID: String?
    public var field: String?
    public var message: String

    public init(_ kind: Kind, file: String, layer: String? = nil, featureID: String? = nil, field: String? = nil,
                message: String) {
        self.kind = kind
        self.file = file
        self.layer = layer
        self.featureID = featureID
        self.field = field
        self.message = message
    }

    /// `FILE, layer L, feature F, field X: message` (the CLI puts `error: ` in front).
    public var description: String {
        var parts = [file]
        if let layer { parts.append("layer \(layer)") }
        // The feature's id comes from the file: quoted as all input is, cut and escaped.
        if let featureID { parts.append("feature \(InputExcerpt.of(featureID))") }
        if let field { parts.append("field \(field)") }
        return parts.joined(separator: ", ") + ": " + message
    }
}
