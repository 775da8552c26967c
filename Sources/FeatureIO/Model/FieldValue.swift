/// One attribute value, typed as SQLite stores it (and as GeoJSON reads into it).
public enum FieldValue: Hashable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    /// The integer, or nil for any other case (a real is not truncated).
    public var int64: Int64? {
        if case .integer(let value) = self { value } else { nil }
    }

    /// The number as a Double: a real, or an integer widened; nil otherwise.
    public var double: Double? {
        switch self {
        case .real(let value): value
        case .integer(let value): Double(value)
        default: nil
        }
    }

    /// The text, or nil for any other case (numbers are not formatted).
    public var string: String? {
        if case .text(let value) = self { value } else { nil }
    }

    /// The value as a code (a grid or community code): text as is (nil when empty), an
    /// integer in decimal, an integral real in decimal too (codes some tools store as numbers).
    public var codeText: String? {
        switch self {
        case .text(let text): text.isEmpty ? nil : text
        case .integer(let number): String(number)
        case .real(let number) where number == number.rounded() && abs(number) < 1e18: String(Int64(number))
        default: nil
        }
    }

    public var isNull: Bool { self == .null }

    /// The column type this value is stored as, or nil for `.null`.
    public var type: FieldType? {
        switch self {
        case .null: nil
        case .integer: .integer
        case .real: .real
        case .text: .text
        case .blob: .blob
        }
    }
}

extension FieldValue: CustomStringConvertible {
    public var description: String {
        switch self {
        case .null: "NULL"
        case .integer(let value): "\(value)"
        case .real(let value): "\(value)"
        case .text(let value): "\"\(value)\""
        case .blob(let bytes): "<\(bytes.count) bytes>"
        }
    }
}

/// The declared type of a field: the SQLite column type written to a GeoPackage.
public enum FieldType: String, Hashable, Sendable {
    case integer = "INTEGER"
    case real = "REAL"
    case text = "TEXT"
    case blob = "BLOB"

    /// The type of a column declared as `declaredType` in a GeoPackage written by anyone.
    ///
    /// Follows the GeoPackage data types (BOOLEAN, TINYINT ... INTEGER; FLOAT, DOUBLE, REAL;
    /// TEXT(n), DATE, DATETIME; BLOB(n)); anything else gets SQLite's affinity rules.
    public init(declaredType: String) {
        let type = declaredType.uppercased()
        if type.contains("INT") || type == "BOOLEAN" {
            self = .integer
        } else if type.contains("CHAR") || type.contains("CLOB") || type.contains("TEXT") || type.hasPrefix("DATE") {
            self = .text
        } else if type.contains("BLOB") {
            self = .blob
        } else if type.contains("REAL") || type.contains("FLOA") || type.contains("DOUB") {
            self = .real
        } else {
            // NUMERIC affinity in SQLite; a number is the best guess for the reader.
            self = type.isEmpty ? .blob : .real
        }
    }

    /// Whether a value of this field may hold `value`: NULL always, its own type, and an
    /// integer in a REAL field (stored as a real, as SQLite's column affinity does).
    public func accepts(_ value: FieldValue) -> Bool {
        switch (self, value) {
        case (_, .null), (.integer, .integer), (.real, .real), (.real, .integer), (.text, .text), (.blob, .blob): true
        default: false
        }
    }
}

/// A named, typed attribute column of a layer.
public struct FieldDefinition: Hashable, Sendable {
    public var name: String
    public var type: FieldType

    public init(_ name: String, _ type: FieldType) {
        self.name = name
        self.type = type
    }

    public init(name: String, type: FieldType) {
        self.init(name, type)
    }
}
