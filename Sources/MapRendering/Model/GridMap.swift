public import DistrictModel
public import GeometryEngine

/// What a map of a partition shows: grids and micro-grids in a metric CRS, with the numbers
/// that colour and label them, and (when given) the district under them.
public struct GridMap: Sendable {
    /// A field of the grids layer that is none of data.md's: what an office keeps with a grid
    /// it drew (网格名称, 网格员, 电话...), kept by `gridweave import-grids`.
    public struct OfficeField: Hashable, Sendable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// A grid on the map.
    public struct Grid: Hashable, Sendable {
        public var code: String
        public var communityCode: String
        /// `residential`, `dedicated`, `rural`, or empty when the file does not say.
        public var kind: String
        /// Nil when the file has no household count for it.
        public var households: Int?
        public var geometry: Geometry
        /// The office's own fields, in the layer's order; empty for a grid of `partition`.
        public var officeFields: [OfficeField]

        public init(code: String, communityCode: String, kind: String, households: Int?, geometry: Geometry,
                    officeFields: [OfficeField] = []) {
            self.code = code
            self.communityCode = communityCode
            self.kind = kind
            self.households = households
            self.geometry = geometry
            self.officeFields = officeFields
        }

        /// The label drawn on the map: the last 3 digits of a 15-digit code, else the code.
        public var shortCode: String { code.count == 15 ? String(code.suffix(3)) : code }
    }

    /// A micro-grid on the map.
    public struct MicroGrid: Hashable, Sendable {
        public var code: String
        public var gridCode: String
        public var households: Int?
        public var geometry: Geometry

        public init(code: String, gridCode: String, households: Int?, geometry: Geometry) {
            self.code = code
            self.gridCode = gridCode
            self.households = households
            self.geometry = geometry
        }
    }

    /// A row of `building_assignments`: households of a building (or of its entrance units)
    /// in a grid and micro-grid.
    public struct BuildingAssignment: Hashable, Sendable {
        public var buildingID: String
        public var gridCode: String
        public var microGridCode: String?
        public var households: Int

        public init(buildingID: String, gridCode: String, microGridCode: String?, households: Int) {
            self.buildingID = buildingID
            self.gridCode = gridCode
            self.microGridCode = microGridCode
            self.households = households
        }
    }

    /// The EPSG code of every geometry: a metric CRS (see `WorkingCRS`).
    public var epsg: Int
    public var grids: [Grid]
    public var microGrids: [MicroGrid]
    public var bounds: HouseholdBounds
    /// The district the grids were made for, in `epsg`: its communities, buildings, roads,
    /// shops and dedicated sites are drawn under the grids. Nil: grids alone.
    public var district: District?
    /// The file's `building_assignments` (a partition's), nil when it has none (grids drawn by
    /// hand): a building cut into entrance units across grids is listed on each of its grids'
    /// sheets with the households it has there.
    public var buildingAssignments: [BuildingAssignment]?
    /// Who the district's data comes from (`© OpenStreetMap contributors`), printed on the map.
    public var attribution: String?

    public init(epsg: Int, grids: [Grid], microGrids: [MicroGrid], bounds: HouseholdBounds = HouseholdBounds(),
                district: District? = nil, attribution: String? = nil) {
        self.epsg = epsg
        self.grids = grids
        self.microGrids = microGrids
        self.bounds = bounds
        self.district = district
        self.attribution = attribution
    }

    /// Puts `district` (in any CRS) under the grids, in the map's CRS.
    /// - Throws: `MapRenderingError` when PROJ cannot transform it.
    public mutating func drawOver(_ district: District, attribution: String?) throws {
        do {
            self.district = district.epsg == epsg ? district : try district.projected(to: epsg)
        } catch {
            throw MapRenderingError("cannot bring the district into EPSG:\(epsg): \(error)")
        }
        self.attribution = attribution
    }

    /// The community of a code, when the district has it.
    public func community(_ code: String) -> Community? {
        district?.communities.first { $0.code == code }
    }

    /// The box around every grid and micro-grid, or nil for an empty map.
    public var extent: Envelope? {
        var result: Envelope?
        for geometry in grids.map(\.geometry) + microGrids.map(\.geometry) {
            guard let e = geometry.envelope else { continue }
            result = result?.union(e) ?? e
        }
        return result
    }
}
