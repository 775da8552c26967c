/// A code that does not follow the scheme: not digits only, or not the level's number of digits.
public struct CodeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The level of code asked for.
    public enum Level: String, Hashable, Sendable {
        case community, grid, microGrid = "micro-grid"

        /// Digits of a code at this level: 12, 15 (community + 3), 17 (grid + 2).
        public var digits: Int {
            switch self {
            case .community: 12
            case .grid: 15
            case .microGrid: 17
            }
        }

        /// 10^digits: every code of the level is below it.
        var bound: UInt64 {
            switch self {
            case .community: 1_000_000_000_000
            case .grid: 1_000_000_000_000_000
            case .microGrid: 100_000_000_000_000_000
            }
        }
    }

    /// The text read.
    public var text: String
    public var level: Level

    /// `code 31010100100A is not a community code: 12 digits expected`.
    public var description: String { "code \(text) is not a \(level.rawValue) code: \(level.digits) digits expected" }
}

/// A code of the partition's scheme: a community, grid or micro-grid code, a fixed number of
/// digits. Ordering is that of the digits as text, which is that of the number (every code of a
/// level has the same length); `description` is the digits, leading zeros kept; `Codable` as
/// that text.
public protocol PartitionCode: Hashable, Comparable, Sendable, LosslessStringConvertible, Codable {
    /// The level, which says how many digits.
    static var level: CodeError.Level { get }
    /// The digits as a number (below 10^digits).
    var number: UInt64 { get }
    /// The code whose digits are `number`, zero-padded; nil when `number` has too many digits.
    init?(number: UInt64)
}

extension PartitionCode {
    /// Digits of a code at this level.
    public static var digits: Int { level.digits }

    /// The code in `text`, or nil when `text` is not exactly `digits` ASCII digits.
    public init?(_ text: String) {
        var number: UInt64 = 0
        var count = 0
        for byte in text.utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), count < Self.digits else { return nil }
            number = number * 10 + UInt64(byte - UInt8(ascii: "0"))
            count += 1
        }
        guard count == Self.digits else { return nil }
        self.init(number: number)
    }

    /// The code in `text`.
    /// - Throws: `CodeError` when `text` is not exactly `digits` ASCII digits.
    public init(parsing text: String) throws(CodeError) {
        guard let code = Self(text) else { throw CodeError(text: text, level: Self.level) }
        self = code
    }

    public var description: String {
        let digits = String(number)
        return String(repeating: "0", count: Self.digits - digits.count) + digits
    }

    public static func < (a: Self, b: Self) -> Bool { a.number < b.number }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = try Self(parsing: try container.decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Powers of ten for cutting a code into its parent and sequence.
let sequenceScale: (grid: UInt64, microGrid: UInt64) = (1_000, 100)
