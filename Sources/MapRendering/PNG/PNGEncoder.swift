import CZlib

/// Encodes RGB pixels as a PNG file: signature, IHDR, one zlib-deflated IDAT, IEND, each chunk
/// with its CRC-32 (zlib's `crc32`).
public enum PNGEncoder {
    /// The PNG bytes of `canvas` (8-bit RGB, no interlace, filter 0 on every row).
    /// - Throws: `MapRenderingError` when zlib fails.
    public static func encode(_ canvas: Canvas) throws -> [UInt8] {
        var raw = [UInt8]()
        raw.reserveCapacity(canvas.height * (canvas.width * 3 + 1))
        let rowBytes = canvas.width * 3
        canvas.pixels.withUnsafeBufferPointer { pixels in
            for y in 0..<canvas.height {
                raw.append(0) // filter type None
                raw.append(contentsOf: pixels[(y * rowBytes)..<((y + 1) * rowBytes)])
            }
        }
        var header = [UInt8]()
        append32(UInt32(canvas.width), to: &header)
        append32(UInt32(canvas.height), to: &header)
        header += [8, 2, 0, 0, 0] // bit depth 8, colour type 2 (RGB), deflate, filter 0, no interlace
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        appendChunk("IHDR", header, to: &out)
        appendChunk("IDAT", try deflate(raw), to: &out)
        appendChunk("IEND", [], to: &out)
        return out
    }

    /// The zlib stream of `bytes` (deflate at level 6). See `compress2`.
    static func deflate(_ bytes: [UInt8]) throws -> [UInt8] {
        var size = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(size))
        // Returns Z_OK, or Z_MEM_ERROR / Z_BUF_ERROR.
        let status = out.withUnsafeMutableBufferPointer { dest in
            bytes.withUnsafeBufferPointer { source in
                compress2(dest.baseAddress, &size, source.baseAddress, uLong(source.count), 6)
            }
        }
        guard status == Z_OK else { throw MapRenderingError("zlib could not compress the image (status \(status))") }
        return Array(out.prefix(Int(size)))
    }

    /// CRC-32 of `bytes` as PNG chunks use it. See zlib's `crc32`.
    public static func crc(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
    }

    private static func append32(_ value: UInt32, to out: inout [UInt8]) {
        out += [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
    }

    private static func appendChunk(_ type: String, _ data: [UInt8], to out: inout [UInt8]) {
        append32(UInt32(data.count), to: &out)
        let typed = Array(type.utf8) + data
        out += typed
        append32(crc(typed), to: &out)
    }
}
