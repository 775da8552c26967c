public import GeometryEngine

/// An RGB picture drawn with antialiased polygon fills, strokes and bitmap text.
///
/// Polygons are filled by scanlines with the even-odd rule: each pixel row is sampled on
/// `subsamples` sub-rows, and on each the span between two crossings covers the pixels it
/// overlaps by the exact fraction of their width, so edges get smooth coverage both ways.
public struct Canvas: Sendable {
    public let width: Int
    public let height: Int
    /// Row-major RGB bytes, 3 per pixel, top row first.
    public private(set) var pixels: [UInt8]
    private let subsamples = 4

    public init(width: Int, height: Int, background: RGBColor = .white) {
        self.width = max(width, 1)
        self.height = max(height, 1)
        pixels = [UInt8](repeating: 0, count: self.width * self.height * 3)
        for i in 0..<(self.width * self.height) {
            pixels[3 * i] = background.red
            pixels[3 * i + 1] = background.green
            pixels[3 * i + 2] = background.blue
        }
    }

    /// The colour of pixel (x, y).
    public func pixel(_ x: Int, _ y: Int) -> RGBColor {
        let i = 3 * (y * width + x)
        return RGBColor(pixels[i], pixels[i + 1], pixels[i + 2])
    }

    private mutating func blend(_ x: Int, _ y: Int, _ color: RGBColor, _ alpha: Double) {
        guard x >= 0, x < width, y >= 0, y < height, alpha > 0 else { return }
        let a = min(alpha, 1)
        let i = 3 * (y * width + x)
        func mix(_ old: UInt8, _ new: UInt8) -> UInt8 { UInt8((Double(old) * (1 - a) + Double(new) * a).rounded()) }
        pixels[i] = mix(pixels[i], color.red)
        pixels[i + 1] = mix(pixels[i + 1], color.green)
        pixels[i + 2] = mix(pixels[i + 2], color.blue)
    }

    /// Fills the area inside `rings` (picture coordinates, even-odd rule) with `color` at `opacity`.
    public mutating func fill(rings: [[XY]], color: RGBColor, opacity: Double = 1) {
        var edges: [(x0: Double, y0: Double, x1: Double, y1: Double)] = []
        var minY = Double.infinity, maxY = -Double.infinity
        for ring in rings where ring.count >= 2 {
            for i in 0..<ring.count {
                let a = ring[i], b = ring[(i + 1) % ring.count]
                guard a.y != b.y, a.x.isFinite, a.y.isFinite, b.x.isFinite, b.y.isFinite else { continue }
                edges.append((a.x, a.y, b.x, b.y))
                minY = min(minY, a.y, b.y)
                maxY = max(maxY, a.y, b.y)
            }
        }
        guard !edges.isEmpty else { return }
        let firstRow = max(Int(minY.rounded(.down)), 0)
        let lastRow = min(Int(maxY.rounded(.up)), height - 1)
        guard firstRow <= lastRow else { return }
        var coverage = [Double](repeating: 0, count: width + 1)
        var crossings: [Double] = []
        let weight = 1 / Double(subsamples)
        for row in firstRow...lastRow {
            var touchedMin = width, touchedMax = -1
            for s in 0..<subsamples {
                let y = Double(row) + (Double(s) + 0.5) * weight
                crossings.removeAll(keepingCapacity: true)
                for e in edges where (e.y0 <= y) != (e.y1 <= y) {
                    crossings.append(e.x0 + (y - e.y0) * (e.x1 - e.x0) / (e.y1 - e.y0))
                }
                crossings.sort()
                var k = 0
                while k + 1 < crossings.count {
                    let a = max(crossings[k], 0), b = min(crossings[k + 1], Double(width))
                    k += 2
                    guard a < b else { continue }
                    let ia = Int(a.rounded(.down)), ib = min(Int(b.rounded(.down)), width - 1)
                    touchedMin = min(touchedMin, ia)
                    touchedMax = max(touchedMax, ib)
                    if ia == ib {
                        coverage[ia] += (b - a) * weight
                    } else {
                        coverage[ia] += (Double(ia + 1) - a) * weight
                        if ia + 1 < ib { for x in (ia + 1)..<ib { coverage[x] += weight } }
                        coverage[ib] += (b - Double(ib)) * weight
                    }
                }
            }
            guard touchedMin <= touchedMax else { continue }
            for x in touchedMin...touchedMax {
                blend(x, row, color, coverage[x] * opacity)
                coverage[x] = 0
            }
        }
    }

    /// Draws `points` as a line `lineWidth` wide (closed back to the start when `closed`).
    public mutating func stroke(_ points: [XY], lineWidth: Double, color: RGBColor, closed: Bool = false) {
        guard points.count >= 2 else { return }
        let count = closed ? points.count : points.count - 1
        let half = lineWidth / 2
        var quads: [[XY]] = []
        for i in 0..<count {
            let a = points[i], b = points[(i + 1) % points.count]
            let dx = b.x - a.x, dy = b.y - a.y
            let length = (dx * dx + dy * dy).squareRoot()
            guard length > 0 else { continue }
            // Extends each segment by half the width, so that joints have no notch.
            let ux = dx / length * half, uy = dy / length * half
            let nx = -uy, ny = ux
            quads.append([XY(a.x - ux + nx, a.y - uy + ny), XY(b.x + ux + nx, b.y + uy + ny),
                          XY(b.x + ux - nx, b.y + uy - ny), XY(a.x - ux - nx, a.y - uy - ny)])
        }
        for quad in quads { fill(rings: [quad], color: color) }
    }

    /// A filled axis-aligned rectangle.
    public mutating func fillRect(x: Double, y: Double, width w: Double, height h: Double, color: RGBColor) {
        fill(rings: [[XY(x, y), XY(x + w, y), XY(x + w, y + h), XY(x, y + h)]], color: color)
    }

    /// Writes `text` in the built-in 5×7 font, `scale` pixels per font pixel, top-left at (x, y).
    public mutating func text(_ text: String, x: Int, y: Int, scale: Int = 2, color: RGBColor = .black) {
        var cursor = x
        for character in text {
            if let glyph = BitmapFont.glyph(character) {
                for (r, row) in glyph.enumerated() {
                    for (c, ink) in row.enumerated() where ink {
                        for dy in 0..<scale {
                            for dx in 0..<scale { blend(cursor + c * scale + dx, y + r * scale + dy, color, 1) }
                        }
                    }
                }
            }
            cursor += BitmapFont.advance * scale
        }
    }

    /// The width in pixels of `text` written at `scale`.
    public static func textWidth(_ text: String, scale: Int = 2) -> Int { BitmapFont.width(of: text) * scale }
}
