import CZlib
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

/// A PNG read back: dimensions and RGB pixels, every chunk's CRC checked.
struct DecodedPNG {
    var width: Int
    var height: Int
    var pixels: [UInt8]

    func pixel(_ x: Int, _ y: Int) -> RGBColor {
        let i = 3 * (y * width + x)
        return RGBColor(pixels[i], pixels[i + 1], pixels[i + 2])
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    init(_ bytes: [UInt8]) throws {
        guard bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { throw Failure(description: "no PNG signature") }
        func u32(_ i: Int) -> Int { Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]) }
        var offset = 8
        var idat: [UInt8] = []
        var width = 0, height = 0
        var types: [String] = []
        while offset + 12 <= bytes.count {
            let length = u32(offset)
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let body = Array(bytes[(offset + 4)..<(offset + 8 + length)])
            let crc = UInt32(u32(offset + 8 + length))
            let computed = body.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
            guard crc == computed else { throw Failure(description: "bad CRC in \(type)") }
            types.append(type)
            let data = Array(body.dropFirst(4))
            if type == "IHDR" {
                width = Int(data[0]) << 24 | Int(data[1]) << 16 | Int(data[2]) << 8 | Int(data[3])
                height = Int(data[4]) << 24 | Int(data[5]) << 16 | Int(data[6]) << 8 | Int(data[7])
                guard data[8] == 8, data[9] == 2 else { throw Failure(description: "not 8-bit RGB") }
            }
            if type == "IDAT" { idat += data }
            offset += 12 + length
        }
        guard types.first == "IHDR", types.last == "IEND" else { throw Failure(description: "chunks \(types)") }
        var size = uLong(height * (width * 3 + 1))
        var raw = [UInt8](repeating: 0, count: Int(size))
        let status = raw.withUnsafeMutableBufferPointer { out in
            idat.withUnsafeBufferPointer { uncompress(out.baseAddress, &size, $0.baseAddress, uLong($0.count)) }
        }
        guard status == Z_OK, Int(size) == raw.count else { throw Failure(description: "inflate failed (\(status))") }
        var pixels: [UInt8] = []
        for y in 0..<height {
            let row = y * (width * 3 + 1)
            guard raw[row] == 0 else { throw Failure(description: "filter \(raw[row]) on row \(y)") }
            pixels += raw[(row + 1)..<(row + 1 + width * 3)]
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}

@Suite(.timeLimit(.minutes(10))) struct SVGTests {
    @Test func theSVGIsWellFormedXMLAndDeterministic() throws {
        let svg = sampleMap().svg(width: 800)
        #expect(svg == sampleMap().svg(width: 800))
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        #expect(svg.contains("<title>310101001001002 residential, 300 households</title>"))
        #expect(svg.contains(">001</text>") && svg.contains(">002</text>"))
        // The grid over its bounds has the "above" colour, the other one a class inside the bounds.
        #expect(svg.contains("fill=\"\(HouseholdPalette.above.hex)\""))
        #expect(svg.contains("over 250 (out of range)"))
        #expect(svg.contains("micro-grid outline"))
    }

    @Test func textIsEscaped() throws {
        var map = sampleMap()
        map.grids[0].code = "a<b>&\"c'"
        let svg = map.svg(width: 400)
        #expect(XMLParser(data: Data(svg.utf8)).parse())
        #expect(svg.contains("a&lt;b&gt;&amp;&quot;c&#39;"))
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

@Suite(.timeLimit(.minutes(10))) struct PNGTests {
    @Test func thePNGDecodesWithGridColoursWhereTheGridsAre() throws {
        let map = sampleMap()
        let bytes = try map.png(width: 440)
        #expect(bytes == (try map.png(width: 440)))
        let png = try DecodedPNG(bytes)
        #expect(png.width == 440 + 300)
        // 400 px for 200 m: 2 px per metre, 20 px margin; the map is 100 m tall → 240 px (legend needs 440).
        #expect(png.height == 440)
        let palette = HouseholdPalette(bounds: HouseholdBounds())
        // Inside grid 1 (200 households) and grid 2 (300: over the bounds), away from outlines and labels.
        #expect(png.pixel(20 + 30, 20 + 30) == palette.color(kind: "residential", households: 200))
        #expect(png.pixel(20 + 330, 20 + 30) == HouseholdPalette.above)
        // Below the map: background.
        #expect(png.pixel(200, 400) == .white)
        // On the shared grid outline at x = 100 m: dark.
        let edge = png.pixel(20 + 200, 20 + 150)
        #expect(Int(edge.red) + Int(edge.green) + Int(edge.blue) < 200, "\(edge)")
    }

    @Test func antialiasedEdgesBlend() {
        var canvas = Canvas(width: 10, height: 10)
        canvas.fill(rings: [[XY(0, 0), XY(4.5, 0), XY(4.5, 10), XY(0, 10)]], color: .black)
        #expect(canvas.pixel(2, 5) == .black)
        #expect(canvas.pixel(8, 5) == .white)
        let half = canvas.pixel(4, 5)
        #expect(half.red > 100 && half.red < 155, "\(half)")
    }

    @Test func aHoleStaysEmpty() {
        var canvas = Canvas(width: 20, height: 20)
        canvas.fill(rings: [[XY(0, 0), XY(20, 0), XY(20, 20), XY(0, 20)], [XY(5, 5), XY(15, 5), XY(15, 15), XY(5, 15)]], color: .black)
        #expect(canvas.pixel(10, 10) == .white)
        #expect(canvas.pixel(2, 10) == .black)
    }

    @Test func readsAGridsFile() throws {
        let directory = try TemporaryDirectory()
        let map = sampleMap()
        let crs = "PROJCS[\"CGCS2000 / 3-degree Gauss-Kruger CM 120E\",GEOGCS[\"China Geodetic Coordinate System 2000\",DATUM[\"China_2000\",SPHEROID[\"CGCS2000\",6378137,298.257222101]],PRIMEM[\"Greenwich\",0],UNIT[\"degree\",0.0174532925199433]],PROJECTION[\"Transverse_Mercator\"],PARAMETER[\"latitude_of_origin\",0],PARAMETER[\"central_meridian\",120],PARAMETER[\"scale_factor\",1],PARAMETER[\"false_easting\",500000],PARAMETER[\"false_northing\",0],UNIT[\"metre\",1],AUTHORITY[\"EPSG\",\"4549\"]]"
        let srs = SpatialReference.epsg(4549, name: "CGCS2000 / 3-degree Gauss-Kruger CM 120E", definition: crs)
        let shift = { (g: Geometry) in g.mapCoordinates { XY($0.x + 500_000, $0.y + 3_500_000) } }
        let grids = Layer(name: "grids", geometryType: "POLYGON", srs: srs,
                          fields: [FieldDefinition("code", .text), FieldDefinition("households", .integer)],
                          features: map.grids.map { Feature(geometry: shift($0.geometry), properties: ["code": .text($0.code), "households": .integer(Int64($0.households ?? 0))]) })
        try GeoPackageWriter.write([grids], to: directory.path("g.gpkg"))
        let read = try GridMap(contentsOf: directory.path("g.gpkg"))
        #expect(read.epsg == 4549)
        #expect(read.grids.map(\.code) == map.grids.map(\.code))
        #expect(read.grids.map(\.households) == [200, 300])
        #expect(read.microGrids.isEmpty)
        #expect(throws: MapRenderingError.self) { try GridMap(contentsOf: directory.path("none.gpkg")) }
    }
}
