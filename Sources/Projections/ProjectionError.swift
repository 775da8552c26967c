import GeometryEngine

/// What went wrong with a coordinate reference system: a code PROJ does not know, a point that
/// cannot be transformed, or another PROJ failure.
public struct ProjectionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure. A struct over a private enum, so kinds can be added without
    /// breaking a caller's `switch`.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case unknownCRS, transformFailed, proj
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No coordinate reference system has this EPSG code in PROJ's database.
        public static let unknownCRS = Kind(.unknownCRS)
        /// A point has no image in the target CRS (outside the projection's domain, or not a number).
        public static let transformFailed = Kind(.transformFailed)
        /// Another PROJ failure (the message is PROJ's own).
        public static let proj = Kind(.proj)

        public var description: String {
            switch base {
            case .unknownCRS: "unknown CRS"
            case .transformFailed: "transform failed"
            case .proj: "PROJ error"
            }
        }
    }

    public var kind: Kind
    public var message: String
    /// The EPSG code concerned: the unknown code, or the CRS a failed point was in.
    public var epsg: Int?
    /// The input point that could not be transformed.
    public var point: XY?

    public init(_ kind: Kind, message: String, epsg: Int? = nil, point: XY? = nil) {
        self.kind = kind
        self.message = message
        self.epsg = epsg
        self.point = point
    }

    public var description: String {
        let crs = epsg.map { " (EPSG:\($0))" } ?? ""
        let location = point.map { " at \($0)" } ?? ""
        return "\(kind)\(crs)\(location): \(message)"
    }
}
