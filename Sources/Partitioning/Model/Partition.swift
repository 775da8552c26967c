public import DistrictModel
public import GeometryEngine

/// A partition of a district (`data.md`, "Output: a partition"): grids tiling each community,
/// micro-grids tiling each grid, and where every building went.
public struct Partition: Sendable {
    /// The EPSG code of every geometry (the district's own CRS).
    public var epsg: Int
    /// Grids ordered by code.
    public var grids: [Grid]
    /// One row per building, or per part of a building cut by its entrance units.
    public var assignments: [BuildingAssignment]
    /// Grids and micro-grids outside their household bounds, and other things a planner should know.
    public var findings: [PartitionFinding]
    public var statistics: PartitionStatistics
    /// One row per shop inside the district (`ServiceArea`).
    public var shopAssignments: [ShopAssignment] = []
    /// The roads inside the district cut at grid boundaries, each piece given to one grid (`ServiceArea`).
    public var roadAssignments: [RoadAssignment] = []
    /// Every building of the input whose households, or some of them, are in no grid, and why,
    /// ordered by building id: with `assignments`, it accounts for every household of the
    /// input (`statistics.householdsIn == householdsPlaced + householdsNotPlaced`).
    public var unplaced: [UnplacedBuilding] = []
    /// Seconds spent in each stage of the partition (see `StageTimings`).
    public var timings = StageTimings()

    public var microGrids: [MicroGrid] { grids.flatMap(\.microGrids) }
}

/// A grid (网格): a community's share of about 200 households, or a dedicated site, or a village.
public struct Grid: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case residential, dedicated, rural
    }

    /// Community code + 3-digit sequence (west to east, north to south).
    public var code: String
    public var communityCode: String
    public var kind: Kind
    public var households: Int
    /// Buildings whose footprint (or a part of it) is assigned to the grid.
    public var buildings: Int
    public var geometry: Geometry
    /// Micro-grids ordered by code.
    public var microGrids: [MicroGrid]
    /// Id of the dedicated site, for a dedicated grid.
    public var siteID: String?
    /// Shops in the grid's service area.
    public var shops = 0
    /// Metres of road in the grid's service area.
    public var roadMetres = 0.0
}

/// A micro-grid (微网格): 50-80 households of a grid, by building or courtyard.
public struct MicroGrid: Sendable, Hashable {
    /// Grid code + 2-digit sequence.
    public var code: String
    public var gridCode: String
    public var households: Int
    public var buildings: Int
    public var geometry: Geometry
}

/// Where a building (or one part of a building cut by units) went.
public struct BuildingAssignment: Sendable, Hashable {
    public var buildingID: String
    public var gridCode: String
    public var microGridCode: String
    public var households: Int
}

/// Where a shop went: the grid and micro-grid whose service area it is in.
public struct ShopAssignment: Sendable, Hashable {
    public var shopID: String
    public var gridCode: String
    public var microGridCode: String
}

/// A piece of road, between two grid boundaries, in one grid's service area.
public struct RoadAssignment: Sendable, Hashable {
    public var roadID: String
    public var gridCode: String
    /// Length in metres, measured in the working CRS.
    public var lengthMetres: Double
    /// A LineString, in the partition's CRS.
    public var geometry: Geometry
}

