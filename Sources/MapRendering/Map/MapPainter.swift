import DistrictModel
import Foundation
import GeometryEngine

/// How buildings are filled on a map.
public enum BuildingShading: String, Sendable, CaseIterable {
    /// Light to dark by the building's households; buildings without households grey.
    case households
    /// One colour per micro-grid of a grid, so that a grid worker sees who lives where.
    case microgrid
}

/// What is worked out once for a map and then drawn on every page: where each building stands
/// and the label point of each grid, micro-grid and community (GEOS's point on surface).
struct PreparedMap {
    let map: GridMap
    let placement: BuildingPlacement
    let buildingPoints: [XY?]
    let buildingEnvelopes: [Envelope?]
    let roadEnvelopes: [Envelope?]
    let gridPoints: [XY?]
    let microPoints: [XY?]
    let communityPoints: [XY?]

    init(_ map: GridMap) {
        self.map = map
        placement = BuildingPlacement(map)
        let district = map.district
        buildingPoints = (district?.buildings ?? []).map { Self.labelPoint($0.geometry) }
        buildingEnvelopes = (district?.buildings ?? []).map(\.geometry.envelope)
        roadEnvelopes = (district?.roads ?? []).map(\.geometry.envelope)
        gridPoints = map.grids.map { Self.labelPoint($0.geometry) }
        microPoints = map.microGrids.map { Self.labelPoint($0.geometry) }
        communityPoints = (district?.communities ?? []).map { Self.labelPoint($0.geometry) }
    }

    /// A point inside `geometry` (GEOS's point on surface), its envelope's centre failing that.
    static func labelPoint(_ geometry: Geometry) -> XY? {
        guard let point = try? geometry.pointOnSurface(), case .point(let p) = point else { return geometry.envelope?.center }
        return p
    }
}

/// How a map is drawn in its box.
struct MapStyle {
    var language: MapLanguage = .en
    var shading: BuildingShading = .households
    /// The grid a sheet is about: drawn strong, the others faded, its buildings numbered.
    var focus: Int?
    /// Text size of a grid code; other labels are sized from it.
    var textSize: Double = 12
}

/// Draws the district and the grids of a `PreparedMap` into a box of a page: fills, roads,
/// buildings, outlines, then the labels that fit, most important first.
struct MapPainter {
    let prepared: PreparedMap
    let frame: MapFrame
    /// The box on the page the map is drawn in (clipped to it).
    let box: Envelope
    let style: MapStyle

    var map: GridMap { prepared.map }

    static let background = RGBColor(hex: 0xf2efe9)
    static let communityFill = RGBColor(hex: 0xfbfaf6)
    static let communityLine = RGBColor(hex: 0x6a3d9a)
    static let gridLine = RGBColor(hex: 0x222222)
    static let focusLine = RGBColor(hex: 0xc0392b)
    static let microLine = RGBColor(hex: 0x555555)
    static let buildingLine = RGBColor(hex: 0x7a6a5a)
    static let shopColor = RGBColor(hex: 0xd7301f)
    static let dedicatedFill = RGBColor(hex: 0xc7b9e6)
    static let dedicatedLine = RGBColor(hex: 0x7b68a6)
    /// Buildings by households: none, 1-20, 21-50, 51-100, over 100.
    static let householdClasses: [(limit: Int, color: RGBColor)] = [
        (0, RGBColor(hex: 0xd9d0c7)), (20, RGBColor(hex: 0xfdd49e)), (50, RGBColor(hex: 0xfdbb84)),
        (100, RGBColor(hex: 0xfc8d59)), (Int.max, RGBColor(hex: 0xd7301f)),
    ]
    /// Micro-grids of one grid (ColorBrewer Set2).
    static let microColors = [0x66c2a5, 0xfc8d62, 0x8da0cb, 0xe78ac3, 0xa6d854, 0xffd92f, 0xe5c494, 0xb3b3b3].map { RGBColor(hex: $0) }

