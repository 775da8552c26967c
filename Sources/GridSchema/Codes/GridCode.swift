/// A grid's code: its community's 12 digits and a 3-digit sequence number within the community
/// (`310101001001` + `007`), 15 digits in all.
///
/// Ordering is that of the digits as text: by community, then by sequence. Parsing accepts any
/// 15 digits (sequence `000` included, as a file may hold it); composing numbers from 1.
public struct GridCode: Hashable, Comparable, Sendable, LosslessStringConvertible, Codable {
    public static let digits = 15
    /// The sequence numbers a community's grids can have.
    public static let sequences = 1...999

    /// The code as a number (0 ..< 10^15).
    let value: UInt64

    init(value: UInt64) { self.value = value }

    /// The code in `text`, or nil when `text` is not exactly 15 ASCII digits.
    public init?(_ text: String) {
        guard let value = digitsValue(text, count: Self.digits) else { return nil }
        self.value = value
    }

    /// The code in `text`.
    /// - Throws: `CodeError` when `text` is not exactly 15 ASCII digits.
    public init(parsing text: String) throws(CodeError) {
        guard let code = Self(text) else { throw malformed(text, .grid) }
        self = code
    }

    /// The `sequence`th grid of `community` (`310101001001` and 7: `310101001001007`), or nil
    /// when `sequence` is not in `sequences`.
    public init?(community: CommunityCode, sequence: Int) {
        guard Self.sequences.contains(sequence) else { return nil }
        value = community.value * sequenceScale.grid + UInt64(sequence)
    }

    /// The community whose grid this is: the first 12 digits.
    public var community: CommunityCode { CommunityCode(value: value / sequenceScale.grid) }

    /// The grid's number within its community: the last 3 digits.
    public var sequence: Int { Int(value % sequenceScale.grid) }

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
