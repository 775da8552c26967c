import HTTPTypes

/// Why a request could not be answered, or the server could not start: the one error of the
/// HTTP boundary. Every error answer is the JSON object `{"error": "<description>"}` with the
/// kind's status code.
public struct IntakeServerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A struct over a private enum, so kinds can be added without breaking a caller's `switch`.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case badRequest, unauthorized, forbidden, notFound, methodNotAllowed, payloadTooLarge, reloadFailed, startup, internalError
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Input the server cannot read or answer: malformed JSON, a missing, non-numeric,
        /// non-finite or out-of-range coordinate, an unknown datum (400).
        public static let badRequest = Kind(.badRequest)
        /// An admin route asked without the admin token, or with a wrong one (401).
        public static let unauthorized = Kind(.unauthorized)
        /// An admin route that is off: reload over HTTP without `--admin-token-file` (403).
        public static let forbidden = Kind(.forbidden)
        /// No such route, or no grid with the code asked for (404).
        public static let notFound = Kind(.notFound)
        /// A route asked with a method it does not answer (405).
        public static let methodNotAllowed = Kind(.methodNotAllowed)
        /// A batch with more points than `--max-batch`, or a body longer than `--max-body` (413).
        public static let payloadTooLarge = Kind(.payloadTooLarge)
        /// The grids file could not be loaded on a reload; the previous one goes on serving (422).
        public static let reloadFailed = Kind(.reloadFailed)
        /// The server could not start: the grids file cannot be loaded, the port cannot be bound.
        public static let startup = Kind(.startup)
        /// A failure the server did not expect (500); it keeps serving.
        public static let internalError = Kind(.internalError)

        /// The HTTP status code of an answer with this error.
        public var statusCode: Int {
            switch base {
            case .badRequest: 400
            case .unauthorized: 401
            case .forbidden: 403
            case .notFound: 404
            case .methodNotAllowed: 405
            case .payloadTooLarge: 413
            case .reloadFailed: 422
            case .startup, .internalError: 500
            }
        }

        /// The status line of an answer with this error: the code and its standard reason phrase.
        var status: HTTPResponse.Status {
            switch base {
            case .badRequest: .badRequest
            case .unauthorized: .unauthorized
            case .forbidden: .forbidden
            case .notFound: .notFound
            case .methodNotAllowed: .methodNotAllowed
            case .payloadTooLarge: .contentTooLarge
            case .reloadFailed: .unprocessableContent
            case .startup, .internalError: .internalServerError
            }
        }

        public var description: String {
            switch base {
            case .badRequest: "bad request"
            case .unauthorized: "unauthorized"
            case .forbidden: "forbidden"
            case .notFound: "not found"
            case .methodNotAllowed: "method not allowed"
            case .payloadTooLarge: "payload too large"
            case .reloadFailed: "reload failed"
            case .startup: "startup failed"
            case .internalError: "internal error"
            }
        }
    }

    public var kind: Kind
    /// What the error is about: a query parameter (`lat`), a JSON path (`points[3].lat`), a route
    /// or a grid code; nil when it is the request as a whole.
    public var field: String?
    public var message: String

    public init(_ kind: Kind, field: String? = nil, message: String) {
        self.kind = kind
        self.field = field
        self.message = message
    }

    /// `field: message`, or the message alone.
    public var description: String {
        field.map { "\($0): \(message)" } ?? message
    }
}
