public import GeometryEngine

/// What a map of a partition shows: grids and micro-grids in a metric CRS, with the numbers
/// that colour and label them.
public struct GridMap: Sendable {
    /// A grid on the map.
    public struct Grid: Hashable, Sendable {
        public var code: String
        public var communityCode: String
        /// `residential`, `dedicated`, `rural`, or empty when the file does not say.
        public var kind: String
        /// Nil when the file has no household count for it.
        public var households: Int?
        public var geometry: Geometry

        public init(code: String, communityCode: String, kind: String, households: Int?, geometry: Geometry) {
            self.code = code
            self.communityCode = communityCode
            self.kind = kind
            self.households = households
            self.geometry = geometry
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

    /// The EPSG code of every geometry: a metric CRS (see `WorkingCRS`).
    public var epsg: Int
    public var grids: [Grid]
    public var microGrids: [MicroGrid]
    public var bounds: HouseholdBounds

    public init(epsg: Int, grids: [Grid], microGrids: [MicroGrid], bounds: HouseholdBounds = HouseholdBounds()) {
        self.epsg = epsg
        self.grids = grids
        self.microGrids = microGrids
        self.bounds = bounds
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
