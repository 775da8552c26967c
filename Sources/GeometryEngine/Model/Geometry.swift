/// A planar coordinate: longitude/latitude in a geographic CRS, easting/northing in a
/// projected one. Only two dimensions: Z and M are dropped on input.
public struct XY: Hashable, Sendable, CustomStringConvertible {
    public var x: Double
    public var y: Double

    @inlinable
    public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }

    public var description: String { "(\(x), \(y))" }
}

/// A polygon: the exterior ring first, then its holes. Rings are closed (first == last).
/// No rings at all is the empty polygon.
public struct Polygon: Hashable, Sendable {
    public var rings: [[XY]]

    public init(rings: [[XY]]) {
        self.rings = rings
    }

    public init(exterior: [XY], holes: [[XY]] = []) {
        self.rings = [exterior] + holes
    }

    public var exterior: [XY] { rings.first ?? [] }
    public var holes: ArraySlice<[XY]> { rings.dropFirst() }
    public var isEmpty: Bool { rings.isEmpty || rings[0].isEmpty }
}

/// The engine's geometry value: a Sendable, Hashable simple-features geometry in two dimensions.
///
/// This is the public model that crosses threads and module boundaries. GEOS operations are
/// available on it directly (each builds its own GEOS context, see `GEOSContext`); hot loops
/// inside the package work on `GEOSObject` handles instead.
public enum Geometry: Hashable, Sendable {
    case point(XY)
    case lineString([XY])
    case polygon(Polygon)
    case multiPoint([XY])
    case multiLineString([[XY]])
    case multiPolygon([Polygon])
    case geometryCollection([Geometry])

    /// The empty geometry (an empty collection).
    public static let empty = Geometry.geometryCollection([])

    /// The OGC type name as written in WKT and in `gpkg_geometry_columns`.
    public var typeName: String {
        switch self {
        case .point: "POINT"
        case .lineString: "LINESTRING"
        case .polygon: "POLYGON"
        case .multiPoint: "MULTIPOINT"
        case .multiLineString: "MULTILINESTRING"
        case .multiPolygon: "MULTIPOLYGON"
        case .geometryCollection: "GEOMETRYCOLLECTION"
        }
    }

    /// The dimension of the geometry type: 0 points, 1 lines, 2 polygons (a collection: its highest).
    public var dimension: Int {
        switch self {
        case .point, .multiPoint: 0
        case .lineString, .multiLineString: 1
        case .polygon, .multiPolygon: 2
        case .geometryCollection(let parts): parts.map(\.dimension).max() ?? 0
        }
    }

    public var isEmpty: Bool {
        switch self {
        case .point: false
        case .lineString(let points), .multiPoint(let points): points.isEmpty
        case .polygon(let polygon): polygon.isEmpty
        case .multiLineString(let lines): lines.allSatisfy(\.isEmpty)
        case .multiPolygon(let polygons): polygons.allSatisfy(\.isEmpty)
        case .geometryCollection(let parts): parts.allSatisfy(\.isEmpty)
        }
    }

    /// The polygons of a polygonal geometry (a polygon, a multipolygon, or the polygons of a
    /// collection); empty for other types.
    public var polygons: [Polygon] {
        switch self {
        case .polygon(let polygon): polygon.isEmpty ? [] : [polygon]
        case .multiPolygon(let polygons): polygons.filter { !$0.isEmpty }
        case .geometryCollection(let parts): parts.flatMap(\.polygons)
        default: []
        }
    }

    /// The line strings of a lineal geometry (or of a collection); empty for other types.
    public var lineStrings: [[XY]] {
        switch self {
        case .lineString(let line): line.isEmpty ? [] : [line]
        case .multiLineString(let lines): lines.filter { !$0.isEmpty }
        case .geometryCollection(let parts): parts.flatMap(\.lineStrings)
        default: []
        }
    }

    /// Every vertex, in order.
    public var coordinates: [XY] {
        switch self {
        case .point(let point): [point]
        case .lineString(let points), .multiPoint(let points): points
        case .polygon(let polygon): polygon.rings.flatMap { $0 }
        case .multiLineString(let lines): lines.flatMap { $0 }
        case .multiPolygon(let polygons): polygons.flatMap { $0.rings.flatMap { $0 } }
        case .geometryCollection(let parts): parts.flatMap(\.coordinates)
        }
    }

