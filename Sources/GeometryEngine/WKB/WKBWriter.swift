extension WKB {
    /// Encodes `geometry` as little-endian 2D WKB (ISO type codes 1-7).
    /// An empty point is written, as GEOS and GDAL do, with NaN coordinates.
    public static func encode(_ geometry: Geometry) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(byteCount(of: geometry))
        append(geometry, to: &out)
        return out
    }

    /// Appends the WKB of `geometry` to `out`.
    public static func append(_ geometry: Geometry, to out: inout [UInt8]) {
        func header(_ type: UInt32) {
            out.append(1)
            uint32(type)
        }
        func uint32(_ value: UInt32) {
            withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
        }
        func points(_ points: [XY]) {
            uint32(UInt32(points.count))
            for p in points {
                withUnsafeBytes(of: p.x.bitPattern.littleEndian) { out.append(contentsOf: $0) }
                withUnsafeBytes(of: p.y.bitPattern.littleEndian) { out.append(contentsOf: $0) }
            }
        }
        func polygon(_ polygon: Polygon) {
            header(3)
            uint32(UInt32(polygon.rings.count))
            polygon.rings.forEach(points)
        }
        func point(_ p: XY) {
            header(1)
            withUnsafeBytes(of: p.x.bitPattern.littleEndian) { out.append(contentsOf: $0) }
            withUnsafeBytes(of: p.y.bitPattern.littleEndian) { out.append(contentsOf: $0) }
        }
        switch geometry {
        case .point(let p):
            point(p)
        case .lineString(let line):
            header(2)
            points(line)
        case .polygon(let p):
            polygon(p)
        case .multiPoint(let ps):
            header(4)
            uint32(UInt32(ps.count))
            ps.forEach(point)
        case .multiLineString(let lines):
            header(5)
            uint32(UInt32(lines.count))
            for line in lines {
                header(2)
                points(line)
            }
        case .multiPolygon(let polygons):
            header(6)
            uint32(UInt32(polygons.count))
            polygons.forEach(polygon)
        case .geometryCollection(let parts):
            header(7)
            uint32(UInt32(parts.count))
            for part in parts { append(part, to: &out) }
        }
    }

    /// The exact size of `encode(geometry)`.
    public static func byteCount(of geometry: Geometry) -> Int {
        switch geometry {
        case .point: 21
        case .lineString(let line): 9 + 16 * line.count
        case .polygon(let p): 9 + p.rings.reduce(0) { $0 + 4 + 16 * $1.count }
        case .multiPoint(let ps): 9 + 21 * ps.count
        case .multiLineString(let lines): 9 + lines.reduce(0) { $0 + 9 + 16 * $1.count }
        case .multiPolygon(let ps): 9 + ps.reduce(0) { $0 + byteCount(of: .polygon($1)) }
        case .geometryCollection(let parts): 9 + parts.reduce(0) { $0 + byteCount(of: $1) }
        }
    }
}
