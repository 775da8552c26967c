/// A problem in the data that the engine handles and reports, without stopping: real data is
/// messy (an invalid ring, a building across a community boundary).
public struct DistrictFinding: Sendable, Hashable, CustomStringConvertible {
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case repairedGeometry, droppedFeature, outsideCommunities, straddlesCommunities
            case overlappingCommunities, unknownValue, estimatedHouseholds
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// An invalid geometry, repaired with make-valid (or an unclosed ring closed).
        public static let repairedGeometry = Kind(.repairedGeometry)
        /// A feature with no usable geometry, left out.
        public static let droppedFeature = Kind(.droppedFeature)
        /// A building, shop or road outside every community.
        public static let outsideCommunities = Kind(.outsideCommunities)
        /// A building across a community boundary: it belongs to the community holding most of it.
        public static let straddlesCommunities = Kind(.straddlesCommunities)
        /// Two communities overlap.
        public static let overlappingCommunities = Kind(.overlappingCommunities)
        /// An optional field with a value the engine does not know; the default is used.
        public static let unknownValue = Kind(.unknownValue)
        /// Households estimated from the footprint (`--estimate-households`).
        public static let estimatedHouseholds = Kind(.estimatedHouseholds)

        public var description: String {
            switch base {
            case .repairedGeometry: "repaired geometry"
            case .droppedFeature: "dropped feature"
            case .outsideCommunities: "outside every community"
            case .straddlesCommunities: "straddles communities"
            case .overlappingCommunities: "overlapping communities"
            case .unknownValue: "unknown value"
            case .estimatedHouseholds: "estimated households"
            }
        }
    }

    public var kind: Kind
    public var layer: DistrictLayer
    public var featureID: String
    public var detail: String

    public init(_ kind: Kind, layer: DistrictLayer, featureID: String, detail: String) {
        self.kind = kind
        self.layer = layer
        self.featureID = featureID
        self.detail = detail
    }

    public var description: String { "\(layer.rawValue) \(featureID): \(kind): \(detail)" }
}
