import GeometryEngine

/// The GeoPackage geometry blob (GeoPackage 1.3, clause 2.1.3): a header, then standard WKB.
///
///     "GP" | version (0 = 1) | flags | srs_id (int32) | envelope (0, 4, 6 or 8 doubles) | WKB
///
/// Flags, from the high bit: 2 reserved, X extended type, Y empty, EEE envelope contents
/// (0 none, 1 xy, 2 xyz, 3 xym, 4 xyzm), B byte order of the header (1 little-endian).
enum GeoPackageBinary {
    enum DecodeError: Error {
        /// Not a blob this reader understands: the reason, in words.
        case malformed(String)
        /// A valid blob of an extended (non-standard) geometry type.
        case extendedType
    }

    /// Decodes a geometry blob; the srs_id in the header is not needed (the column has one).
    static func decode(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> Geometry {
        guard bytes.count >= 8 else { throw .malformed("geometry blob is \(bytes.count) bytes, shorter than its header") }
        guard bytes[0] == 0x47, bytes[1] == 0x50 else {
            throw .malformed("geometry blob does not start with the GeoPackage magic \"GP\"")
        }
        guard bytes[2] == 0 else { throw .malformed("geometry blob has unknown GeoPackage binary version \(bytes[2])") }
        let flags = bytes[3]
        guard flags & 0b0010_0000 == 0 else { throw .extendedType }
        let envelopeDoubles: Int
        switch (flags >> 1) & 0b111 {
        case 0: envelopeDoubles = 0
        case 1: envelopeDoubles = 4
        case 2, 3: envelopeDoubles = 6
        case 4: envelopeDoubles = 8
        case let indicator: throw .malformed("geometry blob has invalid envelope indicator \(indicator)")
        }
        let headerSize = 8 + 8 * envelopeDoubles
        guard bytes.count > headerSize else {
            throw .malformed("geometry blob is \(bytes.count) bytes, with no WKB after its \(headerSize)-byte header")
        }
        do {
            return try WKB.decode(UnsafeRawBufferPointer(rebasing: bytes[headerSize...]))
        } catch {
            let reason = (error as? GeometryError)?.message ?? "\(error)"
            throw .malformed("geometry is not valid WKB (\(reason))")
        }
    }

    /// Encodes `geometry` with a little-endian header and, except for points and empty
    /// geometries, its XY envelope (which `envelope` gives, already computed by the caller).
    static func encode(_ geometry: Geometry, srsID: Int32, envelope: Envelope?, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        let isPoint = if case .point = geometry { true } else { false }
        let written = isPoint ? nil : envelope
        var flags: UInt8 = 0b0000_0001 // little-endian header
        if written != nil { flags |= 1 << 1 }
        if envelope == nil { flags |= 1 << 4 } // empty
        out.reserveCapacity(8 + (written == nil ? 0 : 32) + WKB.byteCount(of: geometry))
        out.append(contentsOf: [0x47, 0x50, 0, flags])
        withUnsafeBytes(of: srsID.littleEndian) { out.append(contentsOf: $0) }
        if let written {
            // The envelope is stored minx, maxx, miny, maxy.
            for value in [written.minX, written.maxX, written.minY, written.maxY] {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { out.append(contentsOf: $0) }
            }
        }
        WKB.append(geometry, to: &out)
    }
}

extension Geometry {
    /// The XY envelope of every coordinate (holes included), nil when empty; throws the first
    /// coordinate that is not finite, which neither WKB readers nor the R-tree can hold.
    func checkedEnvelope() throws(NonFiniteCoordinate) -> Envelope? {
        var bad: XY?
        forEachPointList { points in
            if bad == nil { bad = points.first { !$0.x.isFinite || !$0.y.isFinite } }
        }
        if let bad { throw NonFiniteCoordinate(point: bad) }
        return envelope
    }

    struct NonFiniteCoordinate: Error {
        var point: XY
    }
}
