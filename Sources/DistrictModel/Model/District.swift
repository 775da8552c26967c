import GeometryEngine

/// A district as a planner hands it in (`data.md`, "Input: a district"): communities and the
/// features to partition. Geometry is in the district's own CRS (`epsg`).
public struct District: Sendable {
    /// The EPSG code of every geometry in the district.
    public var epsg: Int
    public var communities: [Community]
    public var buildings: [Building]
    public var roads: [Road]
    public var shops: [Shop]
    public var dedicated: [DedicatedSite]
    public var compounds: [Compound]
    /// Lines a grid must not cross (a river, a wall, a railway), besides arterial roads.
    public var barriers: [Barrier]
    /// Buildings of the input left out on reading, for want of a usable footprint (no geometry,
    /// or none left after repair), with their households: they are in no grid, and the
    /// partition lists them (`UnplacedBuilding`) so that no household goes uncounted.
    public var droppedBuildings: [UnplacedBuilding]

    public init(epsg: Int, communities: [Community] = [], buildings: [Building] = [], roads: [Road] = [],
                shops: [Shop] = [], dedicated: [DedicatedSite] = [], compounds: [Compound] = [], barriers: [Barrier] = [],
                droppedBuildings: [UnplacedBuilding] = []) {
        self.epsg = epsg
        self.communities = communities
        self.buildings = buildings
        self.roads = roads
        self.shops = shops
        self.dedicated = dedicated
        self.compounds = compounds
        self.barriers = barriers
        self.droppedBuildings = droppedBuildings
    }

    /// Households over every building with a footprint (`buildings`).
    public var households: Int { buildings.reduce(0) { $0 + $1.households } }

    /// Households over every building of the input, with or without a usable footprint: what
    /// a partition must account for, in grids or in its list of buildings not placed.
    public var householdsIn: Int { households + droppedBuildings.reduce(0) { $0 + $1.households } }

    /// The envelope of the communities (in the district CRS), or nil when there are none.
    public var envelope: Envelope? {
        communities.compactMap(\.geometry.envelope).reduce(nil) { $0?.union($1) ?? $1 }
    }
}

/// An urban community (社区) or a rural administrative village: the unit grids tile.
public struct Community: Sendable, Hashable {
    /// The 12-digit statistical division code.
    public var code: String
    public var name: String?
    public var kind: Kind
    /// The 9-digit code of the street (街道) the community belongs to.
    public var streetCode: String?
    public var streetName: String?
    public var geometry: Geometry

    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Divided into grids of about 200 households.
        case urban
        /// One administrative village: one grid.
        case rural
    }

    public init(code: String, name: String? = nil, kind: Kind = .urban, streetCode: String? = nil,
                streetName: String? = nil, geometry: Geometry) {
        self.code = code
        self.name = name
        self.kind = kind
        self.streetCode = streetCode
        self.streetName = streetName
        self.geometry = geometry
    }
}

/// A building footprint with its households.
public struct Building: Sendable, Hashable {
    public var id: String
    public var households: Int
    /// The id of the gated compound (小区) the building stands in.
    public var compound: String?
    /// Entrance units (单元): where a building too large for one micro-grid may be cut.
    public var units: Int?
    public var floors: Int?
    /// `residential` by default; other kinds hold no households unless the data says so.
    public var kind: String
    public var geometry: Geometry
    /// Storeys as mapped (OSM `levels`), used only to estimate households.
    public var levels: Double?
    /// Height in metres as mapped, used only to estimate households.
    public var height: Double?

    public init(id: String, households: Int, compound: String? = nil, units: Int? = nil, floors: Int? = nil,
                kind: String = "residential", geometry: Geometry) {
        self.id = id
        self.households = households
        self.compound = compound
        self.units = units
        self.floors = floors
        self.kind = kind
        self.geometry = geometry
    }

    public var isResidential: Bool { kind == "residential" }
}

/// A road centreline.
public struct Road: Sendable, Hashable {
    public var id: String
    public var roadClass: RoadClass?
    public var name: String?
    /// Grade separation: a road in a tunnel, on a bridge or on a `layer` other than 0 passes
    /// over or under what is at ground level, so it bounds no block (`cutsBlocks`).
    public var tunnel: Bool
    public var bridge: Bool
    public var layer: Int
    public var geometry: Geometry

    public init(id: String, roadClass: RoadClass? = nil, name: String? = nil, tunnel: Bool = false, bridge: Bool = false,
                layer: Int = 0, geometry: Geometry) {
        self.id = id
        self.roadClass = roadClass
        self.name = name
        self.tunnel = tunnel
        self.bridge = bridge
        self.layer = layer
        self.geometry = geometry
    }

    /// Whether the road runs at ground level: no tunnel, no bridge, layer 0.
    public var isAtGrade: Bool { !tunnel && !bridge && layer == 0 }

    /// Whether the road bounds street blocks (and, an arterial, grids): a street at ground
    /// level. Paths and service roads serve a block and do not bound it; a road in a tunnel or
    /// on a bridge passes over or under the blocks and buildings beneath it.
    public var cutsBlocks: Bool { isAtGrade && roadClass != .path && roadClass != .service }
}

/// Road classes, from the widest to the narrowest. Arterials are never crossed by a grid.
public enum RoadClass: String, Sendable, Hashable, CaseIterable, Comparable {
    case arterial, secondary, branch, service, path

    public static func < (a: RoadClass, b: RoadClass) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A shop or other street-front business: a point, or a footprint.
public struct Shop: Sendable, Hashable {
    public var id: String
    public var name: String?
    public var category: String?
    public var geometry: Geometry

    public init(id: String, name: String? = nil, category: String? = nil, geometry: Geometry) {
        self.id = id
        self.name = name
        self.category = category
        self.geometry = geometry
    }
}

/// A site that gets its own dedicated grid (专属网格): an enterprise, a mall, a school...
public struct DedicatedSite: Sendable, Hashable {
    public var id: String
    public var name: String?
    public var kind: Kind
    public var geometry: Geometry

    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case enterprise, mall, school, hospital, other
    }

    public init(id: String, name: String? = nil, kind: Kind = .other, geometry: Geometry) {
        self.id = id
        self.name = name
        self.kind = kind
        self.geometry = geometry
    }
}

/// The outline of a gated compound (小区). A compound that fits in one grid stays in one grid.
public struct Compound: Sendable, Hashable {
    public var id: String
    public var name: String?
    public var geometry: Geometry

    public init(id: String, name: String? = nil, geometry: Geometry) {
        self.id = id
        self.name = name
        self.geometry = geometry
    }
}

/// A line a planner says no grid may cross (`barriers` layer): a river, a wall, a railway. It
/// bounds street blocks and, like an arterial road, grids: only land without households crosses
/// it, where nothing else touches that land.
public struct Barrier: Sendable, Hashable {
    public var id: String
    public var name: String?
    /// What it is, as the file says (river, wall, railway...); informative only.
    public var kind: String?
    public var geometry: Geometry

    public init(id: String, name: String? = nil, kind: String? = nil, geometry: Geometry) {
        self.id = id
        self.name = name
        self.kind = kind
        self.geometry = geometry
    }
}

/// The layers of a district, in the order of `data.md` (`barriers` added by GridWeave).
public enum DistrictLayer: String, Sendable, CaseIterable {
    case communities, buildings, roads, shops, dedicated, compounds, barriers

    /// Only these two must exist.
    public var isRequired: Bool { self == .communities || self == .buildings }
}