    /// Road style by class: width on the ground (m), narrowest on the page, fill and casing.
    static func roadStyle(_ roadClass: RoadClass?) -> (metres: Double, minimum: Double, fill: RGBColor, casing: RGBColor?) {
        switch roadClass {
        case .arterial: (24, 2.6, RGBColor(hex: 0xf7c873), RGBColor(hex: 0xb8903a))
        case .secondary: (16, 2, RGBColor(hex: 0xfde9a9), RGBColor(hex: 0xb8a36a))
        case .branch: (10, 1.4, .white, RGBColor(hex: 0xa8a8a8))
        case .service: (6, 0.9, .white, RGBColor(hex: 0xbbbbbb))
        case .path, nil: (2, 0.5, RGBColor(hex: 0x8f8f8f), nil)
        }
    }

    static func householdColor(_ households: Int) -> RGBColor {
        householdClasses.first { households <= $0.limit }?.color ?? householdClasses.last!.color
    }

    /// The colour of a micro-grid: by its place among its grid's micro-grids (the last two
    /// digits of its code; its place in the file for a code of another form).
    static func microColor(_ micro: GridMap.MicroGrid, index: Int) -> RGBColor {
        let sequence = Int(micro.code.suffix(2)) ?? (index + 1)
        return microColors[(max(sequence, 1) - 1) % microColors.count]
    }

    private func visible(_ envelope: Envelope?) -> Bool {
        envelope.map { frame.world.intersects($0) } ?? false
    }

    private func rings(_ geometry: Geometry) -> [[XY]] {
        geometry.polygons.flatMap { $0.rings.map { $0.map(frame.point) } }
    }

    func draw(on canvas: Canvas, labels: inout LabelPlacer) {
        canvas.clip(x: box.minX, y: box.minY, width: box.width, height: box.height)
        canvas.fillRect(x: box.minX, y: box.minY, width: box.width, height: box.height, color: Self.background)
        let district = map.district
        for community in district?.communities ?? [] where visible(community.geometry.envelope) {
            canvas.addPath(rings: rings(community.geometry), closed: true)
            canvas.fill(Self.communityFill)
        }
        let palette = HouseholdPalette(bounds: map.bounds)
        for (g, grid) in map.grids.enumerated() where visible(grid.geometry.envelope) {
            canvas.addPath(rings: rings(grid.geometry), closed: true)
            let alpha = style.focus == nil ? 0.55 : (style.focus == g ? 0.35 : 0.12)
            canvas.fill(palette.color(kind: grid.kind, households: grid.households), alpha: alpha)
        }
        for site in district?.dedicated ?? [] where visible(site.geometry.envelope) {
            canvas.addPath(rings: rings(site.geometry), closed: true)
            canvas.fill(Self.dedicatedFill, alpha: 0.6, keep: true)
            canvas.stroke(Self.dedicatedLine, width: 0.8, dash: [3, 2])
        }
        drawRoads(on: canvas)
        drawBuildings(on: canvas)
        for micro in map.microGrids where visible(micro.geometry.envelope) {
            canvas.addPath(rings: rings(micro.geometry), closed: true)
            canvas.stroke(Self.microLine, width: 0.7, dash: [3, 2])
        }
        for (g, grid) in map.grids.enumerated() where visible(grid.geometry.envelope) && g != style.focus {
            canvas.addPath(rings: rings(grid.geometry), closed: true)
            canvas.stroke(Self.gridLine, width: 1.5)
        }
        for community in district?.communities ?? [] where visible(community.geometry.envelope) {
            canvas.addPath(rings: rings(community.geometry), closed: true)
            canvas.stroke(Self.communityLine, width: 2.4, dash: [9, 3, 2, 3], alpha: 0.8)
        }
        if let focus = style.focus {
            canvas.addPath(rings: rings(map.grids[focus].geometry), closed: true)
            canvas.stroke(Self.focusLine, width: 2.8)
        }
        for shop in district?.shops ?? [] {
            guard let p = shop.geometry.envelope?.center, frame.world.contains(p) else { continue }
            let q = frame.point(p)
            canvas.addPath(rings: [(0..<12).map { XY(q.x + 1.8 * cos(Double($0) * .pi / 6), q.y + 1.8 * sin(Double($0) * .pi / 6)) }], closed: true)
            canvas.fill(Self.shopColor)
        }
        drawLabels(on: canvas, labels: &labels)
        canvas.unclip()
    }

