/// A micro-grid's code: its grid's 15 digits and a 2-digit sequence number within the grid
/// (`310101001001007` + `03`), 17 digits in all.
///
/// Ordering is that of the digits as text: by grid, then by sequence. Parsing accepts any 17
/// digits; composing numbers from 1.
public struct MicroGridCode: Hashable, Comparable, Sendable, LosslessStringConvertible, Codable {
    public static let digits = 17
    /// The sequence numbers a grid's micro-grids can have.
    public static let sequences = 1...99

    /// The code as a number (0 ..< 10^17, within UInt64).
    let value: UInt64

    /// The code in `text`, or nil when `text` is not exactly 17 ASCII digits.
    public init?(_ text: String) {
        guard let value = digitsValue(text, count: Self.digits) else { return nil }
        self.value = value
    }

    /// The code in `text`.
    /// - Throws: `CodeError` when `text` is not exactly 17 ASCII digits.
    public init(parsing text: String) throws(CodeError) {
        guard let code = Self(text) else { throw malformed(text, .microGrid) }
        self = code
    }

    /// The `sequence`th micro-grid of `grid` (`310101001001007` and 3: `31010100100100703`), or
    /// nil when `sequence` is not in `sequences`.
    public init?(grid: GridCode, sequence: Int) {
        guard Self.sequences.contains(sequence) else { return nil }
        value = grid.value * sequenceScale.microGrid + UInt64(sequence)
    }

    /// The grid this micro-grid is part of: the first 15 digits.
    public var grid: GridCode { GridCode(value: value / sequenceScale.microGrid) }

    /// The micro-grid's number within its grid: the last 2 digits.
    public var sequence: Int { Int(value % sequenceScale.microGrid) }

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
