/// What a coverage finding is about. The raw values are the `kind` written to
/// `findings.geojson` and `summary.json`.
public enum FindingKind: String, CaseIterable, Sendable, Comparable {
    /// Part of a community in no grid.
    case gap
    /// Part of the district in two grids or more.
    case overlap
    /// Part of a grid outside its own community (a hand-drawn grid spilling into the next one),
    /// or a grid whose community is not in the district.
    case outsideCommunity = "outside_community"
    /// A gap or an overlap thinner than the sliver width everywhere.
    case sliver
    /// A grid or micro-grid in several pieces.
    case disconnected
    /// A grid or micro-grid whose polygon is not valid (a ring crossing itself, ...).
    case invalidGeometry = "invalid_geometry"
    /// Part of a grid in none of its micro-grids.
    case microGridGap = "microgrid_gap"
    /// Part of a grid in two of its micro-grids.
    case microGridOverlap = "microgrid_overlap"
    /// Part of a micro-grid outside its grid.
    case microGridOutside = "microgrid_outside"
    /// A residential grid or its micro-grid with a household count outside the bounds.
    case householdsOutOfRange = "households_out_of_range"
    /// A building of the district in no row of `building_assignments`.
    case unassignedBuilding = "unassigned_building"
    /// A shop of the district in no row of `shop_assignments`.
    case unassignedShop = "unassigned_shop"
    /// A road of the district in no row of `road_assignments`.
    case unassignedRoad = "unassigned_road"
    /// An event of `--events` in no grid.
    case eventOutside = "event_outside"
    /// A row of `--events` that cannot be read.
    case invalidEvent = "invalid_event"

    public static func < (a: FindingKind, b: FindingKind) -> Bool {
        (allCases.firstIndex(of: a) ?? 0) < (allCases.firstIndex(of: b) ?? 0)
    }

    /// `title` in Chinese, for the report page with `--lang zh`.
    public var chineseTitle: String {
        switch self {
        case .gap: "缺口：不在任何网格内的社区范围"
        case .overlap: "重叠：同时属于两个网格的范围"
        case .outsideCommunity: "超出所属社区的网格"
        case .sliver: "细缝：窄于阈值的缺口和重叠"
        case .disconnected: "不连通的网格和微网格"
        case .invalidGeometry: "无效几何"
        case .microGridGap: "微网格缺口：不在任何微网格内的网格范围"
        case .microGridOverlap: "微网格重叠：同时属于两个微网格的范围"
        case .microGridOutside: "超出所属网格的微网格"
        case .householdsOutOfRange: "户数超出范围"
        case .unassignedBuilding: "不在任何网格内的楼栋"
        case .unassignedShop: "不在任何网格内的商铺"
        case .unassignedRoad: "不在任何网格内的道路"
        case .eventOutside: "落在所有网格之外的事件"
        case .invalidEvent: "无法读取的事件行"
        }
    }

    /// The heading of the kind's table in the report.
    public var title: String {
        switch self {
        case .gap: "Gaps: parts of a community in no grid"
        case .overlap: "Overlaps: parts in two grids"
        case .outsideCommunity: "Grids reaching outside their community"
        case .sliver: "Slivers: gaps and overlaps thinner than the sliver width"
        case .disconnected: "Disconnected grids and micro-grids"
        case .invalidGeometry: "Invalid geometries"
        case .microGridGap: "Micro-grid gaps: parts of a grid in no micro-grid"
        case .microGridOverlap: "Micro-grid overlaps: parts of a grid in two micro-grids"
        case .microGridOutside: "Micro-grids reaching outside their grid"
        case .householdsOutOfRange: "Households out of range"
        case .unassignedBuilding: "Buildings in no grid"
        case .unassignedShop: "Shops in no grid"
        case .unassignedRoad: "Roads in no grid"
        case .eventOutside: "Events outside every grid"
        case .invalidEvent: "Event rows that cannot be read"
        }
    }

    /// The colour the kind is drawn in on the map.
    var color: String {
        switch self {
        case .gap: "#d7191c"
        case .overlap: "#7b3294"
        case .outsideCommunity: "#e66101"
        case .sliver: "#ff7f00"
        case .disconnected: "#0571b0"
        case .invalidGeometry: "#000000"
        case .microGridGap: "#e7298a"
        case .microGridOverlap: "#984ea3"
        case .microGridOutside: "#a65628"
        case .householdsOutOfRange: "#b8860b"
        case .unassignedBuilding: "#c51b7d"
        case .unassignedShop: "#1b9e77"
        case .unassignedRoad: "#01665e"
        case .eventOutside: "#222222"
        case .invalidEvent: "#666666"
        }
    }
}
