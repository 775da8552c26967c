import TestSupport
import FeatureIO
import Foundation
import GeometryEngine
import GridLookup
import Projections

/// A grids file's content in memory: grids and micro-grids with their geometries and CRS.
struct Coverage {
    var grids: [GridIndex.Grid] = []
    var gridGeometries: [Geometry] = []
    var microGrids: [GridIndex.MicroGrid] = []
    var microGridGeometries: [Geometry] = []
    var epsg: Int

    func index(cellsPerEdge: Double? = nil) throws -> GridIndex {
        try GridIndex(grids: grids, gridGeometries: gridGeometries, microGrids: microGrids,
                      microGridGeometries: microGridGeometries, epsg: epsg, cellsPerEdge: cellsPerEdge)
    }

    var extent: Envelope {
        gridGeometries.compactMap(\.envelope).reduce(gridGeometries[0].envelope!) { $0.union($1) }
    }

    /// Writes the coverage as a partition GeoPackage (layers `grids` and, when there are
    /// micro-grids and `withMicroGrids`, `microgrids`).
    func write(to path: String, withMicroGrids: Bool = true) throws {
        let srs: SpatialReference
        if epsg == 4326 {
            srs = .wgs84
        } else {
            let info = try CRSInfo.lookup(epsg: epsg)
            srs = .epsg(Int32(epsg), name: info.name, definition: info.wkt)
        }
        let multi = gridGeometries.contains { if case .multiPolygon = $0 { true } else { false } }
        let gridLayer = Layer(
            name: "grids", geometryType: multi ? "MULTIPOLYGON" : "POLYGON", srs: srs,
            fields: [FieldDefinition("code", .text), FieldDefinition("community_code", .text), FieldDefinition("kind", .text)],
            features: zip(grids, gridGeometries).map { grid, geometry in
                Feature(geometry: geometry, properties: ["code": .text(grid.code), "community_code": .text(grid.communityCode),
                                                         "kind": .text(grid.kind)])
            })
        var layers = [gridLayer]
        if withMicroGrids && !microGrids.isEmpty {
            layers.append(Layer(
                name: "microgrids", geometryType: "POLYGON", srs: srs,
                fields: [FieldDefinition("code", .text), FieldDefinition("grid_code", .text)],
                features: zip(microGrids, microGridGeometries).map { micro, geometry in
                    Feature(geometry: geometry, properties: ["code": .text(micro.code), "grid_code": .text(micro.gridCode)])
                }))
        }
        try GeoPackageWriter.write(layers, to: path)
    }

    /// A lattice of `columns` × `rows` square grids of `size`, each split into 2 × 2 square
    /// micro-grids, from `origin`. Grid (i, j) is the i-th from the west in the j-th row from
    /// the south; its index is j * columns + i. Two communities: the western and eastern half.
    ///
    /// Every coordinate is one of the fine lattice's values `origin + k * size / 2`, computed
    /// once, so that neighbours share their vertices exactly.
    static func lattice(columns: Int, rows: Int, origin: XY, size: Double, epsg: Int) -> Coverage {
        var coverage = Coverage(epsg: epsg)
        let xs = (0...2 * columns).map { origin.x + Double($0) * size / 2 }
        let ys = (0...2 * rows).map { origin.y + Double($0) * size / 2 }
        func square(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Geometry {
            .polygon(Polygon(exterior: [XY(x0, y0), XY(x1, y0), XY(x1, y1), XY(x0, y1), XY(x0, y0)]))
        }
        for j in 0..<rows {
            for i in 0..<columns {
                let community = i < (columns + 1) / 2 ? "310101001001" : "310101001002"
                let code = community + String(format: "%03d", j * columns + i + 1)
                coverage.grids.append(GridIndex.Grid(code: code, communityCode: community, kind: "residential"))
                coverage.gridGeometries.append(square(xs[2 * i], ys[2 * j], xs[2 * i + 2], ys[2 * j + 2]))
                for (k, (di, dj)) in [(0, 0), (1, 0), (0, 1), (1, 1)].enumerated() {
                    coverage.microGrids.append(GridIndex.MicroGrid(code: code + String(format: "%02d", k + 1), gridCode: code))
                    coverage.microGridGeometries.append(square(xs[2 * i + di], ys[2 * j + dj], xs[2 * i + di + 1], ys[2 * j + dj + 1]))
                }
            }
        }
        return coverage
    }

    /// An irregular coverage: micro-grids are the Voronoi cells of `microCount` random sites in
    /// a square of `side` metres at `origin` (clipped to it); grids are unions of the
    /// micro-grids nearest to each of `gridCount` random seeds. Communities: west and east half.
    static func voronoi(gridCount: Int, microCount: Int, origin: XY, side: Double, epsg: Int, seed: UInt64) throws -> Coverage {
        var random = SplitMix64(seed: seed)
        let sites = (0..<microCount).map { _ in XY(random.uniform(origin.x, origin.x + side), random.uniform(origin.y, origin.y + side)) }
        let seeds = (0..<gridCount).map { _ in XY(random.uniform(origin.x, origin.x + side), random.uniform(origin.y, origin.y + side)) }
        let clip = Geometry.polygon(Polygon(exterior: [origin, XY(origin.x + side, origin.y), XY(origin.x + side, origin.y + side),
                                                       XY(origin.x, origin.y + side), origin]))
        let cells = try Geometry.multiPoint(sites).voronoiDiagram(clip: clip).polygons
        // Each cell goes to the grid of the seed nearest to its site (the site inside it).
        var members = [[Polygon]](repeating: [], count: gridCount)
        for cell in cells {
            guard case .point(let p) = try Geometry.polygon(cell).pointOnSurface() else { continue }
            let nearest = seeds.indices.min { hypot(seeds[$0].x - p.x, seeds[$0].y - p.y) < hypot(seeds[$1].x - p.x, seeds[$1].y - p.y) }!
            members[nearest].append(cell)
        }
        var coverage = Coverage(epsg: epsg)
        var number = 0
        for parts in members where !parts.isEmpty {
            let union = try Geometry.multiPolygon(parts).coverageUnion()
            // A group of cells may come apart in pieces: each piece is a grid of its own.
            for piece in union.polygons {
                number += 1
                let centre = piece.exterior.first!
                let community = centre.x < origin.x + side / 2 ? "310101002001" : "310101002002"
                let code = community + String(format: "%03d", number)
                coverage.grids.append(GridIndex.Grid(code: code, communityCode: community, kind: "residential"))
                coverage.gridGeometries.append(.polygon(piece))
                var microNumber = 0
                for cell in parts where try Geometry.polygon(piece).covers(Geometry.polygon(cell).pointOnSurface()) {
                    microNumber += 1
                    coverage.microGrids.append(GridIndex.MicroGrid(code: code + String(format: "%02d", microNumber), gridCode: code))
                    coverage.microGridGeometries.append(.polygon(cell))
                }
            }
        }
        return coverage
    }
}