    private func drawRoads(on canvas: Canvas) {
        let roads = (map.district?.roads ?? []).enumerated().filter { visible(prepared.roadEnvelopes[$0.offset]) }
        // Narrow roads first, so that the wide ones run over them; casings under all fills.
        let ordered = roads.sorted { ($0.element.roadClass ?? .path) > ($1.element.roadClass ?? .path) }
        for pass in 0..<2 {
            for (_, road) in ordered {
                let style = Self.roadStyle(road.roadClass)
                let width = max(style.metres * frame.scale, style.minimum)
                if pass == 0 {
                    guard let casing = style.casing else { continue }
                    canvas.addPath(rings: road.geometry.lineStrings.map { $0.map(frame.point) }, closed: false)
                    canvas.stroke(casing, width: width + 1)
                } else {
                    canvas.addPath(rings: road.geometry.lineStrings.map { $0.map(frame.point) }, closed: false)
                    canvas.stroke(style.fill, width: width, dash: road.roadClass == .path || road.roadClass == nil ? [2, 1.5] : [])
                }
            }
        }
    }

    private func drawBuildings(on canvas: Canvas) {
        guard let buildings = map.district?.buildings else { return }
        for (b, building) in buildings.enumerated() where visible(prepared.buildingEnvelopes[b]) {
            let color: RGBColor
            switch style.shading {
            case .households: color = Self.householdColor(building.households)
            case .microgrid: color = prepared.placement.microGrid[b].map { Self.microColor(map.microGrids[$0], index: $0) } ?? Self.householdClasses[0].color
            }
            canvas.addPath(rings: rings(building.geometry), closed: true)
            canvas.fill(color, keep: true)
            canvas.stroke(Self.buildingLine, width: 0.35)
        }
    }

    // MARK: Labels

    /// Offers a label centred on `p` (page units); draws it when it fits inside the box and
    /// clear of every label placed so far.
    @discardableResult
    private func label(_ text: String, at p: XY, size: Double, bold: Bool = false, color: RGBColor = .black,
                       on canvas: Canvas, labels: inout LabelPlacer, angle: Double = 0) -> Bool {
        let (w, h) = canvas.measure(text, size: size, bold: bold)
        let c = cos(angle), s = sin(angle)
        let bw = abs(w * c) + abs(h * s), bh = abs(w * s) + abs(h * c)
        let envelope = Envelope(minX: p.x - bw / 2, minY: p.y - bh / 2, maxX: p.x + bw / 2, maxY: p.y + bh / 2)
        guard envelope.minX >= box.minX, envelope.maxX <= box.maxX, envelope.minY >= box.minY, envelope.maxY <= box.maxY,
              labels.place(envelope) else { return false }
        // The text's top-left, turned about the centre.
        let origin = XY(p.x - (w / 2) * c + (h / 2) * s, p.y - (w / 2) * s - (h / 2) * c)
        canvas.text(text, at: origin, size: size, color: color, bold: bold, halo: true, angle: angle)
        return true
    }

