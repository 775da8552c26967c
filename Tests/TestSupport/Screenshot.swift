import Foundation

/// A binary PGM (P5) or PPM (P6) image of 8 bits per sample, as pdftoppm and GDAL write them.
public struct PNMImage: Sendable {
    public var width: Int
    public var height: Int
    /// 1 (grey) or 3 (RGB).
    public var channels: Int
    public var samples: [UInt8]

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public init(_ data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.count > 2, bytes[0] == 0x50, bytes[1] == 0x35 || bytes[1] == 0x36 else { throw Failure(description: "not a binary PGM or PPM") }
        // Width, height and maxval, each after whitespace; the samples follow one whitespace byte.
        var fields: [Int] = [], index = 2, current = ""
        while fields.count < 3 && index < bytes.count {
            let c = Character(UnicodeScalar(bytes[index]))
            if c.isWhitespace { if !current.isEmpty { fields.append(Int(current) ?? 0); current = "" } } else { current.append(c) }
            index += 1
        }
        channels = bytes[1] == 0x35 ? 1 : 3
        guard fields.count == 3, fields[0] > 0, fields[1] > 0, fields[2] == 255,
              bytes.count - index >= fields[0] * fields[1] * channels else { throw Failure(description: "a PNM header of \(fields)") }
        width = fields[0]
        height = fields[1]
        samples = Array(bytes[index..<(index + width * height * channels)])
    }

    /// The share of pixels darker than almost white (any channel under 245).
    public var inkedShare: Double {
        var inked = 0
        for p in 0..<(width * height) where (0..<channels).contains(where: { samples[p * channels + $0] < 245 }) { inked += 1 }
        return Double(inked) / Double(width * height)
    }

    /// The share of pixels that differ from `other`'s by more than a rounding (same size only).
    public func differingShare(from other: PNMImage) -> Double {
        guard other.width == width, other.height == height, other.channels == channels else { return 1 }
        var differing = 0
        for p in 0..<(width * height) where (0..<channels).contains(where: { abs(Int(samples[p * channels + $0]) - Int(other.samples[p * channels + $0])) > 8 }) {
            differing += 1
        }
        return Double(differing) / Double(width * height)
    }
}

/// Headless Chromium (Debian `chromium`), to look at a page as a reader's browser shows it.
public enum Chromium {
    public static var executable: URL? { installedTool("chromium") }

    /// A screenshot of the page at `path`, `width` × `height` CSS pixels, as RGB pixels (turned
    /// from PNG into PPM by GDAL's gdal_translate).
    public static func screenshot(of path: String, width: Int = 1400, height: Int = 1000) throws -> PNMImage {
        guard let chromium = executable, let translate = installedTool("gdal_translate") else {
            throw PNMImage.Failure(description: "chromium or gdal_translate is not installed (tools/install-deps)")
        }
        let directory = try TemporaryDirectory()
        // --no-sandbox: tests run as root in a container; the page makes no network request.
        let shot = try runProcess(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--virtual-time-budget=3000",
                                             "--user-data-dir=\(directory.path("profile"))", "--screenshot=\(directory.path("shot.png"))",
                                             "--window-size=\(width),\(height)", URL(fileURLWithPath: path).absoluteString], timeout: 120)
        guard FileManager.default.fileExists(atPath: directory.path("shot.png")) else {
            throw PNMImage.Failure(description: "chromium wrote no screenshot (exit \(shot.status)): \(shot.stderr.suffix(2000))")
        }
        let converted = try runProcess(translate, ["-q", "-of", "PNM", "-b", "1", "-b", "2", "-b", "3", directory.path("shot.png"), directory.path("shot.ppm")],
                                       timeout: 60)
        guard converted.status == 0 else { throw PNMImage.Failure(description: "gdal_translate: \(converted.stderr)") }
        return try PNMImage(Data(contentsOf: directory.url("shot.ppm")))
    }
}
