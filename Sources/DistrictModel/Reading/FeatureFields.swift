import Foundation
import FeatureIO

/// Reads the fields of one input feature, throwing errors that name the feature and field.
struct FeatureFields {
    let feature: Feature
    let file: String
    let layer: DistrictLayer
    /// How the feature is named in messages: its id once known, else its fid or row.
    var label: String

    init(_ feature: Feature, index: Int, file: String, layer: DistrictLayer) {
        self.feature = feature
        self.file = file
        self.layer = layer
        self.label = feature.fid.map { "fid \($0)" } ?? "row \(index + 1)"
    }

    func error(_ kind: DistrictError.Kind, field: String?, _ message: String) -> DistrictError {
        DistrictError(kind, file: file, layer: layer.rawValue, featureID: label, field: field, message: message)
    }

    /// An identifier: an integer or non-empty text, as a string.
    func identifier(_ field: String) throws -> String {
        switch feature[field] {
        case .null:
            throw error(.missingValue, field: field, "no \(field): every feature needs one")
        case .integer(let value):
            return String(value)
        case .real(let value) where value.isFinite && value == value.rounded() && abs(value) < 1e15:
            return String(Int64(value))
        case .text(let text) where !text.trimmingCharacters(in: .whitespaces).isEmpty:
            return text.trimmingCharacters(in: .whitespaces)
        default:
            throw error(.invalidValue, field: field, "\(field) \(describe(feature[field])) is not an identifier")
        }
    }

    /// An optional integer: nil when NULL; an error when present but not a whole number.
    func integer(_ field: String) throws -> Int? {
        switch feature[field] {
        case .null:
            return nil
        case .integer(let value):
            return Int(value)
        case .real(let value) where value.isFinite && value == value.rounded() && abs(value) < 1e15:
            return Int(value)
        case .text(let text) where Int(text.trimmingCharacters(in: .whitespaces)) != nil:
            return Int(text.trimmingCharacters(in: .whitespaces))
        default:
            throw error(.invalidValue, field: field, "\(field) is \(describe(feature[field])), not a whole number")
        }
    }

    /// An optional number (integer or real, or text holding one).
    func number(_ field: String) -> Double? {
        switch feature[field] {
        case .integer(let value): Double(value)
        case .real(let value) where value.isFinite: value
        case .text(let text): Double(text.trimmingCharacters(in: .whitespaces)).flatMap { $0.isFinite ? $0 : nil }
        default: nil
        }
    }

    /// An optional yes/no field as OpenStreetMap and its exports write it: `no`, `false`, `f`,
    /// `n`, `0` and an empty value are no; any other value is yes (`yes`, `T`, `1`, and OSM's
    /// kinds: a bridge `viaduct`, a tunnel `building_passage`). Nil when the field is missing.
    func flag(_ field: String) -> Bool? {
        guard let text = text(field)?.trimmingCharacters(in: .whitespaces).lowercased() else { return nil }
        return !["no", "false", "f", "n", "0", "0.0"].contains(text)
    }

    /// Optional text; integers are given as their digits.
    func text(_ field: String) -> String? {
        switch feature[field] {
        case .text(let text): text.isEmpty ? nil : text
        case .integer(let value): String(value)
        case .real(let value): String(value)
        default: nil
        }
    }
}

/// A value as a person reads it in a message.
func describe(_ value: FieldValue) -> String {
    switch value {
    case .null: "NULL"
    case .integer(let value): String(value)
    case .real(let value): String(value)
    case .text(let text): "\"\(text)\""
    case .blob(let bytes): "a blob of \(bytes.count) bytes"
    }
}
