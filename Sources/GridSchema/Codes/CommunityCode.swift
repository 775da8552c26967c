/// A community's code: 12 digits (the township's 9 and the community's 3), as in the
/// district's `communities` layer and every grid's `community_code`.
///
/// Ordering is that of the digits as text, which is that of the number (every code has the same
/// length). `description` is the 12 digits, leading zeros kept.
public struct CommunityCode: Hashable, Comparable, Sendable, LosslessStringConvertible, Codable {
    public static let digits = 12

    /// The code as a number (0 ..< 10^12).
    let value: UInt64

    init(value: UInt64) { self.value = value }

    /// The code in `text`, or nil when `text` is not exactly 12 ASCII digits.
    public init?(_ text: String) {
        guard let value = digitsValue(text, count: Self.digits) else { return nil }
        self.value = value
    }

    /// The code in `text`.
    /// - Throws: `CodeError` when `text` is not exactly 12 ASCII digits.
    public init(parsing text: String) throws(CodeError) {
        guard let code = Self(text) else { throw malformed(text, .community) }
        self = code
    }

    public var description: String { zeroPadded(value, count: Self.digits) }

    public static func < (a: Self, b: Self) -> Bool { a.value < b.value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = try Self(parsing: try container.decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
