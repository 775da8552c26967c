/// Why a building's households are in no grid. Every way the engine can fail to place a
/// household has one case here, so that nothing is dropped without a reason a program can count
/// and a planner can read (`data.md`: nothing is dropped silently).
///
/// The raw value is the stable machine code written to the `unplaced_buildings` table; the
/// words are produced from the case, never the other way round: statistics and decisions are
/// taken on the case, not on a message's text.
public enum UnplacedReason: String, Sendable, Hashable, CaseIterable {
    /// The feature has no geometry (NULL, or an empty geometry): it stands nowhere.
    case noGeometry = "no_geometry"
    /// Nothing with an area is left once the footprint is repaired: a ring of fewer than three
    /// corners, a footprint of no area (make-valid leaves lines or points), or a shape GEOS
    /// cannot build.
    case emptyAfterRepair = "empty_after_repair"
    /// The footprint shares no area with any community (it may touch one along an edge).
    case outsideCommunities = "outside_communities"
    /// In its community, but in none of the community's street blocks (no block was left to
    /// hold it, as in a community whose outline makes no polygon).
    case noStreetBlock = "no_street_block"
    /// In the street block of a dedicated site, whose dedicated grid does not take the block.
    case dedicatedSite = "dedicated_site"
    /// In a street block, but neither it (or the slice concerned) nor any cell of the block
    /// is a piece of a grid: no land of the block to go with.
    case noCell = "no_cell"
    /// In a re-partition, no grid of its community (kept or re-cut) holds it.
    case noGrid = "no_grid"
    /// The grids hold fewer of its households than it has, and no step of the engine says why:
    /// a fault of the engine, to be reported. Listed so that the households are still counted.
    case unaccounted = "unaccounted"

    /// The code of the `unplaced_buildings` table (`no_geometry`, `outside_communities`, ...).
    public var code: String { rawValue }

    /// What the reason means, in English, for the summary and the table.
    public var english: String {
        switch self {
        case .noGeometry: "no geometry"
        case .emptyAfterRepair: "no area left after repair"
        case .outsideCommunities: "outside every community"
        case .noStreetBlock: "in no street block of its community"
        case .dedicatedSite: "in a dedicated site's block that its grid does not take"
        case .noCell: "no land of its street block goes with it"
        case .noGrid: "no grid of its community holds it"
        case .unaccounted: "lost by the engine without a reason (a fault to report)"
        }
    }

    /// The same in Chinese (简体中文), for planners' reports.
    public var chinese: String {
        switch self {
        case .noGeometry: "缺少几何图形"
        case .emptyAfterRepair: "修复后无面积"
        case .outsideCommunities: "不在任何社区范围内"
        case .noStreetBlock: "不在所属社区的任何街坊内"
        case .dedicatedSite: "位于专属网格场所的街坊内，但该专属网格未包含此街坊"
        case .noCell: "所在街坊没有可随其划分的用地"
        case .noGrid: "所属社区没有任何网格包含它"
        case .unaccounted: "引擎未说明原因而遗漏（程序缺陷，请报告）"
        }
    }
}

/// A building whose households, or some of them, are in no grid, and why.
public struct UnplacedBuilding: Sendable, Hashable {
    /// The building's id, as in the `buildings` layer.
    public var buildingID: String
    /// Households in no grid: all of the building's, or, for a building cut into entrance units
    /// of which only some are placed, those of the others.
    public var households: Int
    public var reason: UnplacedReason
    /// What the case adds to the reason, for a person (the repair that left nothing, the
    /// community concerned); nil when the reason says it all.
    public var detail: String?

    public init(buildingID: String, households: Int, reason: UnplacedReason, detail: String? = nil) {
        self.buildingID = buildingID
        self.households = households
        self.reason = reason
        self.detail = detail
    }

    /// `20 households: no geometry (缺少几何图形)`, with the detail after a colon when there is one.
    public var explanation: String {
        "\(households) household\(households == 1 ? "" : "s"): \(reason.english) (\(reason.chinese))" + (detail.map { ": \($0)" } ?? "")
    }
}
