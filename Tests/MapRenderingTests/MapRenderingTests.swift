import FeatureIO
import Foundation
import GeometryEngine
import MapRendering
import Testing
import TestSupport
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A small map: two grids side by side (one in bounds, one over them), each with two micro-grids.
func sampleMap() -> GridMap {
    func box(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Geometry {
        .polygon(Polygon(exterior: [XY(x0, y0), XY(x1, y0), XY(x1, y1), XY(x0, y1), XY(x0, y0)]))
    }
    let grids = [
        GridMap.Grid(code: "310101001001001", communityCode: "310101001001", kind: "residential", households: 200,
                     geometry: box(0, 0, 100, 100)),
        GridMap.Grid(code: "310101001001002", communityCode: "310101001001", kind: "residential", households: 300,
                     geometry: box(100, 0, 200, 100)),
    ]
    let micros = [
        GridMap.MicroGrid(code: "31010100100100101", gridCode: grids[0].code, households: 100, geometry: box(0, 0, 50, 100)),
        GridMap.MicroGrid(code: "31010100100100102", gridCode: grids[0].code, households: 100, geometry: box(50, 0, 100, 100)),
        GridMap.MicroGrid(code: "31010100100100201", gridCode: grids[1].code, households: 150, geometry: box(100, 0, 200, 50)),
        GridMap.MicroGrid(code: "31010100100100202", gridCode: grids[1].code, households: 150, geometry: box(100, 50, 200, 100)),
    ]
    return GridMap(epsg: 4549, grids: grids, microGrids: micros)
}

@Suite(.timeLimit(.minutes(10))) struct SVGTextTests {
    @Test func textIsEscaped() {
        #expect(SVGText.escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;")
    }

    @Test func numbersAreShortAndStable() {
        #expect(SVGText.number(1.005, decimals: 2) == "1" || SVGText.number(1.005, decimals: 2) == "1.01")
        #expect(SVGText.number(-0.001) == "0")
        #expect(SVGText.number(12.5) == "12.5")
        #expect(SVGText.number(-3.25) == "-3.25")
        #expect(SVGText.number(0.05) == "0.05")
        #expect(SVGText.number(100) == "100")
    }

    @Test func theScaleBarIsARoundLength() {
        let bar = ScaleBar(metresPerUnit: 2.7, maxUnits: 200)
        #expect(bar.metres == 500)
        #expect(bar.label == "500 m")
        #expect(ScaleBar(metresPerUnit: 20, maxUnits: 200).label == "2 km")
    }
}

@Suite(.timeLimit(.minutes(10))) struct GridMapFileTests {
    @Test func readsAGridsFile() throws {
        let directory = try TemporaryDirectory()
        let map = sampleMap()
        let crs = "PROJCS[\"CGCS2000 / 3-degree Gauss-Kruger CM 120E\",GEOGCS[\"China Geodetic Coordinate System 2000\",DATUM[\"China_2000\",SPHEROID[\"CGCS2000\",6378137,298.257222101]],PRIMEM[\"Greenwich\",0],UNIT[\"degree\",0.0174532925199433]],PROJECTION[\"Transverse_Mercator\"],PARAMETER[\"latitude_of_origin\",0],PARAMETER[\"central_meridian\",120],PARAMETER[\"scale_factor\",1],PARAMETER[\"false_easting\",500000],PARAMETER[\"false_northing\",0],UNIT[\"metre\",1],AUTHORITY[\"EPSG\",\"4549\"]]"
        let srs = SpatialReference.epsg(4549, name: "CGCS2000 / 3-degree Gauss-Kruger CM 120E", definition: crs)
        let shift = { (g: Geometry) in g.mapCoordinates { XY($0.x + 500_000, $0.y + 3_500_000) } }
        let grids = Layer(name: "grids", geometryType: "POLYGON", srs: srs,
                          fields: [FieldDefinition("code", .text), FieldDefinition("households", .integer), FieldDefinition("网格员", .text),
                                   FieldDefinition("电话", .integer)],
                          features: map.grids.map { Feature(geometry: shift($0.geometry), properties: [
                              "code": .text($0.code), "households": .integer(Int64($0.households ?? 0)), "网格员": .text("张三"),
                              "电话": .integer(13_800_000_000)]) })
        try GeoPackageWriter.write([grids], to: directory.path("g.gpkg"))
        let read = try GridMap(contentsOf: directory.path("g.gpkg"))
        #expect(read.epsg == 4549)
        #expect(read.grids.map(\.code) == map.grids.map(\.code))
        #expect(read.grids.map(\.households) == [200, 300])
        #expect(read.microGrids.isEmpty)
        // The office's fields, not data.md's, are kept for the sheets.
        #expect(read.grids[0].officeFields == [GridMap.OfficeField(name: "网格员", value: "张三"), GridMap.OfficeField(name: "电话", value: "13800000000")])
        #expect(throws: MapRenderingError.self) { try GridMap(contentsOf: directory.path("none.gpkg")) }
    }
}
