import GeometryEngine
public import MapRendering

/// The headline numbers of a coverage check.
public struct CoverageStatistics: Hashable, Sendable {
    public var communities: Int
    public var grids: Int
    public var microGrids: Int
    public var households: Int
    /// The share of the communities' area (with a district) or of the grids' outline (without
    /// one) that lies in a grid, in percent.
    public var coveragePercent: Double
    /// m² of the district, or of the grids' outline with its holes.
    public var area: Double
}

/// Everything a coverage check found, ready for the report.
public struct CoverageResult: Sendable {
    /// The grids file checked, as given.
    public var gridsPath: String
    public var districtPath: String?
    public var eventsPath: String?
    /// The metric CRS of every finding geometry and of `map`.
    public var epsg: Int
    /// Sorted by kind, then by subject; each with its `id`.
    public var findings: [CoverageFinding]
    public var statistics: CoverageStatistics
    public var map: GridMap
    /// Checks that could not be made with the input given, and why, for the reader.
    public var notes: [String]
    public var options: CoverageOptions

    /// Findings per kind, every kind present (0 for none).
    public var counts: [(kind: FindingKind, count: Int)] {
        FindingKind.allCases.map { kind in (kind, findings.filter { $0.kind == kind }.count) }
    }

    /// `3 gap, 1 overlap`: the kinds found with their counts, in kind order.
    public var countsText: String {
        counts.filter { $0.count > 0 }.map { "\($0.count) \($0.kind.rawValue)" }.joined(separator: ", ")
    }
}
