import GeometryEngine
import Projections

/// A longitude or latitude as a client sent it, before it is checked.
enum CoordinateInput: Sendable {
    /// Text from a query string: checked to be a plain decimal number.
    case text(Substring)
    /// A JSON number.
    case number(Double)
    /// A JSON value that is not a number: its kind (`a string "abc"`, `true`, `null`, `an object`).
    case notNumber(String)
    case missing
}

/// Why one point cannot be located: the field (`lon`, `lat`) and what is wrong with it, worded as
/// the `invalid` reasons of `gridweave locate`.
struct PointProblem: Error, Sendable {
    var field: String
    var message: String

    /// `lat: 91 is outside -90..90`.
    var reason: String { "\(field): \(message)" }
}

enum PointInput {
    /// The point (longitude, latitude) when both coordinates are finite numbers in range:
    /// latitude within ±90, longitude within ±180 (the checks and their order are those of the
    /// locate CSV).
    static func point(lon: CoordinateInput, lat: CoordinateInput) -> Result<XY, PointProblem> {
        let x: Double, y: Double
        switch (number(lon, "lon"), number(lat, "lat")) {
        case (.failure(let problem), _), (_, .failure(let problem)):
            return .failure(problem)
        case (.success(let lonValue), .success(let latValue)):
            x = lonValue
            y = latValue
        }
        guard abs(y) <= 90 else { return .failure(PointProblem(field: "lat", message: "\(describe(lat, y)) is outside -90..90")) }
        guard abs(x) <= 180 else { return .failure(PointProblem(field: "lon", message: "\(describe(lon, x)) is outside -180..180")) }
        return .success(XY(x, y))
    }

    /// The datum named by `text`, or a problem naming the ones there are.
    static func datum(_ text: Substring, field: String = "datum") -> Result<Datum, PointProblem> {
        guard let datum = Datum(rawValue: text.lowercased()) else {
            return .failure(PointProblem(field: field, message: "unknown datum '\(clip(text))': use wgs84, gcj02 or bd09"))
        }
        return .success(datum)
    }

    private static func number(_ input: CoordinateInput, _ field: String) -> Result<Double, PointProblem> {
        switch input {
        case .missing:
            return .failure(PointProblem(field: field, message: "missing: give lon and lat in decimal degrees"))
        case .notNumber(let kind):
            return .failure(PointProblem(field: field, message: "\(kind) is not a number"))
        case .number(let value):
            guard value.isFinite else { return .failure(PointProblem(field: field, message: "\(value) is not a finite number")) }
            return .success(value)
        case .text(let text):
            if text.isEmpty { return .failure(PointProblem(field: field, message: "empty: give a number in decimal degrees")) }
            if isPlainDecimal(text), let value = Double(text), value.isFinite {
                return .success(value)
            }
            if Self.nonFinite.contains(text.lowercased()) {
                return .failure(PointProblem(field: field, message: "'\(clip(text))' is not a finite number"))
            }
            return .failure(PointProblem(field: field, message: "'\(clip(text))' is not a number"))
        }
    }

    /// What `Double(_:)` would read as NaN or infinity: named in its own message.
    private static let nonFinite: Set<String> = ["nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"]

    /// `[+-]digits[.digits][e[+-]digits]` (or `.digits`): what the locate CSV reads as a number.
    /// No spaces, no hexadecimal, no inf or nan.
    static func isPlainDecimal(_ text: Substring) -> Bool {
        var bytes = text.utf8[...]
        if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        func digits() -> Int {
            let count = bytes.prefix { $0 &- UInt8(ascii: "0") < 10 }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        var mantissaDigits = digits()
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            mantissaDigits += digits()
        }
        guard mantissaDigits > 0 else { return false }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return bytes.isEmpty
    }

    /// The value as the client wrote it when it was text, else in its shortest form.
    private static func describe(_ input: CoordinateInput, _ value: Double) -> String {
        if case .text(let text) = input { return clip(text) }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// A client's text for a message, cut to `limit` characters.
    static func clip(_ text: some StringProtocol, limit: Int = 32) -> String {
        text.count > limit ? String(text.prefix(limit)) + "…" : String(text)
    }
}
