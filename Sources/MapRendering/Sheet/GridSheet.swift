import DistrictModel
import FeatureIO
import Foundation
import GeometryEngine

/// Paper sizes of grid sheets, portrait, in PDF points.
public enum Paper: String, Sendable, CaseIterable {
    case a4 = "A4", a3 = "A3"

    var width: Double { self == .a4 ? 595.28 : 841.89 }
    var height: Double { self == .a4 ? 841.89 : 1190.55 }
}

/// How grid sheets are drawn.
public struct SheetOptions: Sendable {
    public var paper: Paper
    public var language: MapLanguage
    public var shading: BuildingShading

    public init(paper: Paper = .a4, language: MapLanguage = .zh, shading: BuildingShading = .microgrid) {
        self.paper = paper
        self.language = language
        self.shading = shading
    }
}

extension GridMap {
    /// The index in `grids` of the grid coded `code`.
    /// - Throws: `MapRenderingError` naming the code when no grid has it.
    public func gridIndex(of code: String) throws -> Int {
        guard let index = grids.firstIndex(where: { $0.code == code }) else {
            let sample = grids.prefix(3).map(\.code).joined(separator: ", ")
            throw MapRenderingError("no grid has the code \(code) (the file's grids are coded like \(sample)); see `gridweave inspect` or the map")
        }
        return index
    }

    /// Writes one PDF of the sheets of `grids` (indices into `grids`), each on its own page
    /// (more when its buildings' table runs on), after an index page of them when `index`.
    /// Written to a temporary file and renamed into place.
    /// - Throws: `MapRenderingError` (cairo) or `FeatureIOError` (the file) naming `path`.
    public func writeSheets(of gridIndices: [Int], to path: String, options: SheetOptions, index: Bool) throws {
        let writer = SheetWriter(prepared: PreparedMap(self), options: options)
        try writer.write(gridIndices, to: path, index: index)
    }

    /// Writes the sheet of every grid into `directory` (created when missing), one PDF each,
    /// named by the grid's code; returns the paths written, in the order of `grids`.
    /// - Throws: `MapRenderingError` or `FeatureIOError` naming the file that failed.
    public func writeSheetFolder(to directory: String, options: SheetOptions) throws -> [String] {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw MapRenderingError("cannot create the folder of sheets: \(error.localizedDescription); give -o a folder you can write", file: directory)
        }
        let writer = SheetWriter(prepared: PreparedMap(self), options: options)
        var paths: [String] = []
        for g in grids.indices {
            // A code is the file name: anything but a safe character becomes `_` (a hand-drawn code may hold `/`).
            let name = String(grids[g].code.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
            let path = (directory as NSString).appendingPathComponent("\(name).pdf")
            try writer.write([g], to: path, index: false)
            paths.append(path)
        }
        return paths
    }
}

/// Lays out and draws grid sheets and the atlas index on PDF pages.
struct SheetWriter {
    let prepared: PreparedMap
    let options: SheetOptions

    var map: GridMap { prepared.map }
    var language: MapLanguage { options.language }
    var paper: Paper { options.paper }
    /// Margin all round, in points.
    var margin: Double { paper == .a4 ? 34 : 44 }
    /// Body text size, in points.
    var size: Double { paper == .a4 ? 8.5 : 10.5 }
    var rowHeight: Double { size * 1.55 }
    /// Height of the map box on the first page of a sheet.
    var mapHeight: Double { (paper.height * 0.43).rounded() }

    func write(_ gridIndices: [Int], to path: String, index: Bool) throws {
        try AtomicFile.write(to: path) { temporary in
            let canvas = try Canvas(format: .pdf, path: temporary, width: paper.width, height: paper.height)
            var page = 1
            if index {
                page = drawIndex(gridIndices, on: canvas)
            }
            for (n, g) in gridIndices.enumerated() {
                if n > 0 || index { canvas.nextPage(width: paper.width, height: paper.height) }
                page += drawSheet(g, on: canvas, firstPage: page, numbered: index)
            }
            try canvas.finish()
        }
    }

    // MARK: Words of a grid

