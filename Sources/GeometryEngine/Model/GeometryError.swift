/// What went wrong in a geometry operation: a GEOS exception, a geometry GEOS cannot build,
/// or bytes that are not WKB.
public struct GeometryError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure. A struct over a private enum, so kinds can be added without
    /// breaking a caller's `switch`.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case geos, invalidWKB, invalidWKT, unsupported
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// GEOS raised an exception (the message is GEOS's own).
        public static let geos = Kind(.geos)
        /// The bytes are not well-formed WKB.
        public static let invalidWKB = Kind(.invalidWKB)
        /// The text is not well-formed WKT.
        public static let invalidWKT = Kind(.invalidWKT)
        /// A geometry type or variant the engine does not handle.
        public static let unsupported = Kind(.unsupported)

        public var description: String {
            switch base {
            case .geos: "GEOS error"
            case .invalidWKB: "invalid WKB"
            case .invalidWKT: "invalid WKT"
            case .unsupported: "unsupported geometry"
            }
        }
    }

    public var kind: Kind
    /// The operation that failed (`"GEOSIntersection_r"`, `"WKB"`), for the reader of a log.
    public var operation: String
    public var message: String

    public init(_ kind: Kind, operation: String, message: String) {
        self.kind = kind
        self.operation = operation
        self.message = message
    }

    public var description: String { "\(kind) in \(operation): \(message)" }
}
