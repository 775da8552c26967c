import Foundation

/// The body of `POST /v1/locate`: `{"datum": "wgs84", "points": [{"id": "..", "lon": .., "lat": ..}, ..]}`.
///
/// Decoded leniently below the point level: a point whose `lon` or `lat` is missing, not a
/// number or out of range is answered `invalid` with its reason, like a bad row of the locate
/// CSV, so one bad point does not reject the batch. What makes the body as a whole unreadable
/// (malformed JSON, not an object, no `points` array, a point that is not an object, a `datum`
/// that is not a known datum) is a 400 naming the JSON path.
struct BatchRequest: Decodable {
    var datum: String?
    var points: [BatchPoint]

    /// Decodes `body`.
    /// - Throws: `IntakeServerError` of kind `.badRequest` naming the JSON path of the problem.
    static func decode(_ body: [UInt8]) throws(IntakeServerError) -> BatchRequest {
        guard body.contains(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) else {
            throw IntakeServerError(.badRequest, message: "the body is empty: send \(example)")
        }
        do {
            return try JSONDecoder().decode(BatchRequest.self, from: Data(body))
        } catch let error as DecodingError {
            throw describe(error)
        } catch {
            throw IntakeServerError(.badRequest, message: "malformed JSON: \(error)")
        }
    }

    static let example = #"{"datum": "wgs84", "points": [{"id": "e1", "lon": 121.47, "lat": 31.23}]}"#

    /// What belongs at a JSON path of a batch.
    private static func expected(at codingPath: [any CodingKey]) -> String {
        switch codingPath.last?.stringValue {
        case "points": "an array of points"
        case "datum": "a string (wgs84, gcj02 or bd09)"
        default: "an object {\"id\": .., \"lon\": .., \"lat\": ..}"
        }
    }

    private static func describe(_ error: DecodingError) -> IntakeServerError {
        func path(_ codingPath: [any CodingKey]) -> String? {
            guard !codingPath.isEmpty else { return nil }
            var text = ""
            for key in codingPath {
                if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : ".\(key.stringValue)" }
            }
            return text
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            let detail = (context.underlyingError.map { "\($0)" } ?? context.debugDescription)
            return IntakeServerError(.badRequest, message: "malformed JSON: \(PointInput.clip(detail, limit: 200))")
        case .dataCorrupted(let context):
            return IntakeServerError(.badRequest, field: path(context.codingPath), message: context.debugDescription)
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return IntakeServerError(.badRequest, field: field, message: "missing: send \(example)")
        case .typeMismatch(_, let context):
            guard let field = path(context.codingPath) else {
                return IntakeServerError(.badRequest, message: "the body must be a JSON object: send \(example)")
            }
            return IntakeServerError(.badRequest, field: field, message: "expected \(expected(at: context.codingPath))")
        case .valueNotFound(_, let context):
            return IntakeServerError(.badRequest, field: path(context.codingPath),
                                     message: "null where \(expected(at: context.codingPath)) is expected")
        @unknown default:
            return IntakeServerError(.badRequest, message: "malformed request: \(error)")
        }
    }
}

/// One point of a batch, as sent: checked later, point by point.
struct BatchPoint: Decodable {
    /// The point's `id` as text (a number's JSON text), nil when absent or null.
    var id: String?
    /// Why `id` is unusable (an array, object or boolean), making the point invalid.
    var idProblem: String?
    var lon: CoordinateInput
    var lat: CoordinateInput

    private enum Key: String, CodingKey {
        case id, lon, lat
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        if try !container.contains(.id) || container.decodeNil(forKey: .id) {
            id = nil
        } else if let text = try? container.decode(String.self, forKey: .id) {
            id = text
        } else if let number = try? container.decode(Int64.self, forKey: .id) {
            id = String(number)
        } else if let number = try? container.decode(Double.self, forKey: .id) {
            id = "\(number)"
        } else {
            id = nil
            idProblem = "id: must be a string or a number"
        }
        lon = try Self.coordinate(container, .lon)
        lat = try Self.coordinate(container, .lat)
    }

    private static func coordinate(_ container: KeyedDecodingContainer<Key>, _ key: Key) throws -> CoordinateInput {
        guard container.contains(key) else { return .missing }
        if try container.decodeNil(forKey: key) { return .notNumber("null") }
        if let number = try? container.decode(Double.self, forKey: key) { return .number(number) }
        if let text = try? container.decode(String.self, forKey: key) { return .notNumber("the string \"\(PointInput.clip(text))\"") }
        if let flag = try? container.decode(Bool.self, forKey: key) { return .notNumber(flag ? "true" : "false") }
        return .notNumber("this value (an array, an object or a number beyond a double's range)")
    }
}