    /// The grid's name: the office's (a field named `name`, `网格名称` or ending in 名称), else
    /// its community's name and its sequence.
    func name(of grid: GridMap.Grid) -> String {
        if let field = grid.officeFields.first(where: { $0.name == "name" || $0.name.hasSuffix("名称") }) { return field.value }
        let community = map.community(grid.communityCode)?.name ?? grid.communityCode
        return language == .zh ? "\(community)第\(grid.shortCode)网格" : "\(community), grid \(grid.shortCode)"
    }

    /// A grid's kind in the sheet's language (`residential`, `dedicated`, `rural` of data.md).
    func kindName(_ kind: String) -> String {
        guard language == .zh else { return kind.isEmpty ? "-" : kind }
        switch kind {
        case "residential": return "住宅网格"
        case "dedicated": return "专属网格"
        case "rural": return "农村网格"
        default: return kind.isEmpty ? "-" : kind
        }
    }

    /// The buildings of a grid as rows of its table: number (as on the map), id, units,
    /// households, micro-grid; a building in several micro-grids has a row for each.
    func buildingRows(_ g: Int) -> [[String]] {
        let buildings = map.district?.buildings ?? []
        let placement = prepared.placement
        let number = Dictionary(placement.buildingsOfGrid[g].enumerated().map { ($1, $0 + 1) }, uniquingKeysWith: { first, _ in first })
        return placement.rowsOfGrid[g].map { row in
            let building = buildings[row.building]
            let micro = row.microGrid.map { map.microGrids[$0].code } ?? "-"
            return ["\(number[row.building] ?? 0)", building.id, building.units.map(String.init) ?? "-", "\(row.households)", micro]
        }
    }

    /// How many table rows go on the first page of a sheet (two columns of rows) and on each next page.
    var rowsOnFirstPage: Int { 2 * max(Int((paper.height - margin - tableTop) / rowHeight) - 1, 0) }
    var rowsOnNextPage: Int { 2 * (Int((paper.height - 2 * margin - 30) / rowHeight) - 1) }
    /// Where the buildings' table starts on the first page (below the map and the micro-grids).
    var tableTop: Double { margin + 92 + mapHeight + 34 + 5 * rowHeight }

    /// The pages the sheet of grid `g` takes.
    func pages(_ g: Int) -> Int {
        let rows = prepared.placement.rowsOfGrid[g].count
        guard rows > rowsOnFirstPage else { return 1 }
        return 1 + (rows - rowsOnFirstPage + rowsOnNextPage - 1) / rowsOnNextPage
    }

    // MARK: The sheet