    /// The same geometry with every coordinate rounded to a multiple of `grid` (no repair:
    /// rounding can fold a thin part onto itself).
    public func rounded(toGrid grid: Double) -> Geometry {
        mapCoordinates { XY(($0.x / grid).rounded() * grid, ($0.y / grid).rounded() * grid) }
    }

    /// The same geometry with every coordinate passed through `transform`.
    public func mapCoordinates(_ transform: (XY) throws -> XY) rethrows -> Geometry {
        func ring(_ points: [XY]) throws -> [XY] { try points.map(transform) }
        func polygon(_ p: Polygon) throws -> Polygon { Polygon(rings: try p.rings.map(ring)) }
        switch self {
        case .point(let point): return .point(try transform(point))
        case .lineString(let points): return .lineString(try ring(points))
        case .multiPoint(let points): return .multiPoint(try ring(points))
        case .polygon(let p): return .polygon(try polygon(p))
        case .multiLineString(let lines): return .multiLineString(try lines.map(ring))
        case .multiPolygon(let polygons): return .multiPolygon(try polygons.map(polygon))
        case .geometryCollection(let parts): return .geometryCollection(try parts.map { try $0.mapCoordinates(transform) })
        }
    }
}

/// An axis-aligned bounding box.
public struct Envelope: Hashable, Sendable {
    public var minX: Double
    public var minY: Double
    public var maxX: Double
    public var maxY: Double

    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.minX = minX
        self.minY = minY
        self.maxX = maxX
        self.maxY = maxY
    }

    /// The envelope of `points`, or nil when there are none.
    public init?<S: Sequence>(of points: S) where S.Element == XY {
        var minX = Double.infinity, minY = Double.infinity
        var maxX = -Double.infinity, maxY = -Double.infinity
        for p in points {
            minX = min(minX, p.x); maxX = max(maxX, p.x)
            minY = min(minY, p.y); maxY = max(maxY, p.y)
        }
        guard minX <= maxX else { return nil }
        self.init(minX: minX, minY: minY, maxX: maxX, maxY: maxY)
    }

    public var width: Double { maxX - minX }
    public var height: Double { maxY - minY }
    public var center: XY { XY((minX + maxX) / 2, (minY + maxY) / 2) }

    public func union(_ other: Envelope) -> Envelope {
        Envelope(minX: min(minX, other.minX), minY: min(minY, other.minY),
                 maxX: max(maxX, other.maxX), maxY: max(maxY, other.maxY))
    }

    public func intersects(_ other: Envelope) -> Bool {
        minX <= other.maxX && other.minX <= maxX && minY <= other.maxY && other.minY <= maxY
    }

    public func contains(_ point: XY) -> Bool {
        point.x >= minX && point.x <= maxX && point.y >= minY && point.y <= maxY
    }

    /// The envelope grown by `distance` on every side.
    public func expanded(by distance: Double) -> Envelope {
        Envelope(minX: minX - distance, minY: minY - distance, maxX: maxX + distance, maxY: maxY + distance)
    }
}

extension Geometry {
    /// Calls `body` with each point list of the geometry: every ring, line and point set.
    public func forEachPointList(_ body: ([XY]) throws -> Void) rethrows {
        switch self {
        case .point(let p): try body([p])
        case .lineString(let points), .multiPoint(let points): try body(points)
        case .polygon(let polygon): try polygon.rings.forEach(body)
        case .multiLineString(let lines): try lines.forEach(body)
        case .multiPolygon(let polygons): try polygons.forEach { try $0.rings.forEach(body) }
        case .geometryCollection(let parts): try parts.forEach { try $0.forEachPointList(body) }
        }
    }

    /// The bounding box of every vertex, or nil for an empty geometry.
    public var envelope: Envelope? {
        var minX = Double.infinity, minY = Double.infinity
        var maxX = -Double.infinity, maxY = -Double.infinity
        forEachPointList { points in
            for p in points {
                if p.x < minX { minX = p.x }
                if p.x > maxX { maxX = p.x }
                if p.y < minY { minY = p.y }
                if p.y > maxY { maxY = p.y }
            }
        }
        guard minX <= maxX else { return nil }
        return Envelope(minX: minX, minY: minY, maxX: maxX, maxY: maxY)
    }
}
