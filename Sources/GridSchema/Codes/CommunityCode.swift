/// A community's code: 12 digits (the township's 9 and the community's 3), as in the
/// district's `communities` layer and every grid's `community_code`. See `PartitionCode` for
/// parsing, ordering and format.
public struct CommunityCode: PartitionCode {
    public static let level = CodeError.Level.community
    public let number: UInt64

    public init?(number: UInt64) {
        guard number < Self.level.bound else { return nil }
        self.init(trusted: number)
    }

    /// For a `number` known to be below 10^digits.
    init(trusted number: UInt64) { self.number = number }
}
