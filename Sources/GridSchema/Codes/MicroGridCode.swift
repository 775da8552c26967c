/// A micro-grid's code: its grid's 15 digits and a 2-digit sequence number within the grid
/// (`310101001001007` + `03`), 17 digits in all. See `PartitionCode` for parsing, ordering and
/// format; parsing accepts any 17 digits, composing numbers from 1.
public struct MicroGridCode: PartitionCode {
    public static let level = CodeError.Level.microGrid
    /// The sequence numbers a grid's micro-grids can have.
    public static let sequences = 1...99
    public let number: UInt64

    public init?(number: UInt64) {
        guard number < Self.level.bound else { return nil }
        self.init(trusted: number)
    }

    /// For a `number` known to be below 10^digits.
    init(trusted number: UInt64) { self.number = number }

    /// The `sequence`th micro-grid of `grid` (`310101001001007` and 3: `31010100100100703`), or
    /// nil when `sequence` is not in `sequences`.
    public init?(grid: GridCode, sequence: Int) {
        guard Self.sequences.contains(sequence) else { return nil }
        self.init(trusted: grid.number * sequenceScale.microGrid + UInt64(sequence))
    }

    /// The grid this micro-grid is part of: the first 15 digits.
    public var grid: GridCode { GridCode(trusted: number / sequenceScale.microGrid) }

    /// The micro-grid's number within its grid: the last 2 digits.
    public var sequence: Int { Int(number % sequenceScale.microGrid) }
}
