import GeometryEngine

/// The datum of longitude/latitude input: WGS 84, or one of the shifted datums of Chinese web
/// maps. The raw values are the command line's `--datum` spellings.
public enum Datum: String, Sendable, CaseIterable {
    /// WGS 84 (GPS, OpenStreetMap, EPSG:4326): no shift.
    case wgs84
    /// GCJ-02: Gaode/AMap, Tencent, Google Maps in China. See `GCJ02`.
    case gcj02
    /// BD-09: Baidu Maps. See `BD09`.
    case bd09

    /// The WGS 84 coordinates of a point in this datum.
    @inlinable
    public func toWGS84(_ point: XY) -> XY {
        switch self {
        case .wgs84: point
        case .gcj02: GCJ02.toWGS84(point)
        case .bd09: GCJ02.toWGS84(BD09.toGCJ02(point))
        }
    }

    /// The coordinates in this datum of a WGS 84 point.
    @inlinable
    public func fromWGS84(_ point: XY) -> XY {
        switch self {
        case .wgs84: point
        case .gcj02: GCJ02.fromWGS84(point)
        case .bd09: BD09.fromGCJ02(GCJ02.fromWGS84(point))
        }
    }

    /// The geometry with every coordinate converted from this datum to WGS 84.
    public func toWGS84(_ geometry: Geometry) -> Geometry {
        self == .wgs84 ? geometry : geometry.mapCoordinates(toWGS84)
    }

    /// The geometry with every coordinate converted from WGS 84 to this datum.
    public func fromWGS84(_ geometry: Geometry) -> Geometry {
        self == .wgs84 ? geometry : geometry.mapCoordinates(fromWGS84)
    }
}
