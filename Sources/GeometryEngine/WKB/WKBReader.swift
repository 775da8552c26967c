/// Decodes Well-Known Binary into `Geometry`.
///
/// Reads both byte orders, ISO Z/M/ZM type codes (1001, 2001, 3001, ...) and EWKB flags
/// (Z 0x80000000, M 0x40000000, SRID 0x20000000); extra dimensions are dropped. Pure Swift,
/// no GEOS context: this is the hot path of reading a GeoPackage.
public enum WKB {
    /// Decodes one geometry from `bytes`.
    /// - Throws: `GeometryError` of kind `.invalidWKB` when the bytes are truncated or malformed.
    public static func decode<Bytes: Collection>(_ bytes: Bytes) throws -> Geometry where Bytes.Element == UInt8 {
        let decoded = try bytes.withContiguousStorageIfAvailable { buffer in
            try decode(UnsafeRawBufferPointer(buffer))
        }
        if let decoded { return decoded }
        return try Array(bytes).withUnsafeBytes { try decode($0) }
    }

    /// Decodes one geometry from raw memory.
    public static func decode(_ buffer: UnsafeRawBufferPointer) throws -> Geometry {
        var cursor = Cursor(buffer: buffer)
        let geometry = try cursor.readGeometry(depth: 0)
        return geometry
    }

    struct Cursor {
        let buffer: UnsafeRawBufferPointer
        var offset = 0
        var bigEndian = false

        init(buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

        func fail(_ message: String) -> GeometryError {
            GeometryError(.invalidWKB, operation: "WKB", message: "\(message) at byte \(offset)")
        }

        mutating func need(_ count: Int) throws {
            guard count >= 0, offset + count <= buffer.count else { throw fail("truncated") }
        }

        mutating func readByte() throws -> UInt8 {
            try need(1)
            defer { offset += 1 }
            return buffer[offset]
        }

        mutating func readUInt32() throws -> UInt32 {
            try need(4)
            let raw = buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
            offset += 4
            return bigEndian ? UInt32(bigEndian: raw) : UInt32(littleEndian: raw)
        }

        mutating func readCount(minimumBytesEach: Int) throws -> Int {
            let count = Int(try readUInt32())
            // A count that cannot fit in what is left is a corrupt blob, not a request to allocate.
            guard count * minimumBytesEach <= buffer.count - offset else { throw fail("count \(count) exceeds the data") }
            return count
        }

        mutating func readDouble() throws -> Double {
            try need(8)
            let raw = buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            offset += 8
            return Double(bitPattern: bigEndian ? UInt64(bigEndian: raw) : UInt64(littleEndian: raw))
        }

        /// Reads `count` points of `dimensions` doubles each, keeping x and y.
        mutating func readPoints(_ count: Int, dimensions: Int) throws -> [XY] {
            let stride = 8 * dimensions
            try need(count * stride)
            let start = offset
            offset += count * stride
            let base = buffer.baseAddress!
            let swap = bigEndian
            return [XY](unsafeUninitializedCapacity: count) { out, initialized in
                for i in 0..<count {
                    let at = start + i * stride
                    var x = base.loadUnaligned(fromByteOffset: at, as: UInt64.self)
                    var y = base.loadUnaligned(fromByteOffset: at + 8, as: UInt64.self)
                    if swap { x = x.byteSwapped; y = y.byteSwapped } else { x = UInt64(littleEndian: x); y = UInt64(littleEndian: y) }
                    out[i] = XY(Double(bitPattern: x), Double(bitPattern: y))
                }
                initialized = count
            }
        }

        mutating func readHeader() throws -> (type: UInt32, dimensions: Int) {
            let order = try readByte()
            guard order <= 1 else { throw fail("byte order \(order) is neither 0 nor 1") }
            bigEndian = order == 0
            var code = try readUInt32()
            var hasZ = false, hasM = false
            if code & 0x8000_0000 != 0 { hasZ = true }
            if code & 0x4000_0000 != 0 { hasM = true }
            if code & 0x2000_0000 != 0 { _ = try readUInt32() } // EWKB SRID, not used
            code &= 0x0FFF_FFFF
            switch code / 1000 {
            case 1: hasZ = true
            case 2: hasM = true
            case 3: hasZ = true; hasM = true
            case 0: break
            default: throw fail("unknown geometry type \(code)")
            }
            return (code % 1000, 2 + (hasZ ? 1 : 0) + (hasM ? 1 : 0))
        }

        mutating func readGeometry(depth: Int) throws -> Geometry {
            guard depth < 32 else { throw fail("collections nested too deep") }
            let (type, dims) = try readHeader()
            switch type {
            case 1:
                let point = try readPoints(1, dimensions: dims)[0]
                // WKB has no empty point but by convention writes NaN coordinates.
                return point.x.isNaN && point.y.isNaN ? .multiPoint([]) : .point(point)
            case 2:
                return .lineString(try readPoints(readCount(minimumBytesEach: 8 * dims), dimensions: dims))
            case 3:
                return .polygon(try readPolygonBody(dimensions: dims))
            case 4, 5, 6, 7:
                let count = try readCount(minimumBytesEach: 5)
                var parts: [Geometry] = []
                parts.reserveCapacity(count)
                for _ in 0..<count {
                    let saved = bigEndian
                    parts.append(try readGeometry(depth: depth + 1))
                    bigEndian = saved
                }
                return try collection(type: type, parts: parts)
            default:
                throw fail("unsupported geometry type \(type)")
            }
        }

        mutating func readPolygonBody(dimensions: Int) throws -> Polygon {
            let ringCount = try readCount(minimumBytesEach: 4)
            var rings: [[XY]] = []
            rings.reserveCapacity(ringCount)
            for _ in 0..<ringCount {
                rings.append(try readPoints(readCount(minimumBytesEach: 8 * dimensions), dimensions: dimensions))
            }
            return Polygon(rings: rings)
        }

        func collection(type: UInt32, parts: [Geometry]) throws -> Geometry {
            switch type {
            case 4:
                return .multiPoint(try parts.compactMap {
                    switch $0 {
                    case .point(let p): return p
                    case .multiPoint(let ps) where ps.isEmpty: return nil
                    default: throw fail("a MultiPoint holds a \($0.typeName)")
                    }
                })
            case 5:
                return .multiLineString(try parts.map {
                    guard case .lineString(let line) = $0 else { throw fail("a MultiLineString holds a \($0.typeName)") }
                    return line
                })
            case 6:
                return .multiPolygon(try parts.map {
                    guard case .polygon(let polygon) = $0 else { throw fail("a MultiPolygon holds a \($0.typeName)") }
                    return polygon
                })
            default:
                return .geometryCollection(parts)
            }
        }
    }
}