/// Something about the partition a planner should know: a grid or micro-grid outside its
/// bounds and why, a compound or building that had to be split, a shop or road left out.
/// (Buildings left out are `Partition.unplaced`.)
public struct PartitionFinding: Sendable, Hashable, CustomStringConvertible {
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// A grid outside the grid bounds.
        public static let gridOutOfBounds = Kind("grid_out_of_bounds")
        /// A micro-grid outside the micro-grid bounds.
        public static let microGridOutOfBounds = Kind("microgrid_out_of_bounds")
        /// A gated compound too large for one grid, split along its buildings.
        public static let compoundSplit = Kind("compound_split")
        /// A building with more households than a bound allows, cut into its entrance units.
        public static let buildingSplit = Kind("building_split")
        /// A shop outside every community: in no grid.
        public static let unassignedShop = Kind("unassigned_shop")
        /// A road, or a stretch of one, outside every community: in no grid.
        public static let unassignedRoad = Kind("unassigned_road")
        /// A grid or micro-grid that is not one valid polygon as written (GEOS's reason).
        public static let invalidGeometry = Kind("invalid_geometry")
        public var description: String { name }
    }

    public var kind: Kind
    /// The grid, micro-grid, compound or building concerned.
    public var featureID: String
    public var detail: String
    /// For a grid or micro-grid out of bounds: its households, its bounds and why.
    public var outOfBounds: OutOfBounds?

    public struct OutOfBounds: Sendable, Hashable {
        public var households: Int
        public var bounds: HouseholdBounds
        public var reason: BoundsReason
    }

    public init(_ kind: Kind, featureID: String, detail: String) {
        self.kind = kind
        self.featureID = featureID
        self.detail = detail
    }

    /// A grid or micro-grid of `households` outside `bounds`, because of `reason`.
    init(_ kind: Kind, featureID: String, households: Int, bounds: HouseholdBounds, reason: BoundsReason) {
        let found = OutOfBounds(households: households, bounds: bounds, reason: reason)
        self.init(kind, featureID: featureID, detail: found.words(.english))
        outOfBounds = found
    }

    /// The detail in `language`: the out-of-bounds reason's own words, or `detail`.
    public func detail(in language: BoundsReason.Language) -> String {
        outOfBounds?.words(language) ?? detail
    }

    public var description: String { "\(kind) \(featureID): \(detail)" }
}

extension PartitionFinding.OutOfBounds {
    /// "N households (bounds min-max): reason", in `language`; a kept grid's reason as the
    /// previous file wrote it.
    func words(_ language: BoundsReason.Language) -> String {
        if case .keptFromPrevious(let earlier?) = reason { return language == .english ? earlier.english : earlier.chinese }
        return switch language {
        case .english: "\(households) households (bounds \(bounds.min)-\(bounds.max)): \(reason.words(.english))"
        case .chinese: "\(households) 户（范围 \(bounds.min)-\(bounds.max)）：\(reason.words(.chinese))"
        }
    }
}

/// Figures of a partition, for the summary and the tests.
public struct PartitionStatistics: Sendable, Hashable {
    public var communities = 0
    /// Households and buildings of the communities (buildings outside every community, or
    /// without a footprint, are not counted here: see `householdsIn`).
    public var households = 0
    public var buildings = 0
    /// Households and buildings of the whole input, footprint or none: what the partition
    /// accounts for, in grids or in `Partition.unplaced`.
    public var householdsIn = 0
    public var buildingsIn = 0
    /// Households in `building_assignments`, and households in no grid (`Partition.unplaced`).
    public var householdsPlaced = 0
    public var householdsNotPlaced = 0
    public var gridsOutOfBounds = 0
    public var microGridsOutOfBounds = 0
    /// Of those, the ones the data leave no way to bring in bounds (a community too small,
    /// indivisible towers, a part cut off by an arterial road).
    public var gridsOutOfBoundsByData = 0
    public var microGridsOutOfBoundsByData = 0
    /// Residential grids (the ones balanced) and how many of them are in bounds.
    public var residentialGrids = 0
    public var residentialGridsInBounds = 0
    public var residentialMicroGrids = 0
    public var residentialMicroGridsInBounds = 0
    /// Mean Polsby-Popper (4πA/P²) of residential grids.
    public var meanPolsbyPopper = 0.0
    public var compoundsSplit = 0
    public var buildingsSplit = 0
    /// Metres of road between two street blocks (non-arterial), and how many of them run inside a grid.
    public var roadMetres = 0.0
    public var roadMetresCrossed = 0.0
    /// Metres of arterial road inside a grid (only where land without households had to join a grid across one).
    public var arterialMetresCrossed = 0.0
    /// Shops given to a grid, and shops outside every community.
    public var shopsAssigned = 0
    public var shopsOutside = 0
    /// Metres of road given to grids, of which along a boundary two grids share; metres outside every community.
    public var roadMetresAssigned = 0.0
    public var roadMetresShared = 0.0
    public var roadMetresOutside = 0.0

    public init() {}
}
