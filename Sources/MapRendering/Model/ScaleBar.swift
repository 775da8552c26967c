import GeometryEngine

extension GridMap {
    /// A standalone SVG map: grids filled by households, micro-grid outlines, grid codes, a
    /// legend (household classes, grid and micro-grid outlines) and a scale bar. Deterministic:
    /// the same map gives the same bytes.
    /// - Parameter width: the width of the map in SVG units (pixels at 100%); the legend adds 260.
    public func svg(width: Int = 1600) -> String {
        let legendWidth = 260.0
        let world = extent ?? Envelope(minX: 0, minY: 0, maxX: 1, maxY: 1)
        let frame = MapFrame(world: world, width: Double(width))
        let totalWidth = Double(width) + legendWidth
        let height = max(frame.height, 420)
        let palette = HouseholdPalette(bounds: bounds)
        let n = { (v: Double) in SVGText.number(v) }
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(n(totalWidth))" height="\(n(height))" \
            viewBox="0 0 \(n(totalWidth)) \(n(height))" font-family="sans-serif">
            <title>Grids and micro-grids (EPSG:\(epsg))</title>
            <rect width="100%" height="100%" fill="#ffffff"/>

            """
        out += "<g id=\"grids\" stroke=\"#333333\" stroke-width=\"1.6\" stroke-linejoin=\"round\" fill-rule=\"evenodd\">\n"
        for grid in grids {
            let fill = palette.color(kind: grid.kind, households: grid.households)
            let households = grid.households.map { "\($0) households" } ?? "households unknown"
            out += "<path d=\"\(SVGText.pathData(grid.geometry, frame: frame))\" fill=\"\(fill.hex)\">"
            out += "<title>\(SVGText.escape("\(grid.code) \(grid.kind.isEmpty ? "" : grid.kind + ", ")\(households)"))</title></path>\n"
        }
        out += "</g>\n<g id=\"microgrids\" fill=\"none\" stroke=\"#555555\" stroke-width=\"0.6\" stroke-dasharray=\"3 2\">\n"
        for micro in microGrids {
            out += "<path d=\"\(SVGText.pathData(micro.geometry, frame: frame))\"/>\n"
        }
        out += "</g>\n<g id=\"grid-outlines\" fill=\"none\" stroke=\"#222222\" stroke-width=\"1.6\">\n"
        for grid in grids {
            out += "<path d=\"\(SVGText.pathData(grid.geometry, frame: frame))\"/>\n"
        }
        out += "</g>\n<g id=\"labels\" font-size=\"11\" text-anchor=\"middle\" fill=\"#111111\">\n"
        for grid in grids {
            guard let anchor = Self.labelPoint(grid.geometry) else { continue }
            let p = frame.point(anchor)
            out += "<text x=\"\(n(p.x))\" y=\"\(n(p.y + 4))\">\(SVGText.escape(grid.shortCode))</text>\n"
        }
        out += "</g>\n"
        // Legend.
        let x0 = Double(width) + 10
        out += "<g id=\"legend\" font-size=\"13\" fill=\"#111111\">\n"
        out += "<text x=\"\(n(x0))\" y=\"30\" font-weight=\"bold\">Households per grid</text>\n"
        var y = 44.0
        for entry in palette.entries {
            out += "<rect x=\"\(n(x0))\" y=\"\(n(y))\" width=\"22\" height=\"16\" fill=\"\(entry.color.hex)\" stroke=\"#333333\"/>"
            out += "<text x=\"\(n(x0 + 30))\" y=\"\(n(y + 13))\">\(SVGText.escape(entry.label))</text>\n"
            y += 22
        }
        y += 14
        out += "<line x1=\"\(n(x0))\" y1=\"\(n(y))\" x2=\"\(n(x0 + 22))\" y2=\"\(n(y))\" stroke=\"#222222\" stroke-width=\"1.6\"/>"
        out += "<text x=\"\(n(x0 + 30))\" y=\"\(n(y + 4))\">grid outline</text>\n"
        y += 22
        out += "<line x1=\"\(n(x0))\" y1=\"\(n(y))\" x2=\"\(n(x0 + 22))\" y2=\"\(n(y))\" stroke=\"#555555\" stroke-width=\"0.6\" stroke-dasharray=\"3 2\"/>"
        out += "<text x=\"\(n(x0 + 30))\" y=\"\(n(y + 4))\">micro-grid outline</text>\n"
        y += 34
        let bar = ScaleBar(metresPerUnit: 1 / frame.scale, maxUnits: legendWidth - 40)
        out += "<path d=\"M\(n(x0)) \(n(y))v6h\(n(bar.units))v-6\" fill=\"none\" stroke=\"#111111\" stroke-width=\"1.5\"/>"
        out += "<text x=\"\(n(x0))\" y=\"\(n(y + 22))\">\(SVGText.escape(bar.label))</text>\n"
        out += "<text x=\"\(n(x0))\" y=\"\(n(y + 44))\" font-size=\"11\" fill=\"#555555\">\(grids.count) grids, \(microGrids.count) micro-grids</text>\n"
        out += "</g>\n</svg>\n"
        return out
    }

    /// Where a grid's label goes: a point inside it (GEOS's point on surface).
    public static func labelPoint(_ geometry: Geometry) -> XY? {
        guard let point = try? geometry.pointOnSurface(), case .point(let p) = point else { return geometry.envelope?.center }
        return p
    }
}

/// A scale bar of a round length (1, 2 or 5 times a power of ten metres) that fits `maxUnits`.
public struct ScaleBar: Hashable, Sendable {
    public let metres: Double
    public let units: Double

    public init(metresPerUnit: Double, maxUnits: Double) {
        let maxMetres = max(metresPerUnit * maxUnits, 1e-9)
        var power = 1.0
        while power * 10 <= maxMetres { power *= 10 }
        while power > maxMetres { power /= 10 }
        let metres = [5.0, 2.0, 1.0].map { $0 * power }.first { $0 <= maxMetres } ?? power
        self.metres = metres
        self.units = metres / metresPerUnit
    }

    /// `500 m`, `2 km`.
    public var label: String {
        metres >= 1000 ? "\(SVGText.number(metres / 1000, decimals: 1)) km" : "\(SVGText.number(metres, decimals: 1)) m"
    }
}
