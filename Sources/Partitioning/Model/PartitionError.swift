/// A district the partition cannot code: a community that would need more grids than a
/// 3-digit sequence numbers, or a grid more micro-grids than a 2-digit one.
public struct PartitionError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    /// The community or grid concerned.
    public var featureID: String

    public init(_ message: String, featureID: String) {
        self.message = message
        self.featureID = featureID
    }

    public var description: String { "\(featureID): \(message)" }
}
