public import MapRendering
public import Projections

/// What to check and with which thresholds.
public struct CoverageOptions: Sendable {
    /// A district (GeoPackage or folder of GeoJSON): its communities, buildings, shops and roads
    /// are checked against the grids. Without one, gaps are holes inside the grids' union.
    public var districtPath: String?
    /// Events as CSV `id,lon,lat`: each must fall in a grid.
    public var eventsPath: String?
    /// Datum of the events' longitude/latitude.
    public var datum: Datum
    /// A gap or overlap thinner than this (metres) everywhere is a sliver.
    public var sliverWidth: Double
    /// Pieces smaller than this (m²), or thinner than a centimetre, are numeric dust, not findings.
    public var dustArea: Double
    /// Household bounds; dedicated and rural grids (and their micro-grids) are exempt.
    public var bounds: HouseholdBounds
    /// The language of the report page's words, findings' details and notes included.
    public var language: MapLanguage

    public init(districtPath: String? = nil, eventsPath: String? = nil, datum: Datum = .wgs84, sliverWidth: Double = 1,
                dustArea: Double = 0.01, bounds: HouseholdBounds = HouseholdBounds(), language: MapLanguage = .en) {
        self.language = language
        self.districtPath = districtPath
        self.eventsPath = eventsPath
        self.datum = datum
        self.sliverWidth = sliverWidth
        self.dustArea = dustArea
        self.bounds = bounds
    }

    /// What is wrong with the options, or nil when they make sense.
    public var problem: String? {
        if !(sliverWidth.isFinite && sliverWidth > 0) { return "--sliver-width must be a number of metres above 0" }
        return bounds.problem
    }
}
