import FeatureIO
import Foundation
import GeometryEngine

extension GridMap {
    /// The world rectangle a map of everything shows: the grids, and the district's
    /// communities when there is a district.
    var fullExtent: Envelope {
        var box = extent
        for community in district?.communities ?? [] {
            guard let e = community.geometry.envelope else { continue }
            box = box?.union(e) ?? e
        }
        let world = box ?? Envelope(minX: 0, minY: 0, maxX: 1, maxY: 1)
        return world.expanded(by: max(world.width, world.height) * 0.02)
    }

    /// Writes the map of every grid (and the district under them, when there is one) as PDF,
    /// SVG or PNG: the map, and beside it the legend, a scale bar, a north arrow, the CRS and
    /// the data's attribution. Labels that would overlap are left out. Written to a temporary
    /// file and renamed into place, so that a failure leaves no partial map.
    /// - Parameter width: the width of the map area in points (PDF, SVG) or pixels (PNG); the
    ///   legend adds 320.
    /// - Throws: `MapRenderingError` (cairo) or `FeatureIOError` (the file) naming `path`.
    public func writeMap(to path: String, format: MapFormat, width: Int = 1600, language: MapLanguage = .en,
                         shading: BuildingShading = .households) throws {
        let prepared = PreparedMap(self)
        let world = fullExtent
        let mapWidth = Double(width), legendWidth = 320.0
        let height = max((mapWidth * world.height / max(world.width, 1)).rounded(.up), 760)
        try AtomicFile.write(to: path) { temporary in
            let canvas = try Canvas(format: format, path: temporary, width: mapWidth + legendWidth, height: height)
            let box = Envelope(minX: 10, minY: 10, maxX: mapWidth - 5, maxY: height - 10)
            let frame = MapFrame(world: world, x: box.minX, y: box.minY, width: box.width, height: box.height)
            var labels = LabelPlacer()
            let arrow = Envelope(minX: box.maxX - 40, minY: box.minY + 6, maxX: box.maxX - 8, maxY: box.minY + 56)
            labels.reserve(arrow)
            let textSize = min(max(mapWidth / 130, 9), 16)
            MapPainter(prepared: prepared, frame: frame, box: box, style: MapStyle(language: language, shading: shading, textSize: textSize))
                .draw(on: canvas, labels: &labels)
            canvas.strokeRect(x: box.minX, y: box.minY, width: box.width, height: box.height, color: RGBColor(hex: 0x888888))
            PageFurniture.northArrow(on: canvas, at: XY(arrow.center.x, arrow.minY + 4), size: 22, language: language)
            var legend = PageFurniture(canvas: canvas, language: language, size: 11, x: mapWidth + 14, y: 4)
            legend.mapLegend(self, shading: shading)
            legend.y += 10
            legend.scaleBar(frame, maxWidth: legendWidth - 60)
            legend.note("\(grids.count) \(language(.grid)), \(microGrids.count) \(language(.microGrid))")
            legend.sources(self, maxWidth: legendWidth - 24)
            try canvas.finish()
        }
    }
}
