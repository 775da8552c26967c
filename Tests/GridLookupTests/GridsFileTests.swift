import FeatureIO
import Foundation
import GeometryEngine
import GridLookup
import Testing
import TestSupport

/// Loading a grids GeoPackage: any file that follows data.md, and a clear error otherwise.
@Suite(.timeLimit(.minutes(10))) struct GridsFileTests {
    @Test func aPartitionFileLoadsWithItsCodesAndCRS() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("grids.gpkg")
        let coverage = try Coverage.voronoi(gridCount: 12, microCount: 60, origin: XY(640_000, 3_456_000), side: 2_000,
                                            epsg: 4549, seed: 3)
        try coverage.write(to: path)
        let index = try GridIndex(contentsOf: path)
        #expect(index.epsg == 4549)
        #expect(index.grids == coverage.grids)
        #expect(index.microGrids == coverage.microGrids)
        let inMemory = try coverage.index()
        var random = SplitMix64(seed: 4)
        for _ in 0..<2_000 {
            let p = XY(random.uniform(639_900, 642_100), random.uniform(3_455_900, 3_458_100))
            #expect(index.locate(p) == inMemory.locate(p))
        }
        let statistics = index.statistics
        #expect(statistics.cells > 0 && statistics.byteCount == index.byteCount)
        #expect(statistics.derivedCells > 0, "\(statistics)")
    }

    @Test func multiPolygonGridsWithoutAMicroGridLayer() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("grids.gpkg")
        // Neighbours share their corners as the very same doubles (121.40 + 0.01 is not 121.41).
        let xs = [121.40, 121.41, 121.42, 121.43], y0 = 31.20, y1 = 31.21
        func square(_ i: Int) -> Polygon {
            Polygon(exterior: [XY(xs[i], y0), XY(xs[i + 1], y0), XY(xs[i + 1], y1), XY(xs[i], y1), XY(xs[i], y0)])
        }
        var coverage = Coverage(epsg: 4326)
        coverage.grids = [GridIndex.Grid(code: "310101001001001", communityCode: "310101001001", kind: "rural"),
                          GridIndex.Grid(code: "310101001001002", communityCode: "310101001001", kind: "residential")]
        // A village in two pieces, and a grid between them.
        coverage.gridGeometries = [.multiPolygon([square(0), square(2)]), .multiPolygon([square(1)])]
        try coverage.write(to: path, withMicroGrids: false)
        let index = try GridIndex(contentsOf: path)
        #expect(index.microGrids.isEmpty)
        #expect(index.locate(XY(121.405, 31.205)).grid == 0)
        #expect(index.locate(XY(121.425, 31.205)).grid == 0)
        #expect(index.locate(XY(121.415, 31.205)).grid == 1)
        #expect(index.locate(XY(121.41, 31.205)).grid == 1)      // shared edge: the grid east of it
        #expect(index.locate(XY(121.42, 31.205)).grid == 0)
        #expect(index.locate(XY(121.415, 31.205)).microGrid == nil)
        #expect(index.grids[0].kind == "rural")
    }

    @Test func filesWithoutCommunityCodesOrGridCodesUseTheCodePrefixes() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("grids.gpkg")
        let square = Geometry.polygon(Polygon(exterior: [XY(0, 0), XY(100, 0), XY(100, 100), XY(0, 100), XY(0, 0)]))
        let half = Geometry.polygon(Polygon(exterior: [XY(0, 0), XY(50, 0), XY(50, 100), XY(0, 100), XY(0, 0)]))
        let other = Geometry.polygon(Polygon(exterior: [XY(50, 0), XY(100, 0), XY(100, 100), XY(50, 100), XY(50, 0)]))
        let srs = SpatialReference.epsg(4549, name: "CGCS2000 / 3-degree Gauss-Kruger CM 120E", definition: "undefined")
        try GeoPackageWriter.write([
            Layer(name: "grids", geometryType: "POLYGON", srs: srs, fields: [FieldDefinition("code", .integer)],
                  features: [Feature(geometry: square, properties: ["code": .integer(310101001001007)])]),
            Layer(name: "microgrids", geometryType: "POLYGON", srs: srs, fields: [FieldDefinition("code", .text)],
                  features: [Feature(geometry: half, properties: ["code": .text("31010100100100701")]),
                             Feature(geometry: other, properties: ["code": .text("31010100100100702")])]),
        ], to: path)
        let index = try GridIndex(contentsOf: path)
        #expect(index.grids == [GridIndex.Grid(code: "310101001001007", communityCode: "310101001001", kind: "")])
        #expect(index.microGrids.map(\.gridCode) == ["310101001001007", "310101001001007"])
        #expect(index.locate(XY(75, 50)).microGrid == 1)
        #expect(index.locate(XY(50, 50)).microGrid == 1)
    }

    @Test func unreadableFilesNameTheFileLayerAndField() throws {
        let directory = try TemporaryDirectory()
        #expect {
            try GridIndex(contentsOf: directory.path("none.gpkg"))
        } throws: { ($0 as? GridLookupError)?.kind == .missingFile }

        let noGrids = directory.path("district.gpkg")
        try GeoPackageWriter.write([Layer(name: "communities", geometryType: "POLYGON", srs: .wgs84, fields: [], features: [])],
                                   to: noGrids)
        #expect {
            try GridIndex(contentsOf: noGrids)
        } throws: { error in
            guard let error = error as? GridLookupError else { return false }
            return error.kind == .missingLayer && error.file == noGrids && error.layer == "grids"
        }

        let noCode = directory.path("nocode.gpkg")
        try GeoPackageWriter.write([Layer(name: "grids", geometryType: "POLYGON", srs: .wgs84,
                                          fields: [FieldDefinition("name", .text)], features: [])], to: noCode)
        #expect {
            try GridIndex(contentsOf: noCode)
        } throws: { error in
            guard let error = error as? GridLookupError else { return false }
            return error.kind == .missingField && error.layer == "grids" && error.field == "code"
        }

        let lines = directory.path("lines.gpkg")
        try GeoPackageWriter.write([Layer(name: "grids", geometryType: "LINESTRING", srs: .wgs84,
                                          fields: [FieldDefinition("code", .text)],
                                          features: [Feature(geometry: .lineString([XY(0, 0), XY(1, 1)]), properties: ["code": .text("1")])])],
                                   to: lines)
        #expect {
            try GridIndex(contentsOf: lines)
        } throws: { error in
            guard let error = error as? GridLookupError else { return false }
            return error.kind == .invalidGeometry && error.featureID == "1"
        }

        let duplicate = directory.path("duplicate.gpkg")
        var coverage = Coverage.lattice(columns: 2, rows: 1, origin: XY(121.4, 31.2), size: 0.01, epsg: 4326)
        coverage.grids[1].code = coverage.grids[0].code
        try coverage.write(to: duplicate)
        #expect {
            try GridIndex(contentsOf: duplicate)
        } throws: { ($0 as? GridLookupError)?.kind == .duplicateCode }
    }

    /// A coordinate that is NaN (a foreign writer's, or a damaged file) stops the load naming the
    /// feature; it crashed the lattice build, and so `locate` and a server's reload.
    @Test(arguments: ["grids", "microgrids"])
    func aCoordinateThatIsNotANumberIsAnErrorNotACrash(_ layer: String) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("nan.gpkg")
        let coverage = Coverage.lattice(columns: 3, rows: 2, origin: XY(121.4, 31.2), size: 0.01, epsg: 4326)
        try coverage.write(to: path)
        let geometry = layer == "grids" ? coverage.gridGeometries[2] : coverage.microGridGeometries[2]
        try putNaNCoordinate(into: path, layer: layer, offset: 2, geometry: geometry, srsID: 4326)
        #expect {
            try GridIndex(contentsOf: path)
        } throws: { error in
            guard let error = error as? GridLookupError else { return false }
            return error.kind == .invalidGeometry && error.layer == layer && error.featureID == "3" && error.file == path
        }
    }

    @Test func aGridsFileWithoutACRSCannotTakeLonLat() throws {
        let index = try GridIndex(grids: [GridIndex.Grid(code: "1", communityCode: "")],
                                  gridGeometries: [.polygon(Polygon(exterior: [XY(0, 0), XY(1, 0), XY(1, 1), XY(0, 0)]))],
                                  epsg: nil)
        #expect {
            try LocateCSV(index: index, gridsFile: "plain.gpkg")
        } throws: { error in
            guard let error = error as? GridLookupError else { return false }
            return error.kind == .unknownCRS && error.file == "plain.gpkg"
        }
    }
}