    private func drawLabels(on canvas: Canvas, labels: inout LabelPlacer) {
        let size = style.textSize
        let district = map.district
        for (c, community) in (district?.communities ?? []).enumerated() {
            guard let p = prepared.communityPoints[c], frame.world.contains(p) else { continue }
            label(community.name ?? community.code, at: frame.point(p), size: size * 1.45, bold: true, color: Self.communityLine,
                  on: canvas, labels: &labels)
        }
        if let focus = style.focus, let p = prepared.gridPoints[focus] {
            label(map.grids[focus].code, at: frame.point(p), size: size, bold: true, color: Self.focusLine, on: canvas, labels: &labels)
        }
        for (g, grid) in map.grids.enumerated() where g != style.focus {
            guard let p = prepared.gridPoints[g], frame.world.contains(p) else { continue }
            label(grid.shortCode, at: frame.point(p), size: size, bold: true, on: canvas, labels: &labels)
        }
        for (m, micro) in map.microGrids.enumerated() {
            guard let p = prepared.microPoints[m], frame.world.contains(p) else { continue }
            // The sequence of a 17-digit code: the grid's code is on the grid.
            label(micro.code.count == 17 ? String(micro.code.suffix(2)) : micro.code, at: frame.point(p), size: size * 0.72, color: RGBColor(hex: 0x333333), on: canvas, labels: &labels)
        }
        if let focus = style.focus {
            for (number, b) in prepared.placement.buildingsOfGrid[focus].enumerated() {
                guard let p = prepared.buildingPoints[b] else { continue }
                label("\(number + 1)", at: frame.point(p), size: size * 0.6, color: RGBColor(hex: 0x5a1e0e), on: canvas, labels: &labels)
            }
        }
        drawRoadNames(on: canvas, labels: &labels)
        for site in district?.dedicated ?? [] {
            guard let name = site.name, let p = site.geometry.envelope?.center, frame.world.contains(p) else { continue }
            label(name, at: frame.point(p), size: size * 0.7, color: Self.dedicatedLine, on: canvas, labels: &labels)
        }
        for shop in district?.shops ?? [] {
            guard let name = shop.name, let p = shop.geometry.envelope?.center, frame.world.contains(p) else { continue }
            let q = frame.point(p)
            let (w, _) = canvas.measure(name, size: size * 0.58)
            label(name, at: XY(q.x + 3 + w / 2, q.y), size: size * 0.58, color: Self.shopColor, on: canvas, labels: &labels)
        }
    }

    /// Road names along their longest straight piece, upright, once per 250 units per name.
    private func drawRoadNames(on canvas: Canvas, labels: inout LabelPlacer) {
        var placed: [String: [XY]] = [:]
        let roads = (map.district?.roads ?? []).enumerated()
            .filter { $0.element.name != nil && visible(prepared.roadEnvelopes[$0.offset]) }
            .sorted { ($0.element.roadClass ?? .path) < ($1.element.roadClass ?? .path) }
        let size = style.textSize * 0.66
        for (_, road) in roads {
            guard let name = road.name, !name.isEmpty else { continue }
            var best: (XY, XY)?
            var bestLength = 0.0
            for line in road.geometry.lineStrings {
                for (a, b) in zip(line, line.dropFirst()) {
                    let pa = frame.point(a), pb = frame.point(b)
                    let length = hypot(pb.x - pa.x, pb.y - pa.y)
                    if length > bestLength { bestLength = length; best = (pa, pb) }
                }
            }
            guard let (a, b) = best else { continue }
            let width = canvas.measure(name, size: size).width
            guard bestLength >= width + 6 else { continue }
            let middle = XY((a.x + b.x) / 2, (a.y + b.y) / 2)
            if placed[name, default: []].contains(where: { hypot($0.x - middle.x, $0.y - middle.y) < 250 }) { continue }
            var angle = atan2(b.y - a.y, b.x - a.x)
            if angle > .pi / 2 { angle -= .pi } else if angle < -.pi / 2 { angle += .pi }
            if label(name, at: middle, size: size, color: RGBColor(hex: 0x4a4a4a), on: canvas, labels: &labels, angle: angle) {
                placed[name, default: []].append(middle)
            }
        }
    }
}