    /// Draws the sheet of grid `g` from the current page on; returns the pages it took.
    func drawSheet(_ g: Int, on canvas: Canvas, firstPage: Int, numbered: Bool) -> Int {
        let grid = map.grids[g]
        let width = paper.width - 2 * margin
        var y = margin
        y += canvas.text("\(language(.gridSheet))  \(grid.code)", at: XY(margin, y), size: size * 2, bold: true)
        y += canvas.text(name(of: grid), at: XY(margin, y + 2), size: size * 1.5, color: MapPainter.communityLine, bold: true) + 6
        let community = map.community(grid.communityCode)
        let micros = map.microGrids.indices.filter { map.microGrids[$0].gridCode == grid.code }
        let facts: [(MapWord, String)] = [
            (.community, [community?.name, "(\(grid.communityCode))"].compactMap { $0 }.joined(separator: " ")),
            (.street, community.map { [$0.streetName, $0.streetCode.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ") } ?? "-"),
            (.households, grid.households.map(String.init) ?? language(.householdsUnknown)),
            (.microGrid, "\(micros.count)"),
            (.buildings, "\(prepared.placement.buildingsOfGrid[g].count)"),
            (.kind, kindName(grid.kind)),
        ]
        let office = grid.officeFields.map { "\($0.name): \($0.value)" }
        let column = width / 3
        for (i, fact) in facts.enumerated() {
            let x = margin + Double(i % 3) * column
            canvas.text("\(language(fact.0)): \(fact.1)", at: XY(x, y + Double(i / 3) * rowHeight), size: size, maxWidth: column - 6)
        }
        y += 2 * rowHeight
        if !office.isEmpty {
            canvas.text("\(language(.office)): " + office.joined(separator: "   "), at: XY(margin, y), size: size, bold: true, maxWidth: width)
        }
        y = margin + 92
        drawSheetMap(g, in: Envelope(minX: margin, minY: y, maxX: margin + width, maxY: y + mapHeight), on: canvas)
        y += mapHeight + 34
        // Micro-grids: code, households, buildings, colour on the map.
        let microHeader = [language(.microGrid), language(.households), language(.buildings)]
        let microRows = micros.map { m in
            [map.microGrids[m].code, map.microGrids[m].households.map(String.init) ?? "-", "\(prepared.placement.buildingsInMicroGrid[m])"]
        }
        let microColumns = [0.0, 110, 170]
        var x = margin
        for (i, chunk) in stride(from: 0, to: max(microRows.count, 1), by: 4).enumerated() where i < 3 {
            let rows = Array(microRows[min(chunk, microRows.count)..<min(chunk + 4, microRows.count)])
            table(header: microHeader, rows: rows, columns: microColumns, at: XY(x, y), on: canvas) { r, p in
                let m = micros[chunk + r]
                canvas.fillRect(x: p.x - size * 1.4, y: p.y + size * 0.2, width: size, height: size, color: MapPainter.microColor(map.microGrids[m], index: m))
            }
            x += width / 3 + size * 1.4
        }
        if microRows.count > 12 {
            // Room for twelve; the rest are named on the map and in the buildings' table.
            canvas.text(language == .zh ? "另有 \(microRows.count - 12) 个微网格，见地图和楼栋表" : "and \(microRows.count - 12) more micro-grids: see the map and the buildings' table",
                        at: XY(margin, tableTop - rowHeight * 1.2), size: size * 0.9, color: RGBColor(hex: 0x555555))
        }
        // Buildings, in two columns, running on to further pages.
        let rows = buildingRows(g)
        let header = ["#", language(.building), language(.units), language(.households), language(.microGrid)]
        let columns = [0.0, 22, 92, 122, 160]
        if rows.isEmpty {
            canvas.text(language(.noBuildings), at: XY(margin, tableTop), size: size)
        }
        var start = 0, page = 0, top = tableTop
        while start < rows.count {
            if page > 0 {
                canvas.nextPage(width: paper.width, height: paper.height)
                top = margin + canvas.text("\(grid.code)  \(name(of: grid)) (\(language(.continued)))", at: XY(margin, margin), size: size * 1.4, bold: true) + 12
            }
            let perColumn = Int((paper.height - margin - top) / rowHeight) - 1
            for half in 0..<2 where start < rows.count {
                let end = min(start + perColumn, rows.count)
                table(header: header, rows: Array(rows[start..<end]), columns: columns, at: XY(margin + Double(half) * (width / 2 + 4), top), on: canvas)
                start = end
            }
            if numbered { footer(firstPage + page, on: canvas) }
            page += 1
        }
        if rows.isEmpty && numbered { footer(firstPage, on: canvas) }
        return max(page, 1)
    }

    private func footer(_ page: Int, on canvas: Canvas) {
        canvas.text("\(page)", at: XY(paper.width / 2, paper.height - margin / 2 - size), size: size, color: RGBColor(hex: 0x555555), anchor: .center)
    }

    /// The grid and what lies round it, with a scale bar and the CRS under the box.
    private func drawSheetMap(_ g: Int, in box: Envelope, on canvas: Canvas) {
        let grid = map.grids[g].geometry.envelope ?? Envelope(minX: 0, minY: 0, maxX: 1, maxY: 1)
        let world = grid.expanded(by: max(grid.width, grid.height, 50) * 0.12)
        let frame = MapFrame(world: world, x: box.minX, y: box.minY, width: box.width, height: box.height)
        // The frame fits the box: widen the world to fill it, so that the box shows more of the district.
        let filled = Envelope(minX: world.minX - (frame.originX - box.minX) / frame.scale, minY: world.minY - (frame.originY - box.minY) / frame.scale,
                              maxX: world.maxX + (frame.originX - box.minX) / frame.scale, maxY: world.maxY + (frame.originY - box.minY) / frame.scale)
        let full = MapFrame(world: filled, x: box.minX, y: box.minY, width: box.width, height: box.height)
        var labels = LabelPlacer(cell: 40)
        let arrow = Envelope(minX: box.maxX - 30, minY: box.minY + 4, maxX: box.maxX - 6, maxY: box.minY + 42)
        labels.reserve(arrow)
        MapPainter(prepared: prepared, frame: full, box: box, style: MapStyle(language: language, shading: options.shading, focus: g, textSize: size * 1.1))
            .draw(on: canvas, labels: &labels)
        canvas.strokeRect(x: box.minX, y: box.minY, width: box.width, height: box.height, color: RGBColor(hex: 0x666666))
        PageFurniture.northArrow(on: canvas, at: XY(arrow.center.x, arrow.minY + 3), size: 15, language: language)
        var furniture = PageFurniture(canvas: canvas, language: language, size: size * 0.9, x: box.minX, y: box.maxY)
        furniture.scaleBar(full, maxWidth: 120)
        var sources = PageFurniture(canvas: canvas, language: language, size: size * 0.9, x: box.minX + 170, y: box.maxY + 4)
        sources.sources(map, maxWidth: box.width - 170)
    }

    /// A table: a bold header, then rows, each cell at its column's offset; `mark` draws
    /// beside a row (a colour swatch).
    private func table(header: [String], rows: [[String]], columns: [Double], at origin: XY, on canvas: Canvas,
                       mark: ((Int, XY) -> Void)? = nil) {
        var y = origin.y
        for (c, text) in header.enumerated() { canvas.text(text, at: XY(origin.x + columns[c], y), size: size, bold: true) }
        y += rowHeight
        canvas.line([XY(origin.x, y - 2), XY(origin.x + (columns.last ?? 0) + 95, y - 2)], color: RGBColor(hex: 0x888888), width: 0.5)
        for (r, row) in rows.enumerated() {
            if r % 2 == 1 { canvas.fillRect(x: origin.x, y: y - 1, width: (columns.last ?? 0) + 95, height: rowHeight, color: RGBColor(hex: 0xf1f1f1)) }
            for (c, text) in row.enumerated() { canvas.text(text, at: XY(origin.x + columns[c], y), size: size) }
            mark?(r, XY(origin.x, y))
            y += rowHeight
        }
    }

    // MARK: The index

    /// The index pages of an atlas: every grid with its name, households and page. Returns the
    /// page number of the first sheet.
    private func drawIndex(_ gridIndices: [Int], on canvas: Canvas) -> Int {
        let perPage = Int((paper.height - 2 * margin - 60) / rowHeight) - 1
        let indexPages = max((gridIndices.count + perPage - 1) / perPage, 1)
        var page = indexPages + 1
        var pageOf: [Int] = []
        for g in gridIndices { pageOf.append(page); page += pages(g) }
        let header = [language(.code), language(.name), language(.households), language(.microGrid), language(.page)]
        let columns = [0.0, 90, 330, 390, 450]
        for p in 0..<indexPages {
            if p > 0 { canvas.nextPage(width: paper.width, height: paper.height) }
            var y = margin
            y += canvas.text(language(.atlasIndex), at: XY(margin, y), size: size * 2, bold: true) + 4
            y += canvas.text("\(gridIndices.count) \(language(.grid)) · EPSG:\(map.epsg)\(map.attribution.map { " · \($0)" } ?? "")",
                             at: XY(margin, y), size: size, color: RGBColor(hex: 0x555555)) + 20
            let slice = gridIndices.indices.dropFirst(p * perPage).prefix(perPage)
            let rows = slice.map { i -> [String] in
                let grid = map.grids[gridIndices[i]]
                let micros = map.microGrids.filter { $0.gridCode == grid.code }.count
                return [grid.code, name(of: grid), grid.households.map(String.init) ?? "-", "\(micros)", "\(pageOf[i])"]
            }
            table(header: header, rows: rows, columns: columns, at: XY(margin, y), on: canvas)
            footer(p + 1, on: canvas)
        }
        return indexPages + 1
    }
}
