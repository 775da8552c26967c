public import GeometryEngine

/// One problem found in a grids file, at a place, in words a planner understands.
public struct CoverageFinding: Hashable, Sendable {
    public var kind: FindingKind
    /// What is wrong and where, e.g. `412.6 m² of community 310101001001 in no grid, beside grids 003, 004`.
    public var detail: String
    /// `detail` in Chinese, for the report with `--lang zh` and `detail_zh` in findings.geojson.
    public var chineseDetail: String
    /// The place: in the working CRS of the check (`CoverageResult.epsg`); nil for a finding
    /// without one (an events row that cannot be read).
    public var geometry: Geometry?
    /// The codes or ids of the features concerned, comma-separated.
    public var subject: String
    /// The area in m² of a gap, overlap or sliver; the household count of an out-of-range grid.
    public var measure: Double?
    /// `gap-1`, `overlap-3`: unique in the report, assigned once findings are sorted.
    public internal(set) var id: String = ""

    public init(kind: FindingKind, detail: String, chineseDetail: String? = nil, geometry: Geometry?, subject: String, measure: Double? = nil) {
        self.kind = kind
        self.detail = detail
        self.chineseDetail = chineseDetail ?? detail
        self.geometry = geometry
        self.subject = subject
        self.measure = measure
    }
}
