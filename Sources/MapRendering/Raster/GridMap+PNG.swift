import GeometryEngine

extension GridMap {
    /// The map as a picture: the same content as `svg(width:)`, grids filled by households,
    /// micro-grid and grid outlines, codes where they fit, a legend and a scale bar.
    /// - Parameter width: the width of the map area in pixels; the legend adds 300.
    public func raster(width: Int = 1600) -> Canvas {
        let legendWidth = 300
        let world = extent ?? Envelope(minX: 0, minY: 0, maxX: 1, maxY: 1)
        let frame = MapFrame(world: world, width: Double(width))
        let height = max(Int(frame.height), 440)
        var canvas = Canvas(width: width + legendWidth, height: height)
        let palette = HouseholdPalette(bounds: bounds)
        func rings(_ geometry: Geometry) -> [[XY]] {
            geometry.polygons.flatMap { $0.rings.map { $0.map(frame.point) } }
        }
        for grid in grids {
            canvas.fill(rings: rings(grid.geometry), color: palette.color(kind: grid.kind, households: grid.households))
        }
        let microColor = RGBColor(hex: 0x777777)
        for micro in microGrids {
            for ring in rings(micro.geometry) { canvas.stroke(ring, lineWidth: 0.8, color: microColor, closed: true) }
        }
        let gridColor = RGBColor(hex: 0x222222)
        for grid in grids {
            for ring in rings(grid.geometry) { canvas.stroke(ring, lineWidth: 1.8, color: gridColor, closed: true) }
        }
        for grid in grids {
            guard let anchor = Self.labelPoint(grid.geometry), let box = grid.geometry.envelope else { continue }
            let label = grid.shortCode
            let textWidth = Canvas.textWidth(label, scale: 1)
            guard box.width * frame.scale > Double(textWidth + 6), box.height * frame.scale > 12 else { continue }
            let p = frame.point(anchor)
            canvas.text(label, x: Int(p.x) - textWidth / 2, y: Int(p.y) - 3, scale: 1, color: RGBColor(hex: 0x111111))
        }
        // Legend.
        let x0 = width + 12
        canvas.fillRect(x: Double(width), y: 0, width: Double(legendWidth), height: Double(height), color: .white)
        canvas.text("HOUSEHOLDS PER GRID", x: x0, y: 16, scale: 2)
        var y = 42
        for entry in palette.entries {
            canvas.fillRect(x: Double(x0), y: Double(y), width: 24, height: 16, color: RGBColor(hex: 0x333333))
            canvas.fillRect(x: Double(x0 + 1), y: Double(y + 1), width: 22, height: 14, color: entry.color)
            canvas.text(entry.label, x: x0 + 32, y: y + 4, scale: 1)
            y += 24
        }
        y += 12
        canvas.stroke([XY(Double(x0), Double(y)), XY(Double(x0 + 24), Double(y))], lineWidth: 1.8, color: gridColor)
        canvas.text("GRID OUTLINE", x: x0 + 32, y: y - 3, scale: 1)
        y += 20
        canvas.stroke([XY(Double(x0), Double(y)), XY(Double(x0 + 24), Double(y))], lineWidth: 0.8, color: microColor)
        canvas.text("MICRO-GRID OUTLINE", x: x0 + 32, y: y - 3, scale: 1)
        y += 28
        let bar = ScaleBar(metresPerUnit: 1 / frame.scale, maxUnits: Double(legendWidth - 60))
        let barEnd = Double(x0) + bar.units
        canvas.stroke([XY(Double(x0), Double(y)), XY(Double(x0), Double(y + 6)), XY(barEnd, Double(y + 6)), XY(barEnd, Double(y))],
                      lineWidth: 1.5, color: .black)
        canvas.text(bar.label, x: x0, y: y + 14, scale: 2)
        canvas.text("\(grids.count) GRIDS, \(microGrids.count) MICRO-GRIDS", x: x0, y: y + 40, scale: 1, color: RGBColor(hex: 0x555555))
        return canvas
    }

    /// The map as PNG bytes (see `raster(width:)`).
    /// - Throws: `MapRenderingError` when zlib fails.
    public func png(width: Int = 1600) throws -> [UInt8] {
        try PNGEncoder.encode(raster(width: width))
    }
}
