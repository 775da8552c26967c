import DistrictModel
import Foundation
import GeometryEngine

/// What goes round a map on a page: a legend column, the scale bar, the north arrow, the CRS
/// and the data's attribution. Draws downwards from `y`, `x` its left edge.
struct PageFurniture {
    let canvas: Canvas
    let language: MapLanguage
    /// Text size of a legend entry; titles are larger.
    let size: Double
    var x: Double
    var y: Double

    mutating func title(_ text: String) {
        y += size * 0.6
        y += canvas.text(text, at: XY(x, y), size: size * 1.15, bold: true) + size * 0.3
    }

    mutating func swatch(_ color: RGBColor, _ label: String, outline: RGBColor = RGBColor(hex: 0x555555)) {
        canvas.fillRect(x: x, y: y + size * 0.15, width: size * 1.8, height: size * 1.1, color: color)
        canvas.strokeRect(x: x, y: y + size * 0.15, width: size * 1.8, height: size * 1.1, color: outline, lineWidth: 0.5)
        y += canvas.text(label, at: XY(x + size * 2.4, y), size: size) + size * 0.25
    }

    mutating func lineSample(_ color: RGBColor, width: Double, dash: [Double] = [], casing: RGBColor? = nil, _ label: String) {
        let middle = y + size * 0.75
        if let casing { canvas.line([XY(x, middle), XY(x + size * 1.8, middle)], color: casing, width: width + 1) }
        canvas.line([XY(x, middle), XY(x + size * 1.8, middle)], color: color, width: width, dash: dash)
        y += canvas.text(label, at: XY(x + size * 2.4, y), size: size) + size * 0.25
    }

    mutating func note(_ text: String, color: RGBColor = RGBColor(hex: 0x555555), maxWidth: Double? = nil) {
        y += canvas.text(text, at: XY(x, y), size: size * 0.85, color: color, maxWidth: maxWidth) + size * 0.2
    }

    /// A scale bar of a round length no longer than `maxWidth`, in two halves.
    mutating func scaleBar(_ frame: MapFrame, maxWidth: Double) {
        let bar = ScaleBar(metresPerUnit: 1 / frame.scale, maxUnits: maxWidth)
        let top = y + size * 0.4, height = size * 0.45
        canvas.fillRect(x: x, y: top, width: bar.units / 2, height: height, color: .black)
        canvas.strokeRect(x: x, y: top, width: bar.units, height: height, color: .black, lineWidth: 0.8)
        y = top + height + size * 0.2
        canvas.text("0", at: XY(x, y), size: size * 0.85, anchor: .center)
        y += canvas.text(bar.label, at: XY(x + bar.units, y), size: size * 0.85, anchor: .center) + size * 0.3
    }

    /// A north arrow: grid north is up, since every map is drawn in a projected CRS.
    static func northArrow(on canvas: Canvas, at p: XY, size: Double, language: MapLanguage) {
        let tip = XY(p.x, p.y), left = XY(p.x - size * 0.45, p.y + size * 1.5), right = XY(p.x + size * 0.45, p.y + size * 1.5)
        let notch = XY(p.x, p.y + size * 1.1)
        canvas.addPath(rings: [[tip, left, notch]], closed: true)
        canvas.fill(.black)
        canvas.addPath(rings: [[tip, right, notch]], closed: true)
        canvas.fill(.white, keep: true)
        canvas.addPath(rings: [[tip, left, notch, right]], closed: true)
        canvas.stroke(.black, width: 0.8)
        canvas.text(language(.north), at: XY(p.x, p.y + size * 1.55), size: size * 0.7, bold: true, anchor: .center)
    }

    /// The legend of a map: grids by households, buildings, outlines, roads, shops, dedicated sites.
    mutating func mapLegend(_ map: GridMap, shading: BuildingShading) {
        title(language(.householdsPerGrid))
        for entry in HouseholdPalette(bounds: map.bounds).entries(chinese: language == .zh) { swatch(entry.color, entry.label) }
        if map.district != nil {
            switch shading {
            case .households:
                title(language(.buildingsShade))
                let limits = MapPainter.householdClasses
                swatch(limits[0].color, "0")
                for i in 1..<limits.count {
                    let label = limits[i].limit == Int.max ? "> \(limits[i - 1].limit)" : "\(limits[i - 1].limit + 1)-\(limits[i].limit)"
                    swatch(limits[i].color, label)
                }
            case .microgrid:
                title(language(.buildingsByMicroGrid))
                for (i, color) in MapPainter.microColors.prefix(4).enumerated() { swatch(color, "\(language(.microGrid)) \(String(format: "%02d", i + 1))") }
            }
        }
        y += size * 0.5
        lineSample(MapPainter.gridLine, width: 1.5, language(.gridOutline))
        lineSample(MapPainter.microLine, width: 0.7, dash: [3, 2], language(.microGridOutline))
        guard map.district != nil else { return }
        lineSample(MapPainter.communityLine, width: 2.4, dash: [9, 3, 2, 3], language(.communityBoundary))
        let classes: [(RoadClass, MapWord)] = [(.arterial, .arterial), (.secondary, .secondary), (.branch, .branch), (.service, .service), (.path, .path)]
        for (roadClass, word) in classes {
            let style = MapPainter.roadStyle(roadClass)
            lineSample(style.fill, width: max(style.minimum, 1.2) + 1, dash: roadClass == .path ? [2, 1.5] : [], casing: style.casing, language(word))
        }
        swatch(MapPainter.dedicatedFill, language(.dedicatedSite), outline: MapPainter.dedicatedLine)
        let dot = XY(x + size * 0.9, y + size * 0.7)
        canvas.addPath(rings: [(0..<12).map { XY(dot.x + 2.2 * cos(Double($0) * .pi / 6), dot.y + 2.2 * sin(Double($0) * .pi / 6)) }], closed: true)
        canvas.fill(MapPainter.shopColor)
        y += canvas.text(language(.shop), at: XY(x + size * 2.4, y), size: size) + size * 0.25
    }

    /// The CRS and the attribution lines.
    mutating func sources(_ map: GridMap, maxWidth: Double) {
        note("\(language(.crs)): EPSG:\(map.epsg)", maxWidth: maxWidth)
        if let attribution = map.attribution { note("\(language(.data)): \(attribution)", maxWidth: maxWidth) }
    }
}
