/// A code that does not follow the scheme: not digits only, or not the level's number of
/// digits, or a sequence number out of range when composing.
public struct CodeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The level of code asked for.
    public enum Level: String, Hashable, Sendable {
        case community, grid, microGrid = "micro-grid"

        /// Digits of a code at this level: 12, 15 (community + 3), 17 (grid + 2).
        public var digits: Int {
            switch self {
            case .community: CommunityCode.digits
            case .grid: GridCode.digits
            case .microGrid: MicroGridCode.digits
            }
        }
    }

    /// The text read (or the number given, for a sequence out of range).
    public var text: String
    public var level: Level
    public var message: String

    /// `code 31010100100A is not a community code: 12 digits expected`.
    public var description: String { "code \(text) is not a \(level.rawValue) code: \(message)" }
}

/// The digits of `text` as a number when it is exactly `count` ASCII digits (a leading zero
/// counts), else nil.
func digitsValue(_ text: some StringProtocol, count: Int) -> UInt64? {
    var value: UInt64 = 0
    var seen = 0
    for byte in text.utf8 {
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), seen < count else { return nil }
        value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
        seen += 1
    }
    return seen == count ? value : nil
}

/// `value` written with `count` digits, zero-padded on the left.
func zeroPadded(_ value: UInt64, count: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, count - digits.count)) + digits
}

/// What `init(parsing:)` throws for `text` at `level`.
func malformed(_ text: String, _ level: CodeError.Level) -> CodeError {
    CodeError(text: text, level: level, message: "\(level.digits) digits expected")
}

/// Powers of ten for cutting a code into its parent and sequence.
let sequenceScale: (grid: UInt64, microGrid: UInt64) = (1_000, 100)
