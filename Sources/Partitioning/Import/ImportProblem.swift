/// One problem of a file of hand-drawn grids (`gridweave import-grids`), with where it is: the
/// file, layer, feature (its fid, or its office code) and field a person needs to find it.
///
/// The importer collects every problem of the file before it stops, so that an office sees all
/// of them in one run, never one per run.
public struct ImportProblem: Hashable, Sendable, CustomStringConvertible {
    /// What is wrong. The raw value is printed in the message, so a script may read it.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// The file has no polygon layer to read, or several and none was chosen.
        case noLayer = "no_layer"
        /// The layer has no CRS, or one PROJ does not know.
        case noCRS = "no_crs"
        /// The code field (`--code-field`, or none of the usual names) is not in the layer.
        case missingCodeField = "missing_code_field"
        /// The name field given with `--name-field` is not in the layer.
        case missingNameField = "missing_name_field"
        /// A grid has no office code.
        case missingCode = "missing_code"
        /// Two grids have the same office code.
        case duplicateCode = "duplicate_code"
        /// `--lock` names an office code no grid of the file has.
        case unknownLock = "unknown_lock"
        /// `--pin` names a building the district lacks or a grid the file lacks, or pins a
        /// building to a grid not drawn over any part of it.
        case badPin = "bad_pin"
        /// A grid has no geometry, or one that is not a polygon.
        case notPolygon = "not_polygon"
        /// A grid's polygon is not valid (it crosses itself, a ring is open, ...).
        case invalidGeometry = "invalid_geometry"
        /// A grid lies in no community of the district.
        case outsideCommunities = "outside_communities"
        /// A gap between grids wider than the tolerance (repaired with `--repair-all`).
        case largeGap = "large_gap"
        /// An overlap of grids wider than the tolerance (repaired with `--repair-all`).
        case largeOverlap = "large_overlap"
        /// A community of the district that no grid covers.
        case communityWithoutGrids = "community_without_grids"
        /// A community with more grids than a 3-digit sequence numbers, or a code that is not 12 digits.
        case cannotCode = "cannot_code"
    }

    public var kind: Kind
    public var message: String
    public var file: String?
    public var layer: String?
    /// The feature's fid, else its office code.
    public var featureID: String?
    public var field: String?

    public init(_ kind: Kind, _ message: String, file: String? = nil, layer: String? = nil, featureID: String? = nil, field: String? = nil) {
        self.kind = kind
        self.message = message
        self.file = file
        self.layer = layer
        self.featureID = featureID
        self.field = field
    }

    /// `error: hand.gpkg, layer 网格, feature 7, field 网格编码: duplicate_code: code A7 is also feature 3's`.
    /// The place is written as every error of Partitioning writes it (`RepartitionError`).
    public var description: String {
        RepartitionError(kind.rawValue + ": " + message, file: file, layer: layer, featureID: featureID, field: field).description
    }
}

/// Every problem that stopped an import, in the order found; nothing was written.
public struct GridImportError: Error, Hashable, Sendable, CustomStringConvertible {
    public var problems: [ImportProblem]

    public init(_ problems: [ImportProblem]) {
        self.problems = problems
    }

    /// One `error:` line per problem, then how many there are.
    public var description: String {
        (problems.map(\.description) + ["error: \(problems.count) problem\(problems.count == 1 ? "" : "s") in the hand-drawn grids; nothing written"])
            .joined(separator: "\n")
    }
}
