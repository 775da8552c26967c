/// A grid's code: its community's 12 digits and a 3-digit sequence number within the community
/// (`310101001001` + `007`), 15 digits in all. See `PartitionCode` for parsing, ordering and
/// format; parsing accepts any 15 digits (sequence `000` included, as a file may hold it),
/// composing numbers from 1.
public struct GridCode: PartitionCode {
    public static let level = CodeError.Level.grid
    /// The sequence numbers a community's grids can have.
    public static let sequences = 1...999
    public let number: UInt64

    public init?(number: UInt64) {
        guard number < Self.level.bound else { return nil }
        self.init(trusted: number)
    }

    /// For a `number` known to be below 10^digits.
    init(trusted number: UInt64) { self.number = number }

    /// The `sequence`th grid of `community` (`310101001001` and 7: `310101001001007`), or nil
    /// when `sequence` is not in `sequences`.
    public init?(community: CommunityCode, sequence: Int) {
        guard Self.sequences.contains(sequence) else { return nil }
        self.init(trusted: community.number * sequenceScale.grid + UInt64(sequence))
    }

    /// The community whose grid this is: the first 12 digits.
    public var community: CommunityCode { CommunityCode(trusted: number / sequenceScale.grid) }

    /// The grid's number within its community: the last 3 digits.
    public var sequence: Int { Int(number % sequenceScale.grid) }
}
